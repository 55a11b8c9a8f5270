// Timers tick client-side: the server gives the elapsed seconds when it renders a timer
// (data-timer-elapsed, data-running="1" while running); this script counts on from there.
// State lives in the database, so a reload shows the right time again.
(function () {
  if (window.portalTimerJs) return;
  window.portalTimerJs = true;

  function format(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function arm(root) {
    (root || document).querySelectorAll("[data-timer-elapsed]").forEach((el) => {
      if (el.dataset.armed) return;
      el.dataset.armed = "1";
      const ms = el.dataset.timerElapsedMs ? Number(el.dataset.timerElapsedMs) : Number(el.dataset.timerElapsed || 0) * 1000;
      el.dataset.base = String(Date.now() - ms);
    });
  }

  function tick() {
    document.querySelectorAll("[data-timer-elapsed][data-running='1']").forEach((el) => {
      if (!el.dataset.base) arm(el.parentNode);
      const seconds = Math.max(0, Math.floor((Date.now() - Number(el.dataset.base)) / 1000));
      el.textContent = format(seconds);
    });
  }

  document.addEventListener("DOMContentLoaded", () => arm(document));
  document.addEventListener("htmx:load", (event) => arm(event.detail.elt));
  // A timer logged or discarded: close the stop dialog's backdrop on Escape too.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.getElementById("timer-stop-dialog")) {
      document.getElementById("modal").innerHTML = "";
    }
  });
  setInterval(tick, 1000);
})();
