"use strict";
(function () {
  var form = document.querySelector(".controls");
  var scenarios = Array.prototype.slice.call(document.querySelectorAll(".scenario"));
  var nothing = document.getElementById("nothing");
  var groups = Array.prototype.slice.call(document.querySelectorAll(".feature, .rule"));
  var texts = new Map();
  function text(scenario) {
    // Read once: a scenario's text does not change while the page is open.
    if (!texts.has(scenario)) texts.set(scenario, scenario.textContent.toLowerCase());
    return texts.get(scenario);
  }
  function apply() {
    var statuses = new Set();
    form.querySelectorAll("input[name=status]:checked").forEach(function (box) {
      statuses.add(box.value);
    });
    var tag = form.elements.tag.value;
    var query = form.elements.q.value.trim().toLowerCase();
    var shown = 0;
    scenarios.forEach(function (scenario) {
      var visible = statuses.has(scenario.dataset.status) &&
        (!tag || scenario.dataset.tags.split(" ").indexOf(tag) >= 0) &&
        (!query || text(scenario).indexOf(query) >= 0);
      scenario.hidden = !visible;
      if (visible) shown += 1;
    });
    // A feature or a rule shows while one of its scenarios does.
    groups.forEach(function (group) {
      group.hidden = !group.querySelector(".scenario:not([hidden])");
    });
    nothing.hidden = shown > 0;
    form.elements.shown.value = "showing " + shown + " of " + scenarios.length + " scenarios";
  }
  function openAll(open) {
    document.querySelectorAll("#scenarios details").forEach(function (details) {
      if (!details.closest("[hidden]")) details.open = open;
    });
  }
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("click", function (event) {
    var action = event.target.getAttribute("data-action");
    if (action) openAll(action === "expand");
  });
  // Copy as curl: the clipboard where the page may write it, else the command selected
  // for the reader to copy (a page opened from file:// may not be allowed the clipboard).
  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-action=copy]");
    if (!button) return;
    var command = button.nextElementSibling;
    function said(copied) {
      button.textContent = copied ? "Copied" : "Selected: press Ctrl+C";
      setTimeout(function () { button.textContent = "Copy as curl"; }, 2500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(command.textContent).then(
        function () { said(true); },
        function () { said(select(command)); });
    } else {
      said(select(command));
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== form.elements.q) {
      event.preventDefault();
      form.elements.q.focus();
    } else if (event.key === "Escape" && document.activeElement === form.elements.q) {
      form.elements.q.value = "";
      apply();
    }
  });
  // A printed report shows everything the filters let through, transcripts included.
  var before = [];
  window.addEventListener("beforeprint", function () {
    before = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    before.forEach(function (details) { details.open = true; });
  });
  window.addEventListener("afterprint", function () {
    before.forEach(function (details) { details.open = false; });
  });
  apply();
})();
