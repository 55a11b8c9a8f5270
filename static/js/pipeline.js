// Drag a ticket card onto another stage column to move it (the per-card select does the same
// without a mouse). The server answers "pipeline-changed" and the board reloads itself.
(function () {
  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".kanban-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.ticket);
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    document.querySelectorAll(".kanban-col.drop-target").forEach((c) => c.classList.remove("drop-target"));
    dragged = null;
  });
  document.addEventListener("dragover", (event) => {
    const col = event.target.closest && event.target.closest(".kanban-col[data-stage]");
    if (!col || !dragged) return;
    event.preventDefault();
    document.querySelectorAll(".kanban-col.drop-target").forEach((c) => c !== col && c.classList.remove("drop-target"));
    col.classList.add("drop-target");
  });
  document.addEventListener("drop", (event) => {
    const col = event.target.closest && event.target.closest(".kanban-col[data-stage]");
    if (!col || !dragged) return;
    event.preventDefault();
    if (col.contains(dragged)) return;
    col.appendChild(dragged);
    htmx.ajax("POST", dragged.dataset.moveUrl, { values: { stage: col.dataset.stage }, swap: "none" });
  });
})();
