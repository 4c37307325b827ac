// Live queue: the server says "changed" over SSE; the page fetches the
// queue region again with the same filters. No framework, no CDN.
(function () {
  'use strict';
  var region = document.getElementById('queue-region');
  if (!region || !window.EventSource) { return; }
  var status = document.getElementById('live-status');
  var pending = false;
  function refresh() {
    if (pending) { return; }
    pending = true;
    var q = new URLSearchParams(location.search);
    q.set('partial', '1');
    // a background request: it does not keep the session alive
    fetch('/staff/?' + q.toString(), { credentials: 'same-origin', cache: 'no-store', headers: { 'X-PV-Background': '1' } })
      .then(function (r) {
        if (r.redirected) { location.reload(); throw new Error('session'); }
        if (!r.ok) { throw new Error('status'); }
        return r.text();
      })
      .then(function (html) {
        region.innerHTML = html;
        status.textContent = 'Queue updated at ' + new Date().toLocaleTimeString();
      })
      .catch(function () { status.textContent = 'Live updates paused: reload the page.'; })
      .then(function () { pending = false; });
  }
  var es = new EventSource('/staff/events');
  es.addEventListener('changed', refresh);
  // the session ended (idle, signed out, expired): reload, so the sign-in
  // page replaces the patients' details on the screen
  es.addEventListener('ended', function () { es.close(); location.reload(); });
  es.onerror = function () { status.textContent = 'Reconnecting live updates...'; };
  es.onopen = function () { status.textContent = 'Live: updates appear without reloading.'; };
}());
