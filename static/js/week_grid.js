// "My week": live row/day/week totals while typing, Enter saves and moves to the cell below.
(function () {
  "use strict";
  const form = document.getElementById("week-form");
  if (!form) return;
  const focusField = document.getElementById("week-focus");

  // The same grammar as the server: 1.5, 1,5 or 1:30 (h:mm). NaN when unreadable.
  function hours(text) {
    text = (text || "").trim();
    if (!text) return 0;
    const hm = /^(\d{1,2}):(\d{1,2})$/.exec(text);
    if (hm) return Number(hm[2]) > 59 ? NaN : Number(hm[1]) + Number(hm[2]) / 60;
    return /^\d*([.,]\d*)?$/.test(text) ? Number(text.replace(",", ".")) : NaN;
  }
  function cellHours(td) {
    const input = td.querySelector("input");
    if (input) return hours(input.value);
    const locked = td.querySelector(".locked-hours");
    return locked ? Number(locked.firstChild.textContent) || 0 : 0;
  }

  function recompute() {
    const dayTotals = [0, 0, 0, 0, 0, 0, 0];
    let week = 0;
    form.querySelectorAll("tbody tr[data-row]").forEach(function (tr) {
      let row = 0;
      tr.querySelectorAll("td.cell").forEach(function (td, col) {
        const value = cellHours(td);
        if (!Number.isNaN(value)) { row += value; dayTotals[col] += value; }
      });
      tr.querySelector(".row-total").textContent = row.toFixed(2);
      week += row;
    });
    form.querySelectorAll("tfoot .day-total").forEach(function (td, col) {
      td.textContent = dayTotals[col].toFixed(2);
      td.classList.toggle("over-day", dayTotals[col] > 24);
    });
    document.getElementById("week-total").textContent = week.toFixed(2);
  }

  // The input of the same day one row down (the next row that has one), else this one.
  function below(input) {
    const col = input.dataset.col;
    let tr = input.closest("tr").nextElementSibling;
    while (tr) {
      const next = tr.querySelector('input[data-col="' + col + '"]');
      if (next) return next;
      tr = tr.nextElementSibling;
    }
    return input;
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("td.cell input")) recompute();
  });
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("td.cell input")) return;
    event.preventDefault();
    focusField.value = below(event.target).name;
    form.requestSubmit();
  });

  const wanted = focusField.value && document.getElementsByName(focusField.value)[0];
  const first = wanted || (form.querySelector("td.has-error input"));
  if (first) { first.focus(); first.select(); }
  focusField.value = "";
  recompute();
})();
