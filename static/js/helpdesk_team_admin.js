// Admin team form, "Track & Bill Time": the Project row shows only while Timesheets is ticked.
// No save-and-refresh needed. (Time billing without Timesheets is refused by the server with
// an error on that field.)
(function () {
  function setup() {
    const timesheets = document.getElementById("id_use_timesheets");
    const projectRow = document.querySelector(".form-row.field-project, .field-project");
    if (!timesheets || !projectRow) return;
    function sync() {
      projectRow.hidden = !timesheets.checked;
      projectRow.style.display = timesheets.checked ? "" : "none";
    }
    timesheets.addEventListener("change", sync);
    sync();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
