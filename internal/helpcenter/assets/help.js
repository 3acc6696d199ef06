// The help center's progressive script. The pages work without it; with it,
// the search box suggests articles as you type, and "Chat with us" opens the
// business's chat in place, carrying this visit's trail.
(function () {
  'use strict';
  var body = document.body;
  var prefix = body.dataset.prefix || '';
  var lang = body.dataset.lang || '';
  var box = document.getElementById('q');
  var list = document.getElementById('suggest');
  var timer = 0, seq = 0;

  function hide() { list.hidden = true; list.replaceChildren(); box.setAttribute('aria-expanded', 'false'); }
  function show(items) {
    list.replaceChildren.apply(list, items.map(function (h, i) {
      var li = document.createElement('li');
      li.setAttribute('role', 'none');
      var a = document.createElement('a');
      a.href = prefix + '/a/' + encodeURIComponent(h.slug);
      a.id = 'suggest-' + i;
      a.setAttribute('role', 'option');
      a.textContent = h.title;
      li.append(a);
      return li;
    }));
    list.hidden = items.length === 0;
    box.setAttribute('aria-expanded', String(items.length > 0));
  }
  function search() {
    var q = box.value.trim();
    if (q.length < 2) return hide();
    var mine = ++seq;
    fetch(prefix + '/search.json?q=' + encodeURIComponent(q) + '&lang=' + encodeURIComponent(lang), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (res) { if (mine === seq) show(res.items || []); })
      .catch(function () { /* the search button still works */ });
  }
  if (box && list) {
    box.setAttribute('role', 'combobox');
    box.setAttribute('aria-autocomplete', 'list');
    box.setAttribute('aria-expanded', 'false');
    box.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    box.addEventListener('keydown', function (e) {
      var opts = Array.prototype.slice.call(list.querySelectorAll('a'));
      var at = opts.indexOf(document.activeElement);
      if (e.key === 'ArrowDown' && opts.length) { e.preventDefault(); opts[Math.min(at + 1, opts.length - 1)].focus(); }
      if (e.key === 'Escape') hide();
    });
    list.addEventListener('keydown', function (e) {
      var opts = Array.prototype.slice.call(list.querySelectorAll('a'));
      var at = opts.indexOf(document.activeElement);
      if (e.key === 'ArrowDown') { e.preventDefault(); if (at + 1 < opts.length) opts[at + 1].focus(); }
      if (e.key === 'ArrowUp') { e.preventDefault(); (at > 0 ? opts[at - 1] : box).focus(); }
      if (e.key === 'Escape') { hide(); box.focus(); }
    });
    document.addEventListener('click', function (e) { if (!list.contains(e.target) && e.target !== box) hide(); });
  }

  // "Chat with us": the business's widget, loaded on demand with this
  // visit's help session, so the agent sees what was searched and read.
  var key = body.dataset.widget;
  var loaded = false;
  function openChat(e) {
    if (!key) return; // no chat: the link leads to the email form
    e.preventDefault();
    if (!loaded) {
      loaded = true;
      var s = document.createElement('script');
      s.src = '/widget/widget.js';
      s.async = true;
      s.dataset.switchboardWidget = key;
      s.dataset.helpSession = body.dataset.session || '';
      document.head.append(s);
      s.addEventListener('load', function () { window.Switchboard && window.Switchboard.open(); });
    } else if (window.Switchboard) window.Switchboard.open();
  }
  document.querySelectorAll('[data-chat]').forEach(function (el) {
    if (key) el.hidden = false;
    el.addEventListener('click', openChat);
  });
})();
