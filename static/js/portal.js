// Small helpers shared by every page. htmx does the heavy lifting.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 500) {
    alert("The server could not complete this action. Please try again.");
  }
});

// A message's "×" dismisses it (the messages stay pinned in view until then); the focus goes
// back to the page's main region rather than being lost.
document.addEventListener("click", (event) => {
  const close = event.target.closest(".msg-close");
  if (!close) return;
  const list = close.closest(".messages");
  close.closest(".msg").remove();
  if (list && !list.children.length) list.remove();
  document.getElementById("content")?.focus({ preventScroll: true });
});

// A table or card that scrolls sideways (on a phone) must be reachable from the keyboard:
// make each such region focusable so arrow keys scroll it (WCAG 2.1.1, axe scrollable-region-focusable).
function focusScrollableRegions(root) {
  for (const el of root.querySelectorAll(".card, .table-wrap, .table-scroll, table, .table-card, .lines")) {
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

// Dialogs (htmx swaps into #modal) take the keyboard focus when they open, give it back to the
// button that opened them when they close, and close on Escape.
(function () {
  const FIELDS = "input:not([type=hidden]):not([disabled]), select, textarea, button:not([disabled]), a[href]";
  let opener = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const target = event.detail.target;
    if (target && target.id === "modal" && !target.contains(event.detail.elt)) opener = event.detail.elt;
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    const modal = document.getElementById("modal");
    if (!modal || event.detail.target !== modal || !modal.children.length) return;
    if (modal.contains(document.activeElement) && document.activeElement !== modal) return;
    const dialog = modal.querySelector("[role=dialog]") || modal;
    // The form's first field rather than the dialog's close button.
    const first =
      dialog.querySelector("[autofocus]") || dialog.querySelector("form")?.querySelector(FIELDS) || dialog.querySelector(FIELDS);
    if (first) first.focus();
  });
  new MutationObserver(() => {
    const modal = document.getElementById("modal");
    if (modal && !modal.children.length && opener && document.contains(opener)) {
      opener.focus();
      opener = null;
    }
  }).observe(document.getElementById("modal") || document.body, { childList: true });
  document.addEventListener("keydown", (event) => {
    const modal = document.getElementById("modal");
    if (event.key === "Escape" && modal && modal.children.length) modal.innerHTML = "";
  });
})();

// An htmx swap that replaces the focused control must not drop the keyboard user back at the
// top of the page: focus the control with the same id again, else the first control of the
// swapped region (e.g. "Pause" after "Start timer").
(function () {
  const FIELDS = "input:not([type=hidden]):not([disabled]), select, textarea, button:not([disabled]), a[href]";
  let lost = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const focused = document.activeElement;
    const target = event.detail.target;
    if (focused && focused !== document.body && target && target.contains(focused)) {
      lost = { id: focused.id, target: target, targetId: target.id };
    }
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!lost) return;
    const was = lost;
    lost = null;
    if (document.activeElement && document.activeElement !== document.body) return;
    const scope = document.contains(was.target) ? was.target : document.getElementById(was.targetId);
    const again = was.id && document.getElementById(was.id);
    const next = again || (scope && scope.querySelector(FIELDS));
    if (next) next.focus();
  });
})();
