// The interface works without this script. It only keeps a clerk from
// sending a form twice while the server signs or sends, lets a PDF be
// dropped on the file field's surroundings, and labels each table cell
// with its column's heading for the narrow layout, where a row is a card.
"use strict";
document.addEventListener("submit", function (e) {
  var form = e.target;
  var busy = form.getAttribute("data-busy");
  if (!busy) return;
  if (form.dataset.sent) { e.preventDefault(); return; }
  form.dataset.sent = "1";
  var button = form.querySelector("button[type=submit]");
  if (button) {
    button.setAttribute("aria-disabled", "true");
    button.textContent = busy;
  }
});
document.querySelectorAll(".drop").forEach(function (zone) {
  var input = zone.querySelector("input[type=file]");
  zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    zone.classList.remove("dragging");
    if (e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
  });
});
document.querySelectorAll(".table-wrap table").forEach(function (table) {
  var heads = table.querySelectorAll("thead th");
  table.querySelectorAll("tbody tr").forEach(function (tr) {
    for (var i = 0; i < tr.cells.length && i < heads.length; i++) {
      var cell = tr.cells[i];
      if (!cell.hasAttribute("data-label") && !cell.classList.contains("card-title")) {
        cell.setAttribute("data-label", heads[i].textContent.trim());
      }
    }
  });
});
