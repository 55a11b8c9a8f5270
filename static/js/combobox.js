// Search fields (core.widgets.SearchSelect, e.g. every customer field): a text field that lists
// the server's matches as a person types (the ARIA combobox pattern) and keeps the picked
// object's id in a hidden input. Keys: Down/Up move through the matches (Down opens the list),
// Enter picks, Escape closes (a second Escape puts back the picked name), Tab leaves.
// The matches are an HTML fragment from the field's search URL, fetched and swapped by htmx.
// Delegated listeners: fields swapped in later by htmx work without set-up.
(function () {
  const FIELD = "input[role=combobox][aria-controls]";
  const DELAY_MS = 200;
  const timers = new WeakMap();

  function partsOf(input) {
    const box = input.closest("[data-combobox]");
    if (!box) return null;
    return {
      box,
      input,
      hidden: box.querySelector("input[data-combobox-value]"),
      list: document.getElementById(input.getAttribute("aria-controls")),
      note: box.querySelector(".combobox-note"),
    };
  }

  // One live region for every field, outside any <label> (a label's text names its field: a
  // count inside it would rename the field). The note under a field repeats it for the eyes.
  // Made before the first search is sent: a region must be in the page before what it says.
  function liveRegion() {
    let region = document.getElementById("combobox-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "combobox-status";
      region.className = "combobox-status";
      region.setAttribute("role", "status");
      document.body.append(region);
    }
    return region;
  }

  function announce(text) {
    liveRegion().textContent = text;
  }

  function optionsOf(parts) {
    return Array.from(parts.list.querySelectorAll("[role=option]"));
  }

  function isOpen(parts) {
    return parts.input.getAttribute("aria-expanded") === "true";
  }

  function open(parts) {
    parts.list.hidden = false;
    parts.input.setAttribute("aria-expanded", "true");
  }

  function close(parts) {
    parts.list.hidden = true;
    parts.note.hidden = true;
    parts.input.setAttribute("aria-expanded", "false");
    parts.input.removeAttribute("aria-activedescendant");
  }

  function activate(parts, option) {
    for (const each of optionsOf(parts)) each.setAttribute("aria-selected", each === option ? "true" : "false");
    if (option) {
      parts.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      parts.input.removeAttribute("aria-activedescendant");
    }
  }

  function active(parts) {
    const id = parts.input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function search(parts) {
    clearTimeout(timers.get(parts.input));
    parts.box.dataset.query = parts.input.value.trim();
    delete parts.box.dataset.moveTo;
    liveRegion();
    // No `source`: the request must not inherit the hx-* of the form around the field (a
    // filter form's hx-push-url would put the search in the address bar).
    htmx.ajax("GET", parts.box.dataset.searchUrl, {
      target: parts.list,
      swap: "innerHTML",
      values: { q: parts.box.dataset.query },
    });
  }

  // The matches arrived: number the options, open the list, say how many (a live region).
  function showMatches(parts) {
    const options = optionsOf(parts);
    options.forEach((option, i) => (option.id = `${parts.list.id}-${i}`));
    const limit = Number(parts.box.dataset.limit || 0);
    let text = options.length === 1 ? "1 match." : `${options.length} matches.`;
    if (!options.length) text = parts.box.dataset.noMatch || "No match.";
    else if (limit && options.length >= limit) text = `First ${limit} matches: type more to narrow.`;
    announce(text);
    parts.note.textContent = text;
    if (document.activeElement !== parts.input) return;
    if (parts.input.value.trim() !== parts.box.dataset.query) return search(parts); // typed on meanwhile
    // No match: the list stays closed (a listbox has options) and the note shows under the field.
    if (!options.length) {
      close(parts);
      parts.note.hidden = false;
      return;
    }
    open(parts);
    const moveTo = parts.box.dataset.moveTo; // opened by Down/Up: that end of the list is active
    activate(parts, moveTo === "last" ? options[options.length - 1] : moveTo === "first" ? options[0] : null);
    delete parts.box.dataset.moveTo;
  }

  function pick(parts, option) {
    const value = option ? option.dataset.value : "";
    parts.input.value = option ? option.dataset.label : "";
    parts.box.dataset.label = parts.input.value;
    close(parts);
    if (parts.hidden.value !== value) {
      parts.hidden.value = value;
      parts.hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  // Leaving the field without picking: an emptied field clears the choice, other text is put
  // back to the picked name (the hidden id is what the form sends).
  function settle(parts) {
    close(parts);
    if (!parts.input.value.trim()) pick(parts, null);
    else parts.input.value = parts.box.dataset.label ?? parts.input.defaultValue;
  }

  function move(parts, step) {
    const options = optionsOf(parts);
    if (!isOpen(parts) || !options.length) {
      search(parts);
      parts.box.dataset.moveTo = step < 0 ? "last" : "first";
      return;
    }
    const index = options.indexOf(active(parts));
    let next = index + step;
    if (index < 0) next = step > 0 ? 0 : options.length - 1;
    activate(parts, options[Math.max(0, Math.min(options.length - 1, next))]);
  }

  document.addEventListener("input", (event) => {
    const parts = event.target.matches(FIELD) && partsOf(event.target);
    if (!parts) return;
    clearTimeout(timers.get(parts.input));
    timers.set(parts.input, setTimeout(() => search(parts), DELAY_MS));
  });

  document.addEventListener("keydown", (event) => {
    const parts = event.target.matches(FIELD) && partsOf(event.target);
    if (!parts || event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(parts, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && isOpen(parts)) {
      event.preventDefault(); // pick, do not submit the form
      const option = active(parts) || (optionsOf(parts).length === 1 ? optionsOf(parts)[0] : null);
      if (option) pick(parts, option);
    } else if (event.key === "Escape" && isOpen(parts)) {
      event.preventDefault();
      event.stopPropagation(); // a dialog around the field stays open
      close(parts);
    } else if (event.key === "Escape" && parts.input.value !== (parts.box.dataset.label ?? parts.input.defaultValue)) {
      event.preventDefault();
      event.stopPropagation();
      settle(parts);
    }
  });

  // The text field's own change (on leaving it) is not a choice: only the hidden input's is.
  document.addEventListener(
    "change",
    (event) => {
      if (event.target.matches(FIELD) && event.target.closest("[data-combobox]")) event.stopPropagation();
    },
    true,
  );

  document.addEventListener("focusout", (event) => {
    const parts = event.target.matches(FIELD) && partsOf(event.target);
    if (parts) settle(parts);
  });

  // A click on an option picks it; pressing on the list keeps the focus in the text field.
  document.addEventListener("mousedown", (event) => {
    if (event.target.closest("[data-combobox] [role=listbox]")) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-combobox] [role=option]");
    if (!option) return;
    event.preventDefault(); // inside a <label>: no click forwarded to the text field
    const input = option.closest("[data-combobox]").querySelector(FIELD);
    pick(partsOf(input), option);
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const box = event.detail.target && event.detail.target.closest && event.detail.target.closest("[data-combobox]");
    if (box && event.detail.target.matches("[role=listbox]")) showMatches(partsOf(box.querySelector(FIELD)));
  });
})();
