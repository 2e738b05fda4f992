// Alur's only script of its own (htmx aside): on a phone the row of tabs slides sideways
// inside itself; bring the current page's tab into view so the person sees where they are.
document.addEventListener("DOMContentLoaded", function () {
  var current = document.querySelector(".tabs [aria-current=page]");
  if (current) { current.scrollIntoView({ block: "nearest", inline: "center" }); }
});
