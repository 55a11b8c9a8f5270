// The Django admin, accessible (axe-core, tests/e2e/test_accessibility.py): fixes to markup that
// Django's own widgets write, applied whenever the admin adds some (the widgets build it on load).
(function () {
  function labelFor(id) {
    const label = id && document.querySelector(`label[for="${id}"]`);
    if (!label) return null;
    if (!label.id) label.id = `${id}-label`;
    return label;
  }

  function fix(root) {
    // filter_horizontal's search icons carry an aria-label: an image, not a bare span.
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach((icon) => icon.setAttribute("role", "img"));
    // Split date/time inputs ("Date: [..] Time: [..]") are named after their field.
    root.querySelectorAll(".datetime input[id$='_0'], .datetime input[id$='_1']").forEach((input) => {
      if (input.hasAttribute("aria-label")) return;
      const label = labelFor(input.id.replace(/_[01]$/, "_0")) || labelFor(input.id.replace(/_[01]$/, ""));
      const name = label ? label.textContent.replace(/[:\s]+$/, "") : "";
      input.setAttribute("aria-label", `${name} (${input.id.endsWith("_0") ? "date" : "time"})`.trim());
    });
    // Autocomplete selects (select2): the combobox and its text are named by the field's label.
    root.querySelectorAll(".select2-container").forEach((container) => {
      const select = container.previousElementSibling;
      const label = select && labelFor(select.id);
      if (!label) return;
      const rendered = container.querySelector(".select2-selection__rendered");
      if (rendered && rendered.getAttribute("aria-labelledby") !== label.id) rendered.setAttribute("aria-labelledby", label.id);
      const box = container.querySelector(".select2-selection");
      const names = rendered && rendered.id ? `${label.id} ${rendered.id}` : label.id;
      if (box && box.getAttribute("aria-labelledby") !== names) box.setAttribute("aria-labelledby", names);
    });
    // A table that scrolls sideways (an inline on a phone) is reachable from the keyboard.
    root.querySelectorAll(".inline-group .tabular, .inline-group").forEach((region) => {
      const scrolls = region.scrollWidth > region.clientWidth + 1 && getComputedStyle(region).overflowX !== "visible";
      if (scrolls && !region.hasAttribute("tabindex")) region.setAttribute("tabindex", "0");
    });
  }

  let queued = false;
  function soon() {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      fix(document);
    }, 0);
  }
  document.addEventListener("DOMContentLoaded", () => {
    fix(document);
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  });
  window.addEventListener("load", soon);
  window.addEventListener("resize", soon);
})();
