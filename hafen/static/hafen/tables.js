// Wide tables scroll sideways inside their .table-wrap. A keyboard user can scroll one
// only once the wrapper takes focus: while it overflows, it becomes a focusable region
// named after its table's caption or the heading before it (WCAG 2.1.1; axe-core's
// "scrollable-region-focusable"). Wrappers that fit take no tab stop.
(function () {
  "use strict";

  function nameOf(wrap) {
    const table = wrap.querySelector("table");
    if (table && table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    for (let node = wrap; node && node !== document.body; node = node.parentElement) {
      for (let before = node.previousElementSibling; before; before = before.previousElementSibling) {
        if (/^H[1-6]$/.test(before.tagName)) return before.textContent.trim();
      }
    }
    return document.title;
  }

  function mark() {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("data-scrolls")) {
        wrap.setAttribute("data-scrolls", "");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", nameOf(wrap));
      } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
        ["data-scrolls", "tabindex", "role", "aria-label"].forEach((a) => wrap.removeAttribute(a));
      }
    });
  }

  let pending = 0;
  function later() {
    window.clearTimeout(pending);
    pending = window.setTimeout(mark, 150);
  }
  mark();
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", mark);
})();
