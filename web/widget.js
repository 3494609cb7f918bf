/*
 * kavosh embeddable search box.
 *
 *   <div id="site-search"></div>
 *   <script src="https://SEARCH-HOST/widget.js" data-target="#site-search" async></script>
 *
 * Optional attributes on the script tag:
 *   data-target       CSS selector of the element to fill (default: a new element right after the script)
 *   data-placeholder  text shown in the empty box
 *   data-limit        how many suggestions to ask for (default 6)
 *
 * The API base is taken from the script's own src, so the box talks to the kavosh that served it and its
 * suggestions link to that server's result page (/?q=...). A page on another origin needs that origin in the
 * server's KAVOSH_CORS_ORIGINS. Everything from the server is inserted as text, except the suggestion titles'
 * `title_html`, which the API has already HTML-escaped (only <mark> is markup).
 * Also usable from code: KavoshWidget.mount(element, { base: "https://SEARCH-HOST/" }).
 * A document chosen among the suggestions is reported to the server's POST /insights/click (the text typed,
 * the document's id and its position; the server keeps only counts per query and day).
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    script = all[all.length - 1] || null;
  }

  var KIND_LABELS = { agreement: 'تفاهم‌نامه', news: 'خبر' };
  var FA = '۰۱۲۳۴۵۶۷۸۹';
  function fa(s) { return String(s).replace(/[0-9]/g, function (d) { return FA[+d]; }); }

  function baseFrom(src) {
    try { return new URL('.', new URL(src, document.baseURI)).href; } catch (e) { return '/'; }
  }

  var CSS_TEXT = [
    ':host { all: initial; display: block; direction: rtl; font-family: "KavoshVazirmatn", "Vazirmatn", Tahoma, system-ui, sans-serif;',
    '  font-size: 1rem; line-height: 1.6; color: #1d2327; }',
    '* { box-sizing: border-box; }',
    'form { display: flex; gap: 0.375rem; }',
    '.combo { position: relative; flex: 1 1 auto; min-width: 0; }',
    'input { width: 100%; font: inherit; padding: 0.5rem 0.75rem; border: 0.0625rem solid #b9c1c7; border-radius: 0.5rem;',
    '  background: #fff; color: inherit; }',
    'input:focus-visible, button:focus-visible, a:focus-visible { outline: 0.1875rem solid #1a73e8; outline-offset: 0.0625rem; }',
    'button { font: inherit; font-weight: 700; padding: 0.375rem 1rem; border: 0; border-radius: 0.5rem; background: #0c6b58;',
    '  color: #fff; cursor: pointer; }',
    'ul { position: absolute; top: calc(100% + 0.25rem); inset-inline: 0; z-index: 2147483000; margin: 0; padding: 0.25rem 0;',
    '  list-style: none; background: #fff; border: 0.0625rem solid #dfe3e6; border-radius: 0.5rem;',
    '  box-shadow: 0 0.5rem 1.5rem rgba(0,0,0,.18); max-height: 22rem; overflow-y: auto; }',
    'ul[hidden] { display: none; }',
    'li a { display: flex; gap: 0.75rem; align-items: baseline; padding: 0.375rem 0.75rem; color: inherit; text-decoration: none; }',
    'li .t { flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }',
    'li .m { flex: 0 0 auto; font-size: 0.8rem; color: #5a656d; }',
    'li[aria-selected="true"] a, li a:hover { background: #e4f2ee; }',
    'mark { background: #ffe58a; color: inherit; }',
    '.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }'
  ].join('\n');

  var fontDone = {};
  function ensureFont(base) {
    // @font-face inside a shadow root is ignored, so the face is declared once on the host document.
    if (fontDone[base]) return;
    fontDone[base] = true;
    var st = document.createElement('style');
    st.setAttribute('data-kavosh-widget', '');
    st.textContent =
      '@font-face{font-family:"KavoshVazirmatn";src:url("' + base + 'fonts/Vazirmatn-Regular.woff2") format("woff2");font-weight:400;font-display:swap}' +
      '@font-face{font-family:"KavoshVazirmatn";src:url("' + base + 'fonts/Vazirmatn-Bold.woff2") format("woff2");font-weight:700;font-display:swap}';
    (document.head || document.documentElement).appendChild(st);
  }

  var counter = 0;

  function mount(target, opts) {
    opts = opts || {};
    var base = opts.base || '/';
    if (!/\/$/.test(base)) base += '/';
    var limit = Math.max(1, Math.min(20, parseInt(opts.limit, 10) || 6));
    var uid = 'kavosh-w' + (++counter);
    ensureFont(base);

    var host = document.createElement('div');
    host.className = 'kavosh-widget';
    host.setAttribute('lang', 'fa');
    host.setAttribute('dir', 'rtl');
    var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    var style = document.createElement('style');
    style.textContent = CSS_TEXT;
    root.appendChild(style);

    var form = document.createElement('form');
    form.setAttribute('role', 'search');
    form.action = base;
    form.method = 'get';
    var label = document.createElement('label');
    label.className = 'sr';
    label.htmlFor = uid + '-q';
    label.textContent = 'جستجو در سایت';
    var combo = document.createElement('div');
    combo.className = 'combo';
    var input = document.createElement('input');
    input.type = 'search';
    input.name = 'q';
    input.id = uid + '-q';
    input.autocomplete = 'off';
    input.setAttribute('dir', 'auto');
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', uid + '-list');
    input.placeholder = opts.placeholder || 'جستجو…';
    var list = document.createElement('ul');
    list.id = uid + '-list';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'پیشنهادها');
    list.hidden = true;
    var button = document.createElement('button');
    button.type = 'submit';
    button.textContent = 'جستجو';
    combo.appendChild(input);
    combo.appendChild(list);
    form.appendChild(label);
    form.appendChild(combo);
    form.appendChild(button);
    root.appendChild(form);
    target.appendChild(host);

    var timer = null, seq = 0, ctrl = null, items = [], active = -1;

    function resultUrl(q) { return base + '?q=' + encodeURIComponent(q); }

    function close() {
      list.hidden = true;
      while (list.firstChild) list.removeChild(list.firstChild);
      items = [];
      active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }
    function setActive(i) {
      if (active >= 0 && items[active]) items[active].setAttribute('aria-selected', 'false');
      active = i;
      if (i < 0 || !items[i]) { input.removeAttribute('aria-activedescendant'); return; }
      items[i].setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', items[i].id);
      if (items[i].scrollIntoView) items[i].scrollIntoView({ block: 'nearest' });
    }
    function option(q, textNode, meta, hit) {
      var li = document.createElement('li');
      if (hit) { li.dataset.id = hit.id; li.dataset.position = String(hit.position); }
      li.id = uid + '-o' + items.length;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      var a = document.createElement('a');
      a.href = resultUrl(q);
      a.tabIndex = -1;
      var t = document.createElement('span');
      t.className = 't';
      t.appendChild(textNode);
      a.appendChild(t);
      if (meta) {
        var m = document.createElement('span');
        m.className = 'm';
        m.textContent = meta;
        a.appendChild(m);
      }
      li.appendChild(a);
      list.appendChild(li);
      items.push(li);
    }
    function render(data) {
      close();
      var seen = {};
      (Array.isArray(data.completions) ? data.completions : []).forEach(function (c) {
        var text = typeof c === 'string' ? c : c && c.text;
        if (!text || seen[text]) return;
        seen[text] = true;
        option(text, document.createTextNode(text), c && c.count != null ? fa(c.count) : '');
      });
      (Array.isArray(data.hits) ? data.hits : []).forEach(function (h, i) {
        if (!h || !(h.title || h.title_html)) return;
        var span = document.createElement('span');
        if (h.title_html) span.innerHTML = h.title_html;   // server-escaped, <mark> only
        else span.textContent = h.title;
        var title = h.title || span.textContent;
        option(title, span, KIND_LABELS[h.kind] || '', { id: h.id, position: i + 1 });
      });
      if (!items.length) return;
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
    function fetchSuggest(v) {
      var my = ++seq;
      if (ctrl) ctrl.abort();
      ctrl = typeof AbortController === 'function' ? new AbortController() : null;
      fetch(base + 'suggest?q=' + encodeURIComponent(v) + '&limit=' + limit,
        { headers: { Accept: 'application/json' }, signal: ctrl ? ctrl.signal : undefined })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
        .then(function (d) { if (my === seq && input.value === v) render(d || {}); })
        .catch(function () { if (my === seq) close(); });
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      var v = input.value;
      if (!v.trim()) { seq++; close(); return; }
      timer = setTimeout(function () { fetchSuggest(v); }, 150);
    });
    // A document chosen among the suggestions is a click on a result of the text typed (for the
    // search insights, which keep only counts per query and day).
    function reportChoice(li) {
      if (!li || !li.dataset.id || typeof fetch !== 'function') return;
      fetch(base + 'insights/click', {
        method: 'POST', keepalive: true,
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },   // a simple request: no preflight
        body: JSON.stringify({ query: input.value, id: li.dataset.id, position: Number(li.dataset.position) })
      }).catch(function () {});
    }
    list.addEventListener('click', function (e) {
      reportChoice(e.target.closest && e.target.closest('li[role="option"]'));
    });

    input.addEventListener('keydown', function (e) {
      if (e.isComposing) return;
      var open = !list.hidden && items.length > 0;
      if (e.key === 'ArrowDown' && open) { e.preventDefault(); setActive(active + 1 >= items.length ? 0 : active + 1); }
      else if (e.key === 'ArrowUp' && open) { e.preventDefault(); setActive(active - 1 < 0 ? items.length - 1 : active - 1); }
      else if (e.key === 'Escape' && open) { e.preventDefault(); seq++; close(); }
      else if (e.key === 'Enter' && open && active >= 0) {
        e.preventDefault();
        reportChoice(items[active]);
        window.location.href = items[active].querySelector('a').href;
      }
    });
    input.addEventListener('blur', function () {
      // let a click on a suggestion land first
      setTimeout(function () { if (root.activeElement !== input) { seq++; close(); } }, 150);
    });
    list.addEventListener('mousedown', function (e) { e.preventDefault(); });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var q = input.value.trim();
      window.location.href = q ? resultUrl(q) : base;
    });

    return { input: input, list: list, host: host };
  }

  window.KavoshWidget = window.KavoshWidget || { mount: mount };

  if (script && script.src) {
    var base = baseFrom(script.src);
    var sel = script.getAttribute('data-target');
    var target = null;
    try { target = sel ? document.querySelector(sel) : null; } catch (e) { target = null; }
    var opts = { base: base, placeholder: script.getAttribute('data-placeholder'), limit: script.getAttribute('data-limit') };
    var go = function () {
      var t = target || (sel ? document.querySelector(sel) : null);
      if (!t) {
        t = document.createElement('div');
        if (script.parentNode) script.parentNode.insertBefore(t, script.nextSibling);
        else document.body.appendChild(t);
      }
      mount(t, opts);
    };
    if (!target && sel && document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go);
    else go();
  }
})();
