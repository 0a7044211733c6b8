// Behaviours shared by every page (loaded from base.html; the Content-Security-Policy forbids
// inline scripts and on* attributes, so pages declare what they need with data- attributes).
(function () {
  "use strict";

  // Tables too wide for the screen become cards: each cell is labelled with its column header (boucle.css).
  function labelTable(table) {
    const heads = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach((tr) => {
      Array.from(tr.children).forEach((cell, i) => {
        if (heads[i] && !cell.hasAttribute("data-label") && !cell.hasAttribute("colspan")) cell.setAttribute("data-label", heads[i]);
      });
    });
    fit(table);
  }
  // Only a table wider than the page turns into cards: a narrow one stays a table (easier to compare).
  function fit(table) {
    table.classList.remove("responsive");
    const room = table.parentElement ? table.parentElement.clientWidth : window.innerWidth;
    if (table.scrollWidth > room + 1) table.classList.add("responsive");
  }
  function labelTables(root) {
    (root || document).querySelectorAll("main table").forEach(labelTable);
  }
  // A table in a closed <details> has no width yet: measure it when it opens.
  document.addEventListener("toggle", (event) => {
    if (event.target.open) event.target.querySelectorAll("main table").forEach(fit);
  }, true);
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => document.querySelectorAll("main table").forEach(fit), 150);
  });

  // <button data-print>: print the page.
  document.addEventListener("click", (event) => {
    const printer = event.target.closest("[data-print]");
    if (printer) { event.preventDefault(); window.print(); }
  });

  // <button data-confirm="question">: ask before a destructive or irreversible submit.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  // <form data-busy="message">: a submit that takes a while (an import checked line by line) says so
  // and cannot be sent twice; the message goes in the form's [role=status] element.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-busy]");
    if (!form || event.defaultPrevented) return;
    form.setAttribute("aria-busy", "true");
    form.querySelectorAll("button[type=submit], button:not([type])").forEach((b) => { b.disabled = true; });
    const status = form.querySelector("[role=status]");
    if (status) status.textContent = form.dataset.busy;
  });

  // The navigation marks the section the reader is in.
  const here = window.location.pathname;
  let best = null;
  document.querySelectorAll(".site-nav a[href]").forEach((a) => {
    const path = new URL(a.href, window.location.href).pathname;
    if (path !== "/" && here.startsWith(path) && (!best || path.length > best.path.length)) best = { a, path };
  });
  if (best) best.a.setAttribute("aria-current", "page");

  // <details open data-fold-narrow>: open on a wide screen, folded on a phone, where a long
  // section would push the rest of the page far down (its title stays, one tap away).
  if (window.matchMedia("(max-width: 48em)").matches) {
    document.querySelectorAll("details[data-fold-narrow]").forEach((d) => d.removeAttribute("open"));
  }
  // A link to an anchor in a folded section (a page's "on this page" list) unfolds it.
  function unfoldTarget() {
    const target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    const folded = target && target.closest("details");
    if (folded) folded.open = true;
  }
  window.addEventListener("hashchange", unfoldTarget);
  unfoldTarget();

  // [data-for-direction="offer"]: a field that belongs to one direction of a flow (an offer's current fate)
  // is shown only while its form's (or workshop row's) « Sens » is that direction.
  function showForDirection(select) {
    const scope = select.closest("tr, form");
    if (!scope) return;
    scope.querySelectorAll("[data-for-direction]").forEach((el) => {
      el.hidden = el.getAttribute("data-for-direction") !== select.value;
    });
  }
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches('select[name$="direction"]')) showForDirection(event.target);
  });

  labelTables(document);
  document.body.addEventListener("htmx:afterSwap", (event) => labelTables(event.target.closest("main") || document));
})();
