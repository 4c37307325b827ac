// Kiosk: one patient at a time. Answers live only in memory until submit;
// submissions go to a localStorage queue that is replayed with backoff
// until the server answers 2xx, across reloads. Inactivity resets every
// trace of the previous patient.
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('kiosk-config').textContent);
  var token = decodeURIComponent(location.pathname.split('/').pop());
  var QKEY = 'pv.queue.' + token.slice(-12);
  var survey = cfg.survey;
  var langs = {};
  cfg.languages.forEach(function (l) { langs[l.code] = l; });
  var state = fresh();
  var idleTimer = null, thanksTimer = null, flushTimer = null, backoff = 2000, flushing = false;

  function fresh() { return { lang: 'en', answers: {}, history: [], wantContact: false }; }
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function t(key) { var l = langs[state.lang] || langs.en; return (l && l.strings[key]) || langs.en.strings[key] || key; }
  // tn is t for a count: the browser's CLDR plural rules pick the form
  function tn(key, n) {
    var l = langs[state.lang] || langs.en, forms = (l.plurals && l.plurals[key]) || langs.en.plurals[key] || {}, cat = 'other';
    try { cat = new Intl.PluralRules(l.tag || l.code).select(n); } catch (e) { /* old browser: other */ }
    return (forms[cat] || forms.other || key).replace('{n}', n);
  }

  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // ---- language -------------------------------------------------------
  function applyLanguage(code) {
    state.lang = langs[code] ? code : 'en';
    var l = langs[state.lang];
    document.documentElement.lang = l.tag || state.lang;
    document.documentElement.dir = l.dir;
    $$('[data-t]').forEach(function (el) { el.textContent = t(el.getAttribute('data-t')); });
    $$('[data-t-label]').forEach(function (el) { el.setAttribute('aria-label', t(el.getAttribute('data-t-label'))); });
    $$('[data-prompt]').forEach(function (el) {
      var q = question(el.getAttribute('data-prompt'));
      el.textContent = (q.prompt[state.lang] || q.prompt.en);
    });
    $$('[data-option]').forEach(function (el) {
      var parts = el.getAttribute('data-option').split(':');
      var opt = question(parts[0]).options.filter(function (o) { return o.value === parts[1]; })[0];
      el.textContent = opt.label[state.lang] || opt.label.en;
    });
    $('.langs').setAttribute('aria-label', t('choose_language'));
    renderPending();
  }
  function question(key) { return survey.questions.filter(function (q) { return q.key === key; })[0]; }

  // ---- navigation -----------------------------------------------------
  function show(name) {
    $$('.screen').forEach(function (s) { s.hidden = s.getAttribute('data-screen') !== name; });
    var screen = $('[data-screen="' + name + '"]');
    $$('[data-error]', screen).forEach(function (e) { e.textContent = ''; });
    var h = $('h1', screen);
    if (h) { h.focus(); }
    state.screen = name;
  }
  function visible(q) {
    if (!q.show_if) { return true; }
    var a = state.answers[q.show_if.question];
    return a !== undefined && q.show_if.values.indexOf(String(a)) >= 0;
  }
  function visibleQuestions() { return survey.questions.filter(visible); }
  function goQuestion(idx) {
    var qs = survey.questions;
    while (idx < qs.length && !visible(qs[idx])) { idx++; }
    if (idx >= qs.length) { go('contact-ask'); return; }
    var q = qs[idx];
    var vis = visibleQuestions();
    var screen = $('[data-screen="q-' + q.key + '"]');
    $('[data-progress]', screen).textContent = t('question_of').replace('{n}', vis.indexOf(q) + 1).replace('{total}', vis.length);
    markSelected(screen, state.answers[q.key]);
    state.qIndex = idx;
    go('q-' + q.key);
  }
  function go(name) {
    if (state.screen && state.screen !== 'start' && state.screen !== name) { state.history.push({ screen: state.screen, q: state.qIndex }); }
    show(name);
  }
  function back() {
    var prev = state.history.pop();
    if (!prev) { restart(); return; }
    state.qIndex = prev.q;
    show(prev.screen);
  }
  function next() { goQuestion(state.qIndex + 1); }
  function markSelected(screen, value) {
    $$('[data-value]', screen).forEach(function (b) {
      var on = value !== undefined && b.getAttribute('data-value') === String(value);
      b.classList.toggle('selected', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
  }

  // ---- answers --------------------------------------------------------
  function answer(q, raw) {
    var v = raw;
    if (q.kind === 'rating5' || q.kind === 'nps') { v = parseInt(raw, 10); }
    if (q.kind === 'yesno') { v = raw === 'true'; }
    state.answers[q.key] = v;
    // answers to questions hidden by a changed earlier answer are dropped
    survey.questions.forEach(function (o) { if (!visible(o)) { delete state.answers[o.key]; } });
  }
  function buildSubmission(contact) {
    var answers = [];
    survey.questions.forEach(function (q) {
      if (state.answers[q.key] !== undefined && visible(q)) { answers.push({ question: q.key, value: state.answers[q.key] }); }
    });
    var body = { id: uuid(), survey: survey.key, language: state.lang, answers: answers, submitted_at: new Date().toISOString() };
    if (contact) { body.contact = contact; }
    return body;
  }

  // ---- offline queue --------------------------------------------------
  function queue() { try { return JSON.parse(localStorage.getItem(QKEY) || '[]'); } catch (e) { return []; } }
  function saveQueue(q) { try { localStorage.setItem(QKEY, JSON.stringify(q)); } catch (e) { /* storage full: keep in memory */ } renderPending(); }
  function enqueue(sub) { var q = queue(); q.push(sub); saveQueue(q); flush(); }
  function renderPending() {
    var n = queue().length, el = document.getElementById('pending');
    el.hidden = n === 0;
    el.textContent = n ? tn('pending', n) : '';
  }
  function flush() {
    if (flushing) { return; }
    var q = queue();
    if (!q.length) { backoff = 2000; return; }
    flushing = true;
    var sub = q[0];
    fetch('/api/kiosk/responses', {
      method: 'POST', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token },
      body: JSON.stringify(sub)
    }).then(function (r) {
      // 2xx: stored. 400/409/413: the server will never accept it; drop it
      // rather than block the queue. Anything else: retry with backoff.
      if (r.ok || r.status === 400 || r.status === 409 || r.status === 413) { return true; }
      throw new Error('status ' + r.status);
    }).then(function () {
      saveQueue(queue().filter(function (x) { return x.id !== sub.id; }));
      flushing = false; backoff = 2000;
      flush();
    }).catch(function () {
      flushing = false;
      clearTimeout(flushTimer);
      flushTimer = setTimeout(flush, backoff + Math.random() * 1000);
      backoff = Math.min(backoff * 2, 300000);
    });
  }

  // ---- reset ----------------------------------------------------------
  function restart() {
    clearTimeout(thanksTimer);
    $$('form').forEach(function (f) { f.reset(); });
    $$('textarea, input').forEach(function (el) { el.value = ''; });
    $$('.selected').forEach(function (el) { el.classList.remove('selected'); });
    $$('[aria-pressed]').forEach(function (el) { el.setAttribute('aria-pressed', 'false'); });
    if (document.activeElement) { document.activeElement.blur(); }
    state = fresh();
    applyLanguage('en');
    show('start');
    window.scrollTo(0, 0);
  }
  function touch() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { if (state.screen !== 'start') { restart(); } }, cfg.idle_seconds * 1000);
  }

  // ---- wiring ---------------------------------------------------------
  $$('.lang').forEach(function (b) {
    b.addEventListener('click', function () { applyLanguage(b.getAttribute('data-lang')); state.history = []; state.screen = 'start'; goQuestion(0); });
  });
  $$('.info').forEach(function (b) {
    b.addEventListener('click', function () {
      $('#info-title').textContent = b.textContent;
      var kind = b.getAttribute('data-info'), txt = cfg.info[kind] || '{}';
      var m = {}; try { m = JSON.parse(txt); } catch (e) { m = { en: txt }; }
      var box = $('#info-text');
      box.textContent = '';
      var p = document.createElement('p'), code = m[state.lang] ? state.lang : 'en';
      p.lang = (langs[code] || langs.en).tag || code; p.dir = (langs[code] || langs.en).dir;
      p.textContent = m[code] || '';
      if (p.textContent) { box.appendChild(p); }
      // language help adds the Section 1557 taglines, each in its language
      $('#taglines').hidden = kind !== 'language';
      show('info');
    });
  });
  $('[data-close]').addEventListener('click', function () { show('start'); });
  $$('.question').forEach(function (screen) {
    var q = question(screen.getAttribute('data-question'));
    $$('[data-value]', screen).forEach(function (b) {
      b.addEventListener('click', function () { answer(q, b.getAttribute('data-value')); markSelected(screen, state.answers[q.key]); setTimeout(next, 180); });
    });
    var form = $('[data-text-form]', screen);
    if (form) {
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var v = $('textarea', form).value.trim();
        if (v) { state.answers[q.key] = v; } else { delete state.answers[q.key]; }
        if (q.required && !v) { $('[data-error]', screen).textContent = t('required'); return; }
        next();
      });
    }
    var skip = $('[data-skip]', screen);
    if (skip) { skip.addEventListener('click', function () { delete state.answers[q.key]; next(); }); }
  });
  $$('[data-back]').forEach(function (b) { b.addEventListener('click', back); });
  $$('[data-contact]').forEach(function (b) {
    b.addEventListener('click', function () {
      if (b.getAttribute('data-contact') === 'yes') { go('contact'); return; }
      finish(null);
    });
  });
  $('#contact-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var f = e.target, c = { name: f.name.value.trim(), phone: f.phone.value.trim(), email: f.email.value.trim(), message: f.message.value.trim() };
    if (!c.phone && !c.email) { $('[data-error]', f).textContent = t('contact_need'); f.phone.focus(); return; }
    finish(c);
  });
  $('[data-restart]').addEventListener('click', restart);
  function finish(contact) {
    enqueue(buildSubmission(contact));
    state.answers = {};
    $$('form').forEach(function (f) { f.reset(); });
    go('thanks');
    thanksTimer = setTimeout(restart, 10000);
  }

  ['pointerdown', 'keydown', 'input', 'touchstart'].forEach(function (ev) { document.addEventListener(ev, touch, { passive: true }); });
  window.addEventListener('online', function () { backoff = 2000; clearTimeout(flushTimer); flush(); });
  function heartbeat() {
    fetch('/api/kiosk/heartbeat', { method: 'POST', headers: { 'Authorization': 'Bearer ' + token } }).catch(function () {});
  }
  setInterval(heartbeat, 60000);
  setInterval(flush, 30000);
  heartbeat();
  restart();
  touch();
  flush();
  window.pvKiosk = { flush: flush, queue: queue, restart: restart, state: function () { return state; } };
}());
