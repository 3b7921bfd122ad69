// A button marked data-print prints the page (the door poster): no inline handler,
// so the Content-Security-Policy can refuse every inline script.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
