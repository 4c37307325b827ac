// Live preview of a survey definition as the admin types it.
(function () {
  'use strict';
  var ta = document.getElementById('definition'), out = document.getElementById('preview');
  var err = document.getElementById('preview-error'), langSel = document.getElementById('preview-lang');
  if (!ta) { return; }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) { e.textContent = text; } if (cls) { e.className = cls; } return e; }
  function render() {
    var def;
    try { def = JSON.parse(ta.value); err.textContent = ''; } catch (e) { err.textContent = 'Not valid JSON yet: ' + e.message; return; }
    var lang = langSel.value;
    out.textContent = '';
    out.dir = langSel.selectedOptions[0].getAttribute('data-dir') || 'ltr';
    (def.questions || []).forEach(function (q) {
      var li = el('li');
      var prompt = (q.prompt && (q.prompt[lang] || q.prompt.en)) || '(no prompt)';
      if (q.prompt && !q.prompt[lang]) { li.appendChild(el('span', '[' + lang + ' missing] ', 'late small')); }
      li.appendChild(el('strong', prompt + (q.required ? '' : ' (optional)')));
      var box = el('div', undefined, 'buttons');
      var labels = [];
      if (q.kind === 'rating5') { labels = ['1', '2', '3', '4', '5']; }
      if (q.kind === 'nps') { for (var i = 0; i <= 10; i++) { labels.push(String(i)); } }
      if (q.kind === 'yesno') { labels = ['Yes', 'No']; }
      if (q.kind === 'choice') { labels = (q.options || []).map(function (o) { return (o.label && (o.label[lang] || o.label.en)) || o.value; }); }
      labels.forEach(function (l) { box.appendChild(el('span', l, 'tag')); });
      if (q.kind === 'text') { box.appendChild(el('span', 'free text, up to 2000 characters', 'muted small')); }
      li.appendChild(box);
      if (q.show_if) { li.appendChild(el('p', 'Shown when ' + q.show_if.question + ' is ' + (q.show_if.values || []).join(' or '), 'muted small')); }
      out.appendChild(li);
    });
  }
  ta.addEventListener('input', render);
  langSel.addEventListener('change', render);
  render();
}());
