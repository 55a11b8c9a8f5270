// Signature pad: draw with finger, pen or mouse (pointer events) on a <canvas class="signature-pad">.
// On submit, the drawing is put in the hidden input named by data-input as a PNG data URL
// (left empty when nothing was drawn, so the server answers "please sign").
(function () {
  "use strict";

  function setup(canvas) {
    const input = document.getElementById(canvas.dataset.input);
    const form = canvas.closest("form");
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;
    let last = null;

    function resetCanvas() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111827";
      drawn = false;
      if (input) input.value = "";
    }

    function point(event) {
      const rect = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - rect.left) * canvas.width) / rect.width,
        y: ((event.clientY - rect.top) * canvas.height) / rect.height,
      };
    }

    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      // Drawing answers the "please sign" error: take it away.
      const field = canvas.closest(".field");
      if (field) {
        field.classList.remove("has-error");
        field.querySelectorAll(".errorlist").forEach((el) => el.remove());
      }
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      event.preventDefault();
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      for (const e of events.length ? events : [event]) {
        const p = point(e);
        ctx.beginPath();
        ctx.moveTo(last.x, last.y);
        ctx.lineTo(p.x, p.y);
        ctx.stroke();
        last = p;
      }
      drawn = true;
    });
    const stop = () => {
      drawing = false;
      last = null;
    };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    const clear = document.getElementById("signature-clear");
    if (clear) clear.addEventListener("click", resetCanvas);
    if (form && input) {
      form.addEventListener("submit", () => {
        input.value = drawn ? canvas.toDataURL("image/png") : "";
      });
    }
    resetCanvas();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("canvas.signature-pad").forEach(setup);
  });
})();
