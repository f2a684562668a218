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
