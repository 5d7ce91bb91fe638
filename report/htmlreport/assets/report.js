// Filters and lazily shown details. The state lives in the URL's fragment
// (#outcome=regression,drift&tag=launch-controller) so that a filtered view
// can be shared; a fragment without "=" is an anchor to a call.
(function () {
  'use strict';
  var keys = ['outcome', 'flow', 'op', 'tag'];
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-outcome]'));
  var rows = items.filter(function (el) { return el.tagName === 'TR'; });
  var form = document.getElementById('filters');
  var shown = document.getElementById('shown');
  var lazy = {};
  try { lazy = JSON.parse(document.getElementById('lazy').textContent) || {}; } catch (e) { lazy = {}; }

  function parse(hash) {
    var h = hash.replace(/^#/, '');
    if (h.indexOf('=') < 0) { return null; }
    var f = {};
    h.split('&').forEach(function (part) {
      var i = part.indexOf('=');
      if (i < 0) { return; }
      var k = decodeURIComponent(part.slice(0, i));
      var v = decodeURIComponent(part.slice(i + 1));
      if (keys.indexOf(k) >= 0 && v !== '') { f[k] = v.split(','); }
    });
    return f;
  }

  function fragment(f) {
    return keys.filter(function (k) { return f[k]; }).map(function (k) {
      return k + '=' + f[k].map(encodeURIComponent).join(',');
    }).join('&');
  }

  // A call's flow is its table's: rows do not repeat it, to keep a large
  // report small.
  function attr(el, k) {
    var holder = el.closest('[data-' + k + ']');
    return holder ? holder.getAttribute('data-' + k) : '';
  }

  function apply(f) {
    var n = 0;
    items.forEach(function (el) {
      var ok = keys.every(function (k) {
        return !f[k] || f[k].indexOf(attr(el, k)) >= 0;
      });
      el.hidden = !ok;
      var extra = el.nextElementSibling;
      if (extra && extra.classList.contains('lazy')) { extra.hidden = !ok; }
      if (ok && el.tagName === 'TR') { n++; }
    });
    document.querySelectorAll('section.flow').forEach(function (s) {
      s.hidden = !s.querySelector('tr[data-outcome]:not([hidden])');
    });
    shown.textContent = n + ' of ' + rows.length + ' calls shown';
    document.body.setAttribute('data-shown', String(n));
    sync(f);
  }

  function sync(f) {
    form.querySelectorAll('fieldset[data-key] input').forEach(function (box) {
      var k = box.closest('fieldset').getAttribute('data-key');
      box.checked = !f[k] || f[k].indexOf(box.value) >= 0;
    });
    form.querySelectorAll('select[data-key]').forEach(function (sel) {
      var v = f[sel.getAttribute('data-key')];
      sel.value = v && v.length === 1 ? v[0] : '';
    });
  }

  function fromForm() {
    var f = {};
    form.querySelectorAll('fieldset[data-key]').forEach(function (fs) {
      var boxes = Array.prototype.slice.call(fs.querySelectorAll('input'));
      var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      if (on.length < boxes.length) { f[fs.getAttribute('data-key')] = on.length ? on : ['(none)']; }
    });
    form.querySelectorAll('select[data-key]').forEach(function (sel) {
      if (sel.value) { f[sel.getAttribute('data-key')] = [sel.value]; }
    });
    return f;
  }

  var current = {};
  function onHash() {
    var f = parse(location.hash);
    if (f === null) {
      // An anchor: keep the filters unless they hide what it points at.
      var id = decodeURIComponent(location.hash.slice(1));
      var target = id && document.getElementById(id);
      if (target && target.closest('[hidden]')) { current = {}; apply(current); target.scrollIntoView(); }
      return;
    }
    current = f;
    apply(current);
  }

  form.hidden = false;
  form.addEventListener('change', function () {
    current = fromForm();
    history.replaceState(null, '', '#' + fragment(current));
    apply(current);
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  window.addEventListener('hashchange', onHash);

  // Passing calls carry their details in the JSON block; a row gets them
  // only when opened, so a large report stays light.
  rows.forEach(function (row) {
    if (!lazy[row.id]) { return; }
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'more';
    b.textContent = 'details';
    row.lastElementChild.appendChild(b);
    b.addEventListener('click', function () {
      var next = row.nextElementSibling;
      if (next && next.classList.contains('lazy')) { next.remove(); b.textContent = 'details'; return; }
      var tr = document.createElement('tr');
      tr.className = 'lazy';
      var td = document.createElement('td');
      td.colSpan = row.children.length;
      var pre = document.createElement('pre');
      pre.textContent = lazy[row.id].join('\n');
      td.appendChild(pre);
      tr.appendChild(td);
      row.after(tr);
      b.textContent = 'hide';
    });
  });

  apply(current);
  onHash();
}());
