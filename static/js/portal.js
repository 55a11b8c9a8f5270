// Small helpers shared by every page. htmx does the heavy lifting.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 500) {
    alert("The server could not complete this action. Please try again.");
  }
});
