// Kanban boards (a helpdesk team's pipeline, a project's tasks): drag a card onto another stage
// column to move it; the select on each card does the same from the keyboard. Both post to the
// card's `data-move-url` (the stage-change endpoint); the server answers "pipeline-changed" and
// the board reloads itself. A refused move is said in the board's status line and the board
// reloads as the server has it.
(function () {
  let dragged = null;

  function say(text) {
    const status = document.getElementById("board-status");
    if (status) status.textContent = text;
  }

  function clearTargets(except) {
    document.querySelectorAll(".kanban-col.drop-target").forEach((c) => c !== except && c.classList.remove("drop-target"));
  }

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".kanban-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.moveUrl);
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    clearTargets(null);
    dragged = null;
  });
  document.addEventListener("dragover", (event) => {
    const col = event.target.closest && event.target.closest(".kanban-col[data-stage]");
    if (!col || !dragged) return;
    event.preventDefault();
    clearTargets(col);
    col.classList.add("drop-target");
  });
  document.addEventListener("drop", (event) => {
    const col = event.target.closest && event.target.closest(".kanban-col[data-stage]");
    if (!col || !dragged) return;
    event.preventDefault();
    if (col.contains(dragged)) return;
    const empty = col.querySelector(".empty");
    if (empty) empty.remove();
    col.appendChild(dragged);
    say("Moving to " + (col.getAttribute("aria-label") || "another stage") + "…");
    htmx.ajax("POST", dragged.dataset.moveUrl, { values: { stage: col.dataset.stage }, swap: "none" });
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const config = event.detail.requestConfig;
    if (!config || !/\/move\/$/.test(config.path || "")) return;
    if (event.detail.successful) {
      say("Moved.");
      return;
    }
    say((event.detail.xhr && event.detail.xhr.responseText) || "The move was refused.");
    htmx.trigger(document.body, "pipeline-changed");
  });
})();
