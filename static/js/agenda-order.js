// Drag agenda items to reorder them. The list sits in a form of hidden item
// ids; after a drop the form fires "reorder", which htmx posts (or, without
// htmx, the form is submitted). The up/down buttons work without any script.
(function () {
  "use strict";
  var dragged = null;
  var before = "";

  function order(list) {
    return Array.prototype.map.call(list.querySelectorAll("input[name=item]"), function (input) {
      return input.value;
    }).join(",");
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[data-sortable] > li");
    if (!item) return;
    dragged = item;
    before = order(item.parentNode);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.id);
    item.classList.add("dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = event.target.closest && event.target.closest("[data-sortable] > li");
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var item = dragged;
    dragged = null;
    item.classList.remove("dragging");
    if (order(item.parentNode) === before) return;
    var form = item.closest("form");
    if (window.htmx) {
      window.htmx.trigger(form, "reorder");
    } else {
      form.submit();
    }
  });
})();
