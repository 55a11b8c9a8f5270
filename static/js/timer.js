// Timers tick client-side: the server gives the elapsed time when it renders a timer
// (data-timer-elapsed-ms, else data-timer-elapsed in seconds; data-running="1" while running),
// computed from the timer's accumulated seconds + running_since. This script counts on from there:
// a clock shows its time as soon as it appears, and turns over exactly when each second is
// reached (not on a page-wide 1 s interval, which could leave a fresh clock up to 2 s behind).
// State lives in the database, so a reload shows the right time again.
(function () {
  if (window.portalTimerJs) return;
  window.portalTimerJs = true;

  const RUNNING = "[data-timer-elapsed][data-running='1']";
  let timeout = null;

  function format(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function elapsedMs(el) {
    return Math.max(0, Date.now() - Number(el.dataset.base));
  }

  function arm(root) {
    const scope = root && root.querySelectorAll ? root : document;
    const found = Array.from(scope.querySelectorAll("[data-timer-elapsed]"));
    if (scope.matches && scope.matches("[data-timer-elapsed]")) found.push(scope);
    if (found.filter(prime).length) tick();
  }

  // Remember when the clock's time was zero (client time); true if the clock was new.
  function prime(el) {
    if (el.dataset.armed) return false;
    el.dataset.armed = "1";
    const ms = el.dataset.timerElapsedMs
      ? Number(el.dataset.timerElapsedMs)
      : Number(el.dataset.timerElapsed || 0) * 1000;
    el.dataset.base = String(Date.now() - ms);
    return true;
  }

  // Show every running clock now, then wake up when the next of them reaches a new second.
  function tick() {
    clearTimeout(timeout);
    let wait = 1000;
    document.querySelectorAll(RUNNING).forEach((el) => {
      prime(el);
      const ms = elapsedMs(el);
      const text = format(Math.floor(ms / 1000));
      if (el.textContent !== text) el.textContent = text;
      wait = Math.min(wait, 1000 - (ms % 1000));
    });
    timeout = setTimeout(tick, Math.max(wait, 15) + 5);
  }

  document.addEventListener("DOMContentLoaded", () => arm(document));
  document.addEventListener("htmx:load", (event) => arm(event.detail.elt));
  // A timer logged or discarded: close the stop dialog's backdrop on Escape too.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.getElementById("timer-stop-dialog")) {
      document.getElementById("modal").innerHTML = "";
    }
  });
  tick();
})();
