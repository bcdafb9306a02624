// Small behaviours that need no framework. Loaded with defer; CSP allows only same-origin scripts.
(function () {
  "use strict";

  // A panel or fragment that fails shows its own error instead of breaking the page.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (!target) return;
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    var message = status === 403 ? "You do not have access to this." :
      status === 404 ? "This is no longer available." :
      "This part could not be loaded (" + status + "). Reload the page to try again.";
    target.innerHTML = '<p class="panel-error" role="alert"></p>';
    target.querySelector(".panel-error").textContent = message;
  });
  document.addEventListener("htmx:sendError", function (event) {
    var target = event.detail.target;
    if (!target) return;
    target.innerHTML = '<p class="panel-error" role="alert">The server could not be reached. Check your connection and reload.</p>';
  });

  // Filter forms submit themselves when a select changes (they still work without JS).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.matches("select")) {
      if (window.htmx) { htmx.trigger(form, "submit"); } else { form.submit(); }
    }
  });

  // A table wider than its box scrolls sideways: keyboard users need to reach it (a Tab stop)
  // and screen readers a name for it. Only wraps that do scroll get the Tab stop, so narrow
  // tables add none; the name is the table's caption or the heading of its card or section.
  function labelScrollingTables(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth <= wrap.clientWidth + 1) {
        if (wrap.dataset.scrolls) { wrap.removeAttribute("tabindex"); wrap.removeAttribute("role"); delete wrap.dataset.scrolls; }
        return;
      }
      if (wrap.dataset.scrolls) return;
      var caption = wrap.querySelector("caption");
      var box = wrap.closest("section, .card, main");
      var heading = caption || (box && box.querySelector("h2, h3, h1"));
      wrap.dataset.scrolls = "1";
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label")) {
        wrap.setAttribute("aria-label", (heading ? heading.textContent.trim() : "Table") + " (scrolls sideways)");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelScrollingTables(document); });
  document.addEventListener("htmx:afterSettle", function () { labelScrollingTables(document); });
  window.addEventListener("resize", function () { labelScrollingTables(document); });

  // A saved or refused cell is swapped in whole, and a live region that arrives with its text is
  // often not read: the grid's one lasting live region repeats the outcome with the cell's name.
  document.addEventListener("htmx:afterSettle", function (event) {
    var live = document.getElementById("grid-announcer");
    var note = live && event.target.querySelector && event.target.querySelector(".cell-error, .cell-note");
    if (!note) return;
    var input = event.target.querySelector("input[aria-label]");
    live.textContent = (input ? input.getAttribute("aria-label") + ": " : "") + note.textContent.trim();
  });

  // The entry grid: it opens on the current period (the last column) whatever the width;
  // Enter saves the cell and moves down a row instead of sending the whole form; the arrow
  // keys move between cells (left and right only from the edge of the text).
  function scrollToCurrent(root) {
    root.querySelectorAll("[data-scroll-to-current]").forEach(function (wrap) {
      wrap.scrollLeft = wrap.scrollWidth;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scrollToCurrent(document); });

  function gridCell(input, rowStep, colStep) {
    var td = input.closest("td");
    var tr = td.closest("tr");
    var col = Array.prototype.indexOf.call(tr.children, td) + colStep;
    var rows = Array.prototype.slice.call(tr.closest("tbody").children);
    var row = rows[rows.indexOf(tr) + rowStep];
    var target = row && row.children[col];
    return target ? target.querySelector("input[type=text]") : null;
  }
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".entry-grid input[type=text]")) return;
    var next = null;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    if (event.key === "Enter") {
      event.preventDefault();  // never the whole form: the cell saves on its own
      next = gridCell(input, 1, 0);
      if (!next) { input.blur(); return; }
    } else if (event.key === "ArrowDown") { next = gridCell(input, 1, 0); }
    else if (event.key === "ArrowUp") { next = gridCell(input, -1, 0); }
    else if (event.key === "ArrowRight" && atEnd) { next = gridCell(input, 0, 1); }
    else if (event.key === "ArrowLeft" && atStart) { next = gridCell(input, 0, -1); }
    if (next) {
      event.preventDefault();
      next.focus();
      next.select();
    }
  });

  // Confirm destructive or forced actions.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var force = form.querySelector("input[name=force]");
    if (force && force.checked && !window.confirm("Force this move although conditions are missing? It will be logged.")) {
      event.preventDefault();
    }
  }, true);
})();
