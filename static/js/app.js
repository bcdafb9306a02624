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

  // Confirm destructive or forced actions.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var force = form.querySelector("input[name=force]");
    if (force && force.checked && !window.confirm("Force this move although conditions are missing? It will be logged.")) {
      event.preventDefault();
    }
  }, true);
})();
