// Small progressive enhancements; every page works without this file.
// Forms with data-busy-text: on submit, the button says what is happening and cannot be pressed twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var text = form.getAttribute("data-busy-text");
  if (!text) return;
  var button = form.querySelector("button[type=submit]");
  if (!button) return;
  button.disabled = true;
  button.textContent = text;
  form.setAttribute("aria-busy", "true");
});

// htmx: a request that failed (server error, lost connection) says so in Russian; nothing
// typed is lost, because htmx swaps nothing on these answers.
(function () {
  function problem(text) {
    var box = document.getElementById("htmx-problem");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 403) {
      problem("Недостаточно прав для этого действия. Обновите страницу: возможно, вы вышли или права изменились.");
    } else {
      problem("Не удалось сохранить: ошибка сервера (" + status + "). Введённое осталось на странице; попробуйте ещё раз.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    problem("Нет связи с сервером. Введённое осталось на странице; проверьте подключение и попробуйте ещё раз.");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("htmx-problem");
    if (box) box.hidden = true;
  });
})();
