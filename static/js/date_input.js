// Date fields (core.widgets.SiteDateInput): a text field in the site's one date format (the same
// as every table, message and PDF), plus a button that opens a calendar (the vendored `cally`
// web components: a keyboard-operable grid with a live month heading). Typing stays the first
// way in; the server parses the text and answers a bad date as a field error.
(function () {
  const SELECTOR = "input[data-date-input]";
  const script = document.currentScript;
  let calendarLoaded = null;

  function loadCalendar() {
    calendarLoaded ||= import(script.dataset.cally).then(() => customElements.whenDefined("calendar-date"));
    return calendarLoaded;
  }

  // "%Y-%m-%d" <-> ISO: the calendar speaks ISO, the field the site's format.
  function toSiteFormat(iso, format) {
    const [y, m, d] = iso.split("-");
    return format.replace("%Y", y).replace("%m", m).replace("%d", d);
  }

  function toIso(text, format) {
    const value = text.trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
    const order = [];
    const pattern = format.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&").replace(/%([Ymd])/g, (_, code) => {
      order.push(code);
      return code === "Y" ? "(\\d{4})" : "(\\d{1,2})";
    });
    const match = new RegExp(`^${pattern}$`).exec(value);
    if (!match) return "";
    const parts = {};
    order.forEach((code, i) => (parts[code] = match[i + 1].padStart(2, "0")));
    return `${parts.Y}-${parts.m}-${parts.d}`;
  }

  function todayIso() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  function labelOf(input) {
    const label = input.labels && input.labels[0];
    return label ? label.textContent.replace(/\s+/g, " ").trim() : "";
  }

  let counter = 0;

  function enhance(input) {
    if (input.dataset.dateReady) return;
    input.dataset.dateReady = "1";
    const format = input.dataset.dateInput || "%Y-%m-%d";
    const name = labelOf(input);
    const id = `date-picker-${++counter}`;

    const wrap = document.createElement("span");
    wrap.className = "date-field";
    input.parentNode.insertBefore(wrap, input);
    wrap.append(input);

    const button = document.createElement("button");
    button.type = "button";
    button.className = "date-pick";
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", name ? `Choose a date: ${name}` : "Choose a date");
    button.innerHTML =
      '<svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="none" ' +
      'stroke="currentColor" stroke-width="2"><rect x="3" y="5" width="18" height="16" rx="2"/>' +
      '<path d="M3 10h18M8 3v4M16 3v4"/></svg>';
    wrap.append(button);

    // The calendar is built when opened and removed when closed: no hidden controls in the page.
    let popover = null;
    let calendar = null;
    function build() {
      popover = document.createElement("div");
      popover.className = "date-popover";
      popover.id = id;
      popover.hidden = true;
      popover.setAttribute("role", "dialog");
      popover.setAttribute("aria-label", name ? `Choose a date: ${name}` : "Choose a date");
      popover.innerHTML =
        `<calendar-date first-day-of-week="1" locale="${document.documentElement.lang || "en-GB"}">` +
        "<calendar-month></calendar-month></calendar-date>" +
        '<div class="date-popover-actions"><button type="button" class="date-today">Today</button>' +
        '<button type="button" class="date-close">Close</button></div>';
      wrap.append(popover);
      button.setAttribute("aria-controls", id);
      calendar = popover.querySelector("calendar-date");
      calendar.addEventListener("change", () => choose(calendar.value));
      popover.querySelector(".date-today").addEventListener("click", () => choose(todayIso()));
      popover.querySelector(".date-close").addEventListener("click", () => close(true));
      popover.addEventListener("keydown", (event) => {
        // Escape closes the calendar only, not the dialog the field sits in (portal.js).
        if (event.key === "Escape") {
          event.stopPropagation();
          close(true);
        }
      });
    }

    function place() {
      const box = input.getBoundingClientRect();
      const width = popover.offsetWidth;
      const left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8));
      const below = box.bottom + 4;
      const top = below + popover.offsetHeight > window.innerHeight && box.top > popover.offsetHeight + 8
        ? box.top - popover.offsetHeight - 4
        : below;
      popover.style.left = `${left}px`;
      popover.style.top = `${top}px`;
    }

    function close(focusButton) {
      if (!popover) return;
      popover.remove(); // gone until opened again: no hidden controls stay in the page
      popover = null;
      button.removeAttribute("aria-controls");
      button.setAttribute("aria-expanded", "false");
      document.removeEventListener("pointerdown", outside, true);
      window.removeEventListener("scroll", place, true);
      window.removeEventListener("resize", closeQuietly);
      if (focusButton) button.focus();
    }

    function closeQuietly() {
      close(false);
    }

    function outside(event) {
      if (!wrap.contains(event.target)) close(false);
    }

    function choose(iso) {
      input.value = toSiteFormat(iso, format);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      close(false);
      input.focus();
    }

    async function open() {
      await loadCalendar();
      if (!popover) build();
      const iso = toIso(input.value, format);
      calendar.value = iso;
      calendar.focusedDate = iso || todayIso();
      popover.hidden = false;
      button.setAttribute("aria-expanded", "true");
      place();
      document.addEventListener("pointerdown", outside, true);
      window.addEventListener("scroll", place, true);
      window.addEventListener("resize", closeQuietly);
      requestAnimationFrame(() => calendar && calendar.focus());
    }

    button.addEventListener("click", () => (popover ? close(true) : open()));
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && event.altKey) {
        event.preventDefault();
        open();
      }
    });
  }

  function enhanceAll(root) {
    if (root.matches && root.matches(SELECTOR)) enhance(root);
    if (root.querySelectorAll) root.querySelectorAll(SELECTOR).forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
  document.addEventListener("htmx:load", (event) => enhanceAll(event.detail.elt));
})();
