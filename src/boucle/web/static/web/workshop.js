// Workshop mode: each added row gets a fresh index (the form's field prefix), computed here rather
// than in an hx-vals "js:" expression, which the Content-Security-Policy (no eval) forbids.
(function () {
  "use strict";
  document.body.addEventListener("htmx:configRequest", (event) => {
    const button = event.detail.elt;
    if (!button || button.id !== "add-row") return;
    event.detail.parameters.index = Number(button.dataset.nextIndex) + document.querySelectorAll("#rows tr").length;
  });
})();
