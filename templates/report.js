
(function () {
  'use strict';
  var filters = document.getElementById('filters');
  var findings = Array.prototype.slice.call(document.querySelectorAll('section.finding'));
  var subjects = Array.prototype.slice.call(document.querySelectorAll('section.subject'));
  var checked = function (name) {
    return Array.prototype.slice.call(filters.querySelectorAll('input[name="' + name + '"]:checked')).map(function (i) { return i.value; });
  };
  var apply = function () {
    var severities = checked('severity');
    var rules = checked('rule');
    var visible = {};
    var shown = 0;
    findings.forEach(function (f) {
      var on = severities.indexOf(f.dataset.severity) >= 0 && rules.indexOf(f.dataset.rule) >= 0;
      f.hidden = !on;
      if (on) { visible[f.dataset.findingId] = true; shown += 1; }
    });
    subjects.forEach(function (s) {
      s.hidden = !s.dataset.findingIds.split(' ').some(function (id) { return visible[id]; });
    });
    document.getElementById('shown-count').textContent = String(shown);
    document.getElementById('no-match').hidden = shown > 0;
  };
  if (filters) {
    filters.hidden = false;
    filters.addEventListener('change', apply);
    document.getElementById('filters-reset').addEventListener('click', function () {
      filters.querySelectorAll('input[type="checkbox"]').forEach(function (i) { i.checked = true; });
      apply();
    });
    apply();
  }
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var done = function (text) { button.textContent = text; setTimeout(function () { button.textContent = 'copy'; }, 1500); };
      if (navigator.clipboard) navigator.clipboard.writeText(button.dataset.copy).then(function () { done('copied'); }, function () { done('select it below'); });
      else done('select it below');
    });
  });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
})();
