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
  // Names are found as measures/services.py `_owner_spans` finds them: ё as е, any case, any
  // spacing, initials before or after the surname, the final dot optional; where names overlap
  // the longest wins («УО и МП» is not also «УО»).
  var W = "[\\p{L}\\p{N}_]";
  function normal(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var ch = text[i], low = ch === "ё" || ch === "Ё" ? "е" : ch.toLowerCase();
      out += low.length === 1 ? low : ch;
    }
    return out.replace(/[«»“”„‟]/g, '"');
  }
  function isInitial(unit) { return new RegExp("^" + W + "\\.$", "u").test(unit); }
  function orderRe(units) {
    var last = -1;
    units.forEach(function (unit, i) { if (isInitial(unit)) last = i; });
    var re = isInitial(units[0]) ? "(?<!" + W + ")(?<!" + W + "\\.)(?<!" + W + "\\.\\s)" : "(?<!" + W + ")";
    units.forEach(function (unit, i) {
      var dotted = unit.length > 1 && unit.slice(-1) === ".";
      var word = escapeRe(dotted ? unit.slice(0, -1) : unit);
      if (i === last && i === units.length - 1) re += word + "(?:\\.(?!\\s*" + W + "\\.)|(?![\\p{L}\\p{N}_.]))";
      else if (i === last) re += word + "(?:\\.|(?=\\s))\\s*";
      else re += word + (dotted ? "\\." : "") + (i === units.length - 1 ? "(?!" + W + ")" : "\\s*");
    });
    return new RegExp(re, "gu");
  }
  function namePatterns(name) {
    var units = normal(name).match(/[\p{L}\p{N}_]+\.?|[^\p{L}\p{N}_\s]/gu) || [];
    if (!units.some(function (unit) { return new RegExp("^" + W, "u").test(unit); })) return [];
    var orders = [units], flags = units.map(isInitial);
    if (units.length > 1 && !flags[0] && flags.slice(1).every(Boolean)) orders.push(units.slice(1).concat(units.slice(0, 1)));
    else if (units.length > 1 && !flags[units.length - 1] && flags.slice(0, -1).every(Boolean)) orders.push(units.slice(-1).concat(units.slice(0, -1)));
    return orders.map(orderRe);
  }
  function boxNames(checkbox) {
    var label = checkbox.closest("label");
    if (!label) return [];
    var parts = label.textContent.split(" — ").map(function (part) { return part.trim(); });
    var names = [parts[0]];  // an organisation's label: its short name — its full name
    if (/owner_organisations$/.test(checkbox.name) && parts.length > 1) names.push(parts.slice(1).join(" — "));
    return names.filter(Boolean);
  }
  function spansOf(text, boxes) {
    var found = {}, kept = [], plain = normal(text);
    boxes.forEach(function (box, index) {
      boxNames(box).forEach(function (name) {
        namePatterns(name).forEach(function (re) {
          for (var m of plain.matchAll(re)) {
            if (!m[0].length) continue;
            var key = m.index + ":" + (m.index + m[0].length);
            (found[key] = found[key] || []).push(index);
          }
        });
      });
    });
    Object.keys(found).map(function (key) {
      var ends = key.split(":").map(Number);
      return { start: ends[0], end: ends[1], owners: found[key] };
    }).sort(function (a, b) { return (b.end - b.start) - (a.end - a.start) || a.start - b.start; })
      .forEach(function (span) {
        if (kept.every(function (k) { return span.end <= k.start || k.end <= span.start; })) kept.push(span);
      });
    return kept;
  }
  function withName(text, name) {
    var trimmed = text.replace(/\s+$/, "");
    if (!trimmed) return name;
    return trimmed + (/[,;]$/.test(trimmed) ? " " : ", ") + name;
  }
  function withoutSpans(text, spans) {
    if (!spans.length) return text;
    spans.slice().sort(function (a, b) { return b.start - a.start; }).forEach(function (span) {
      var left = text.slice(0, span.start), right = text.slice(span.end);
      var lineBefore = left.split("\n").pop(), lineAfter = right.split("\n")[0];
      var before = /(?:[ \t]*[,;]|[ \t]+и)[ \t]*$/i.exec(lineBefore);
      var after = /^(?:[ \t]*[,;][ \t]*|[ \t]+и(?![\p{L}\p{N}_])[ \t]*)/iu.exec(lineAfter);
      if (before && (after || !lineAfter.replace(/[ \t)]/g, ""))) left = left.slice(0, left.length - before[0].length);
      else if (after && /(?:^|\()[ \t]*$/.test(lineBefore)) right = right.slice(after[0].length);
      text = left + right;
    });
    text = text.replace(/\(\s*\)/g, "").replace(/[ \t]*([,;])(?:[ \t]*[,;])+/g, "$1")
      .replace(/[ \t]+([,;)])/g, "$1").replace(/\([ \t]+/g, "(");
    return text.split("\n").map(function (line) {
      return line.replace(/[ \t]{2,}/g, " ").replace(/^[ \t,;]+|[ \t,;]+$/g, "");
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
    var owners = box.closest("[data-owners]");
    var textarea = owners.querySelector("textarea");
    var boxes = Array.prototype.slice.call(owners.querySelectorAll("input[type=checkbox]"));
    var name = boxNames(box)[0], index = boxes.indexOf(box);
    if (!textarea || !name) return;
    var mine = spansOf(textarea.value, boxes).filter(function (span) { return span.owners.indexOf(index) !== -1; });
    if (box.checked && !mine.length) textarea.value = withName(textarea.value, name);
    if (!box.checked) textarea.value = withoutSpans(textarea.value, mine.filter(function (span) {
      return span.owners.every(function (i) { return i === index || !boxes[i].checked; });
    }));
  });
})();
