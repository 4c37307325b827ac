// Follows a running discharge import and shows the result table.
(function () {
  'use strict';
  var box = document.getElementById('import');
  if (!box) { return; }
  var status = document.getElementById('import-status'), table = document.getElementById('import-rejected');
  function poll() {
    fetch('/staff/import/' + box.dataset.id, { credentials: 'same-origin', cache: 'no-store', headers: { 'X-PV-Background': '1' } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s.done) { status.textContent = 'Reading line ' + s.line + '...'; setTimeout(poll, 1000); return; }
        document.getElementById('import-progress').hidden = true;
        if (s.error) { status.textContent = 'The import stopped: ' + s.error; return; }
        var res = s.result || { accepted: 0, rejected: [] };
        status.textContent = 'Done: ' + res.accepted + ' discharges stored, ' + res.rejected.length + ' lines not imported.';
        var body = table.querySelector('tbody');
        res.rejected.forEach(function (x) {
          var tr = document.createElement('tr'), a = document.createElement('td'), b = document.createElement('td');
          a.textContent = x.line; b.textContent = x.error; tr.appendChild(a); tr.appendChild(b); body.appendChild(tr);
        });
        table.hidden = res.rejected.length === 0;
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
}());
