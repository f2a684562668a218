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

// === measurefields: the measure's fields (templates/measures/_measure_fields.html) ===
// A filter above a long list of checkboxes; the owners text follows the ticked owners (the
// server does the same on save); the school list shows when «only the chosen» is picked.
(function () {
  function rowsOf(list) {
    var group = list.querySelector(":scope > div[id]:not(.helptext)") || list;
    return Array.prototype.slice.call(group.children);
  }
  function escapeRe(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function namePattern(name) {
    var words = name.trim().split(/\s+|(?<=\.)/).filter(Boolean).map(escapeRe);
    return new RegExp("(^|[^\\wА-Яа-яЁё])" + words.join("\\s*") + "(?![\\wА-Яа-яЁё])", "i");
  }
  function printedName(checkbox) {
    var label = checkbox.closest("label");
    return label ? label.textContent.split(" — ")[0].trim() : "";
  }
  function withName(text, name) {
    var trimmed = text.replace(/\s+$/, "");
    if (!trimmed) return name;
    return trimmed + (/[,;]$/.test(trimmed) ? " " : ", ") + name;
  }
  function withoutName(text, name) {
    var pattern = namePattern(name);
    if (!pattern.test(text)) return text;
    text = text.replace(pattern, "$1").replace(/\(\s*\)/g, "").replace(/[ \t]*([,;])(?:[ \t]*[,;])+/g, "$1");
    return text.split("\n").map(function (line) {
      return line.replace(/[ \t]{2,}/g, " ").replace(/^[\s,;]+|[\s,;]+$/g, "");
    }).filter(Boolean).join("\n");
  }
  function showSchools(box) {
    var chosen = box.querySelector("input[type=radio][value=chosen]");
    var list = box.querySelector("[data-schools-list]");
    if (chosen && list) list.hidden = !chosen.checked;
  }
  function setUp(root) {
    root.querySelectorAll("[data-choice-filter]").forEach(function (input) { input.hidden = false; });
    root.querySelectorAll("[data-schools]").forEach(showSchools);
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-choice-filter]")) return;
    var words = input.value.toLowerCase().trim();
    rowsOf(input.closest("[data-choice-list]")).forEach(function (row) {
      row.hidden = words !== "" && row.textContent.toLowerCase().indexOf(words) === -1;
    });
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches) return;
    if (box.matches("[data-schools] input[type=radio]")) { showSchools(box.closest("[data-schools]")); return; }
    if (!box.matches("[data-owners] input[type=checkbox]")) return;
    var textarea = box.closest("[data-owners]").querySelector("textarea");
    var name = printedName(box);
    if (!textarea || !name) return;
    var has = namePattern(name).test(textarea.value);
    if (box.checked && !has) textarea.value = withName(textarea.value, name);
    if (!box.checked && has) textarea.value = withoutName(textarea.value, name);
  });
})();
