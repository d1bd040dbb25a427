// The work queue's header box ticks, or unticks, every case that may be decided in a batch
// (the "select all clean cases" link does the same without scripts).
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("batch-select-clean");
  if (!all) {
    return;
  }
  all.addEventListener("change", function () {
    document.querySelectorAll("input.doudi-batch-case").forEach(function (box) {
      box.checked = all.checked;
    });
  });
});
