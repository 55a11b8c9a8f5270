// Small helpers shared by every page. htmx does the heavy lifting.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 500) {
    alert("The server could not complete this action. Please try again.");
  }
});

// A table or card that scrolls sideways (on a phone) must be reachable from the keyboard:
// make each such region focusable so arrow keys scroll it (WCAG 2.1.1, axe scrollable-region-focusable).
function focusScrollableRegions(root) {
  for (const el of root.querySelectorAll(".card, .table-wrap, table, .table-card, .lines")) {
    const scrolls = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible";
    if (scrolls && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.dataset.scrollFocus = "1";
    } else if (!scrolls && el.dataset.scrollFocus) {
      el.removeAttribute("tabindex");
      delete el.dataset.scrollFocus;
    }
  }
}
document.addEventListener("DOMContentLoaded", () => focusScrollableRegions(document));
document.addEventListener("htmx:afterSettle", () => focusScrollableRegions(document));
window.addEventListener("resize", () => focusScrollableRegions(document));
