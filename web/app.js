// kavosh search page: search-as-you-type, results, facets, pagination; state lives in the URL.
// At /analytics the same page shows the dashboard instead of the hits (analytics.js, loaded only
// there, draws it with the same query and filters). Plain JS, no build step. Only the API's
// highlight fields (already HTML-escaped, with <mark>) are inserted as HTML; everything else goes
// in as text.
'use strict';

(function () {
  var KIND_LABELS = { agreement: 'تفاهم‌نامه', news: 'خبر' };
  var SORTS = ['relevance', 'newest', 'oldest'];
  var MONTHS = ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور',
    'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'];
  var LIST_PARAMS = ['kind', 'partner', 'domain', 'year'];
  var FILTER_PARAMS = LIST_PARAMS.concat(['from', 'to']);
  var MAX_HITS = 10000;            // the API refuses pages beyond the 10,000th hit
  var SUGGEST_DELAY = 150;         // ms
  var SUGGEST_LIMIT = 8;
  var PARTNERS_SHOWN = 8;          // partners listed before "show all"
  var VIEW = /^\/analytics\/?$/.test(location.pathname) ? 'analytics' : 'search';
  var DASHBOARD_PARAMS = ['tab', 'split', 'month_year', 'insights_from', 'insights_to'];

  // ---------- small helpers ----------
  var FA_DIGITS = '۰۱۲۳۴۵۶۷۸۹';
  function faDigits(s) {
    return String(s).replace(/[0-9]/g, function (d) { return FA_DIGITS[+d]; });
  }
  function latinDigits(s) {
    return String(s)
      .replace(/[\u06F0-\u06F9]/g, function (c) { return String(c.charCodeAt(0) - 0x06F0); })
      .replace(/[\u0660-\u0669]/g, function (c) { return String(c.charCodeAt(0) - 0x0660); });
  }
  function faNumber(n) {
    var x = Number(n);
    if (!isFinite(x)) return faDigits(n);
    var neg = x < 0;
    var parts = String(Math.abs(x)).split('.');
    var int = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, '٬');
    return (neg ? '−' : '') + faDigits(int + (parts[1] ? '٫' + parts[1] : ''));
  }
  function faMs(ms) {
    var x = Number(ms);
    if (!isFinite(x)) return '';
    return faNumber(x < 10 ? Math.round(x * 10) / 10 : Math.round(x));
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] == null || attrs[k] === false) continue;
        if (k === 'className') e.className = attrs[k];
        else e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
      }
    }
    if (text != null) e.textContent = text;
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function uniq(a) { return a.filter(function (v, i) { return v && a.indexOf(v) === i; }); }
  function kindLabel(k) { return KIND_LABELS[k] || k; }

  // "1404/09/25" -> "۲۵ آذر ۱۴۰۴"
  function jalaliText(dj) {
    if (!dj) return '';
    var m = /^(\d{3,4})[\/\-.](\d{1,2})[\/\-.](\d{1,2})/.exec(latinDigits(dj).trim());
    if (!m) return faDigits(dj);
    var mo = parseInt(m[2], 10);
    if (mo < 1 || mo > 12) return faDigits(dj);
    return faDigits(parseInt(m[3], 10)) + ' ' + MONTHS[mo - 1] + ' ' + faDigits(m[1]);
  }

  // A date typed in the range box: Jalali (1403/5/12) or ISO (2024-08-02), Persian or Latin digits.
  // Returns the normalized value, '' for empty, or null when it is not a date.
  function normalizeDate(raw) {
    var s = latinDigits(raw || '').trim().replace(/\s+/g, '');
    if (!s) return '';
    var m = /^(\d{4})[\/\-.](\d{1,2})[\/\-.](\d{1,2})$/.exec(s);
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    if (mo < 1 || mo > 12 || d < 1) return null;
    function pad(n) { return n < 10 ? '0' + n : String(n); }
    if (y >= 1200 && y <= 1700) {                       // Jalali
      var maxDay = mo <= 6 ? 31 : 30;
      if (d > maxDay) return null;
      return y + '/' + pad(mo) + '/' + pad(d);
    }
    if (y >= 1800 && y <= 2200) {                       // Gregorian (ISO day)
      var dt = new Date(Date.UTC(y, mo - 1, d));
      if (dt.getUTCMonth() !== mo - 1) return null;
      return y + '-' + pad(mo) + '-' + pad(d);
    }
    return null;
  }

  // ---------- state <-> URL ----------
  function readState(search) {
    var p = new URLSearchParams(search);
    var st = { q: (p.get('q') || '').trim() };
    LIST_PARAMS.forEach(function (k) { st[k] = uniq(p.getAll(k).map(function (v) { return v.trim(); })); });
    st.year = st.year.map(latinDigits);
    st.from = p.get('from') || '';
    st.to = p.get('to') || '';
    st.sort = SORTS.indexOf(p.get('sort')) >= 0 ? p.get('sort') : 'relevance';
    var page = parseInt(latinDigits(p.get('page') || '1'), 10);
    st.page = page >= 1 ? page : 1;
    var pp = parseInt(latinDigits(p.get('per_page') || ''), 10);
    st.per_page = pp >= 1 ? pp : null;
    st.typos = p.get('typos') || null;          // passed through for researchers' links
    st.match = p.get('match') || null;
    st.rewrite = p.get('rewrite') === 'false' ? 'false' : null;   // search exactly as typed
    st.analytics = p.get('analytics') === 'false' ? 'false' : null;   // not counted in the insights
    st.view = {};                               // the dashboard's own settings
    DASHBOARD_PARAMS.forEach(function (k) { if (p.get(k)) st.view[k] = p.get(k); });
    return st;
  }
  function copyState(st) {
    var c = {};
    for (var k in st) c[k] = Array.isArray(st[k]) ? st[k].slice() : st[k];
    c.view = Object.assign({}, st.view);
    return c;
  }
  function stateToParams(st) {
    var p = new URLSearchParams();
    if (st.q) p.set('q', st.q);
    LIST_PARAMS.forEach(function (k) { st[k].forEach(function (v) { p.append(k, v); }); });
    if (st.from) p.set('from', st.from);
    if (st.to) p.set('to', st.to);
    if (st.sort && st.sort !== 'relevance') p.set('sort', st.sort);
    if (st.page > 1) p.set('page', String(st.page));
    if (st.per_page) p.set('per_page', String(st.per_page));
    if (st.typos) p.set('typos', st.typos);
    if (st.match) p.set('match', st.match);
    if (st.rewrite) p.set('rewrite', st.rewrite);
    if (st.analytics) p.set('analytics', st.analytics);
    DASHBOARD_PARAMS.forEach(function (k) { if (st.view && st.view[k]) p.set(k, st.view[k]); });
    return p;
  }
  function stateUrl(st, view) {
    var p = stateToParams(st);
    if ((view || VIEW) !== 'analytics') DASHBOARD_PARAMS.forEach(function (k) { p.delete(k); });
    var s = p.toString();
    return ((view || VIEW) === 'analytics' ? '/analytics' : '/') + (s ? '?' + s : '');
  }
  function apiParams(st) {
    var p = stateToParams(st);
    DASHBOARD_PARAMS.forEach(function (k) { p.delete(k); });
    // Ticking every kind is the same as ticking none.
    var kinds = Object.keys(KIND_LABELS);
    if (st.kind.length >= kinds.length && kinds.every(function (k) { return st.kind.indexOf(k) >= 0; })) {
      p.delete('kind');
    }
    return p;
  }
  function hasFilters(st) {
    return FILTER_PARAMS.some(function (k) { return Array.isArray(st[k]) ? st[k].length > 0 : !!st[k]; });
  }

  // ---------- DOM ----------
  var $ = function (id) { return document.getElementById(id); };
  var form = $('search-form'), input = $('q'), list = $('suggest-list');
  var statusEl = $('status'), notices = $('notices'), hitsEl = $('hits'), message = $('message');
  var pager = $('pager'), sortSel = $('sort'), resultsEl = $('results');
  var dateForm = $('date-form'), dateFrom = $('date-from'), dateTo = $('date-to'), dateError = $('date-error');
  var filtersPanel = $('filters-panel'), clearFiltersBtn = $('clear-filters');

  var state = readState(location.search);
  var searchSeq = 0, searchCtrl = null;
  var partnersExpanded = false;
  var lastReply = null;
  var lastCountedQ = null;

  // ---------- taxonomy (domain labels and tree) ----------
  var taxonomy = new Map();   // id -> {label, parent}
  var taxonomyReady = fetch('/taxonomy', { headers: { Accept: 'application/json' } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      var ds = data && Array.isArray(data.domains) ? data.domains : [];
      ds.forEach(function (d) { if (d && d.id) taxonomy.set(d.id, { label: d.label || d.id, parent: d.parent || null }); });
    })
    .catch(function () { /* labels fall back to the facet's own labels or the ids */ });

  function domainLabel(id, fallback) {
    var t = taxonomy.get(id);
    return (t && t.label) || fallback || id;
  }
  function domainParent(id) {
    var t = taxonomy.get(id);
    if (t) return t.parent || null;
    var i = id.lastIndexOf('/');
    return i > 0 ? id.slice(0, i) : null;
  }

  // ---------- navigation ----------
  function navigate(st, opts) {
    var url = stateUrl(st);
    var cur = location.pathname + location.search;
    if (opts && opts.replace) history.replaceState(null, '', url);
    else if (url !== cur) history.pushState(null, '', url);
    state = st;
    syncForm();
    run();
  }
  window.addEventListener('popstate', function () {
    state = readState(location.search);
    syncForm();
    run();
  });

  function syncForm() {
    if (input.value.trim() !== state.q) input.value = state.q;
    sortSel.value = state.sort;
    dateFrom.value = state.from ? faDigits(state.from) : '';
    dateTo.value = state.to ? faDigits(state.to) : '';
    setDateError('');
    clearFiltersBtn.hidden = !hasFilters(state);
    document.title = (state.q ? state.q + ' — ' : '') +
      (VIEW === 'analytics' ? 'کاوش — آمار تفاهم‌نامه‌ها و اخبار پارک' : 'کاوش — جستجو در تفاهم‌نامه‌ها و اخبار پارک');
    syncViewLinks();
  }

  // ---------- search ----------
  // A reply's JSON, or an error carrying the API's message.
  function readReply(r) {
    return r.text().then(function (body) {
      var data = null;
      try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
      if (!r.ok || !data || data.error) {
        var msg = data && data.error && data.error.message;
        var err = new Error(msg || ('HTTP ' + r.status));
        err.status = r.status;
        err.apiMessage = msg || '';
        throw err;
      }
      return data;
    });
  }

  function run() {
    closeList();
    var dash = VIEW === 'analytics';
    if (!dash && !state.q && !hasFilters(state)) { showEmpty(); return; }
    var seq = ++searchSeq;
    if (searchCtrl) searchCtrl.abort();
    searchCtrl = typeof AbortController === 'function' ? new AbortController() : null;
    resultsEl.setAttribute('aria-busy', 'true');
    statusEl.textContent = dash ? 'در حال شمارش…' : 'در حال جستجو…';
    var params = apiParams(state);
    if (dash) {
      // The dashboard needs the total and the facets only.
      ['sort', 'page'].forEach(function (k) { params.delete(k); });
      params.set('per_page', '1');
    }
    // A query counts in the search insights once: not again for its filters, sorts and pages,
    // nor on the dashboard.
    if (!dash && state.q && state.q !== lastCountedQ) lastCountedQ = state.q;
    else params.set('analytics', 'false');
    var url = '/search?' + params.toString();
    var reply;
    fetch(url, { headers: { Accept: 'application/json' }, signal: searchCtrl ? searchCtrl.signal : undefined })
      .then(readReply)
      .then(function (data) { reply = data; return dash ? Promise.all([taxonomyReady, loadDashboard()]) : taxonomyReady; })
      .then(function (loaded) {
        if (seq !== searchSeq) return;
        resultsEl.removeAttribute('aria-busy');
        if (dash) renderDashboard(reply, loaded[1]);
        else render(reply);
      })
      .catch(function (err) {
        if (seq !== searchSeq || (err && err.name === 'AbortError')) return;
        resultsEl.removeAttribute('aria-busy');
        showError(err);
      });
  }

  function showEmpty() {
    searchSeq++;
    if (searchCtrl) searchCtrl.abort();
    resultsEl.removeAttribute('aria-busy');
    lastReply = null;
    statusEl.textContent = '';
    delete statusEl.dataset.total;
    clear(notices); clear(hitsEl); clear(pager); pager.hidden = true;
    resultsEl.dataset.state = 'empty';
    clear(message);
    message.appendChild(el('p', { className: 'message-title' }, 'عبارتی برای جستجو بنویسید.'));
    message.appendChild(el('p', null,
      'همهٔ واژه‌ها جستجو می‌شوند؛ برای عبارت دقیق از «گیومه» یا "نقل‌قول"، برای حذف یک واژه از -واژه و برای «یا» از OR استفاده کنید.'));
    message.hidden = false;
    renderFacets(null);
  }

  function showError(err) {
    lastReply = null;
    dashboardEl.hidden = true;
    resultsEl.dataset.state = 'error';
    statusEl.textContent = 'خطا در جستجو';
    delete statusEl.dataset.total;
    clear(notices); clear(hitsEl); clear(pager); pager.hidden = true;
    clear(message);
    var box = el('div', { className: 'error-box', role: 'alert' });
    box.appendChild(el('p', { className: 'message-title' },
      err && err.status ? 'جستجو انجام نشد.' : 'ارتباط با سرور جستجو برقرار نشد.'));
    if (err && err.apiMessage) box.appendChild(el('p', { className: 'error-detail' }, err.apiMessage));
    box.appendChild(el('p', null, 'لحظه‌ای دیگر دوباره تلاش کنید یا عبارت جستجو را کوتاه‌تر کنید.'));
    var retry = el('button', { type: 'button' }, 'تلاش دوباره');
    retry.addEventListener('click', run);
    box.appendChild(retry);
    message.appendChild(box);
    message.hidden = false;
  }

  function render(data) {
    lastReply = data;
    var total = Number(data.total) || 0;
    var perPage = Number(data.per_page) || state.per_page || 10;
    var page = Number(data.page) || state.page;
    var hits = Array.isArray(data.hits) ? data.hits : [];
    resultsEl.dataset.state = hits.length ? 'results' : 'none';

    // status line
    var s = faNumber(total) + ' نتیجه';
    if (state.q) s += ' برای «' + state.q + '»';
    var pages = pageCount(total, perPage);
    if (pages > 1) s += ' — صفحهٔ ' + faNumber(page) + ' از ' + faNumber(pages);
    if (data.took_ms != null) s += ' (' + faMs(data.took_ms) + ' میلی‌ثانیه)';
    statusEl.textContent = s;
    statusEl.dataset.total = String(total);

    renderNotices(data);

    clear(hitsEl);
    clear(message);
    message.hidden = true;
    if (!hits.length) {
      showNoResults(total, page);
    } else {
      var start = (page - 1) * perPage;
      hits.forEach(function (h, i) { hitsEl.appendChild(renderHit(h, start + i + 1)); });
    }
    renderPager(total, perPage, page);
    renderFacets(data.facets || {});
  }

  function pageCount(total, perPage) {
    var n = Math.ceil(total / perPage);
    var max = Math.max(1, Math.floor(MAX_HITS / perPage));
    return Math.min(n, max);
  }

  function renderNotices(data) {
    clear(notices);
    renderRewritten(data.rewritten);
    if (data.did_you_mean && data.did_you_mean !== state.q) {
      var p = el('p', { className: 'notice did-you-mean' }, 'آیا منظورتان ');
      var st = copyState(state);
      st.q = String(data.did_you_mean);
      st.page = 1;
      var a = el('a', { href: stateUrl(st), className: 'did-you-mean-link' }, '«' + st.q + '»');
      a.addEventListener('click', function (e) {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
        e.preventDefault();
        navigate(st);
      });
      p.appendChild(a);
      p.appendChild(document.createTextNode(' بود؟'));
      notices.appendChild(p);
    }
    if (data.relaxed) {
      notices.appendChild(el('p', { className: 'notice relaxed' },
        'سندی با همهٔ واژه‌ها یافت نشد؛ سندهایی که برخی از واژه‌ها را دارند نشان داده می‌شوند.'));
    }
    var warnings = Array.isArray(data.warnings) ? data.warnings : [];
    if (warnings.length) {
      var box = el('div', { className: 'notice warnings' });
      box.appendChild(el('p', null, 'بخشی از عبارت جستجو نادیده گرفته شد:'));
      var ul = el('ul');
      warnings.forEach(function (w) {
        ul.appendChild(el('li', null, typeof w === 'string' ? w : (w && (w.message || w.code)) || String(w)));
      });
      box.appendChild(ul);
      notices.appendChild(box);
    }
  }

  // What was searched instead of the query as typed (wrong keyboard layout, Finglish), with a
  // link that searches exactly what was typed.
  function renderRewritten(r) {
    if (!r || !r.to) return;
    var p = el('p', { className: 'notice rewritten' }, 'نمایش نتایج برای ');
    p.appendChild(el('strong', { className: 'rewritten-to' }, '«' + r.to + '»'));
    p.appendChild(document.createTextNode('؛ '));
    var exact = copyState(state);
    exact.rewrite = 'false';
    exact.page = 1;
    var a = linkTo(exact, 'جستجوی دقیق «' + (r.from || state.q) + '»');
    a.className = 'search-as-typed';
    p.appendChild(a);
    notices.appendChild(p);
  }

  function showNoResults(total, page) {
    var box = el('div', { className: 'no-results' });
    if (total > 0 && page > 1) {
      box.appendChild(el('p', { className: 'message-title' }, 'این صفحه نتیجه‌ای ندارد.'));
      var st1 = copyState(state); st1.page = 1;
      box.appendChild(linkTo(st1, 'رفتن به صفحهٔ نخست'));
    } else {
      box.appendChild(el('p', { className: 'message-title' },
        state.q ? 'نتیجه‌ای برای «' + state.q + '» یافت نشد.' : 'با این فیلترها نتیجه‌ای یافت نشد.'));
      var ul = el('ul', { className: 'tips' });
      ul.appendChild(el('li', null, 'املای واژه‌ها را بررسی کنید یا واژه‌های کمتری بنویسید.'));
      ul.appendChild(el('li', null, 'به جای واژه‌های خاص، واژه‌های کلی‌تر را بیازمایید.'));
      box.appendChild(ul);
      if (hasFilters(state)) {
        var st = copyState(state);
        FILTER_PARAMS.forEach(function (k) { st[k] = Array.isArray(st[k]) ? [] : ''; });
        st.page = 1;
        box.appendChild(linkTo(st, 'جستجو بدون فیلترها'));
      }
    }
    message.appendChild(box);
    message.hidden = false;
  }

  function linkTo(st, text) {
    var a = el('a', { href: stateUrl(st) }, text);
    a.addEventListener('click', function (e) {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
      e.preventDefault();
      navigate(st);
      resultsEl.focus();
    });
    return a;
  }

  function asName(x) {
    if (x == null) return '';
    if (typeof x === 'string') return x;
    return x.name || x.label || x.value || x.id || '';
  }

  function renderHit(h, rank) {
    var id = String(h.id);
    var li = el('li', { className: 'hit', 'data-id': id });
    var art = el('article', { 'aria-labelledby': 'hit-title-' + rank });
    var titleH = el('h3', { className: 'hit-title', id: 'hit-title-' + rank });
    // A crawled document's title leads to its page on the site; others open their text here.
    var page = h.url && /^https?:\/\//i.test(h.url) ? h.url : null;
    var titleA = el('a', { href: page || '/documents/' + encodeURIComponent(id), className: 'hit-link' });
    var hl = h.highlights || {};
    if (hl.title) titleA.innerHTML = hl.title;          // server-escaped, <mark> only
    else titleA.textContent = h.title || id;
    titleH.appendChild(titleA);
    art.appendChild(titleH);

    var meta = el('p', { className: 'hit-meta' });
    meta.appendChild(el('span', { className: 'badge kind-' + (h.kind || 'other') }, kindLabel(h.kind)));
    if (h.date_jalali || h.date) {
      var t = el('time', { datetime: h.date || null }, h.date_jalali ? jalaliText(h.date_jalali) : faDigits(h.date));
      meta.appendChild(t);
    }
    if (h.number) meta.appendChild(el('span', { className: 'number' }, 'شماره ' + faDigits(h.number)));
    art.appendChild(meta);

    var partners = (Array.isArray(h.partners) ? h.partners : []).map(asName).filter(Boolean);
    if (partners.length) {
      var pp = el('p', { className: 'hit-partners' });
      pp.appendChild(el('span', { className: 'field-name' }, 'طرف همکاری: '));
      pp.appendChild(document.createTextNode(partners.join('، ')));
      art.appendChild(pp);
    }

    if (hl.body) {
      var snip = el('p', { className: 'snippet' });
      snip.innerHTML = hl.body;                            // server-escaped, <mark> only
      art.appendChild(snip);
    }

    var domains = (Array.isArray(h.domains) ? h.domains : []);
    if (domains.length) {
      var ul = el('ul', { className: 'chips', 'aria-label': 'حوزه‌ها' });
      domains.forEach(function (d) {
        var did = typeof d === 'string' ? d : (d && d.id) || '';
        var label = typeof d === 'string' ? domainLabel(d) : domainLabel(did, d && d.label);
        if (label) ul.appendChild(el('li', { className: 'chip', 'data-domain': did || null }, label));
      });
      art.appendChild(ul);
    }

    var detailsId = 'doc-' + rank;
    var toggle = el('button', { type: 'button', className: 'link-button more', 'aria-expanded': 'false', 'aria-controls': detailsId },
      'متن کامل');
    var details = el('div', { className: 'doc-body', id: detailsId, hidden: true });
    function toggleDetails() {
      var open = toggle.getAttribute('aria-expanded') === 'true';
      if (open) {
        toggle.setAttribute('aria-expanded', 'false');
        toggle.textContent = 'متن کامل';
        details.hidden = true;
        return;
      }
      toggle.setAttribute('aria-expanded', 'true');
      toggle.textContent = 'بستن متن';
      details.hidden = false;
      reportClick(id, rank);
      if (details.dataset.loaded) return;
      details.textContent = 'در حال بارگیری…';
      fetch('/documents/' + encodeURIComponent(id), { headers: { Accept: 'application/json' } })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
        .then(function (doc) {
          clear(details);
          details.dataset.loaded = '1';
          var body = el('div', { className: 'doc-text' }, doc.body || '');
          details.appendChild(body);
          if (doc.url && /^https?:\/\//i.test(doc.url)) {
            var src = el('p', { className: 'doc-source' });
            src.appendChild(el('a', { href: doc.url, rel: 'noopener noreferrer' }, 'مشاهدهٔ منبع'));
            details.appendChild(src);
          }
        })
        .catch(function () { details.textContent = 'متن سند بارگیری نشد.'; });
    }
    toggle.addEventListener('click', toggleDetails);
    titleA.addEventListener('click', function (e) {
      if (page || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
      e.preventDefault();
      toggleDetails();
    });
    art.appendChild(toggle);
    art.appendChild(details);
    li.appendChild(art);
    return li;
  }

  // ---------- pagination ----------
  function renderPager(total, perPage, page) {
    clear(pager);
    var pages = pageCount(total, perPage);
    if (pages <= 1) { pager.hidden = true; return; }
    pager.hidden = false;
    var ul = el('ul');
    function item(n, text, opts) {
      var li = el('li');
      if (n < 1 || n > pages || (opts && opts.disabled)) {
        li.appendChild(el('span', { className: 'page-link disabled', 'aria-disabled': 'true' }, text));
      } else if (n === page && !(opts && opts.rel)) {
        li.appendChild(el('a', { className: 'page-link current', 'aria-current': 'page', href: urlForPage(n),
          'aria-label': 'صفحهٔ ' + faNumber(n) }, text));
      } else {
        var a = el('a', { className: 'page-link' + (opts && opts.rel ? ' ' + opts.rel : ''), href: urlForPage(n),
          rel: opts && opts.rel || null, 'data-page': String(n),
          'aria-label': (opts && opts.label) || ('صفحهٔ ' + faNumber(n)) }, text);
        li.appendChild(a);
      }
      ul.appendChild(li);
    }
    item(page - 1, 'قبلی', { rel: 'prev', label: 'صفحهٔ قبلی', disabled: page <= 1 });
    var win = 2, shown = {};
    var nums = [1];
    for (var n = page - win; n <= page + win; n++) if (n > 1 && n < pages) nums.push(n);
    nums.push(pages);
    var prev = 0;
    nums.forEach(function (n) {
      if (shown[n]) return;
      shown[n] = true;
      if (n - prev > 1) ul.appendChild(el('li', { className: 'gap', 'aria-hidden': 'true' }, '…'));
      item(n, faNumber(n));
      prev = n;
    });
    item(page + 1, 'بعدی', { rel: 'next', label: 'صفحهٔ بعدی', disabled: page >= pages });
    pager.appendChild(ul);
  }
  function urlForPage(n) {
    var st = copyState(state);
    st.page = n;
    return stateUrl(st);
  }
  pager.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a.page-link');
    if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
    e.preventDefault();
    var st = readState(new URL(a.href, location.href).search);
    navigate(st);
    resultsEl.focus({ preventScroll: true });
    resultsEl.scrollIntoView({ block: 'start' });
  });

  // ---------- facets ----------
  function facetEntries(raw) {
    return (Array.isArray(raw) ? raw : []).map(function (e) {
      if (e == null) return null;
      if (typeof e !== 'object') return { value: String(e), count: null };
      return { value: String(e.value), count: e.count, label: e.label };
    }).filter(function (e) { return e && e.value !== 'undefined' && e.value !== ''; });
  }
  // Keep ticked values visible even when the reply no longer lists them.
  function withSelected(entries, selected) {
    var have = {};
    entries.forEach(function (e) { have[e.value] = true; });
    selected.forEach(function (v) { if (!have[v]) entries.push({ value: v, count: 0 }); });
    return entries;
  }

  function facetItem(facet, entry, label, checked, extra) {
    var li = el('li', { className: 'facet-item', 'data-value': entry.value,
      'data-count': entry.count == null ? null : String(entry.count) });
    var id = 'f-' + facet + '-' + (facetItem.n = (facetItem.n || 0) + 1);
    var lab = el('label', { for: id });
    var cb = el('input', { type: 'checkbox', id: id, value: entry.value, 'data-facet': facet });
    cb.checked = !!checked;
    if (extra && extra.disabled) { cb.disabled = true; li.classList.add('implied'); }
    lab.appendChild(cb);
    lab.appendChild(el('span', { className: 'facet-label' }, label));
    if (entry.count != null) lab.appendChild(el('span', { className: 'facet-count' }, faNumber(entry.count)));
    li.appendChild(lab);
    if (!entry.count && !checked) li.classList.add('zero');
    return li;
  }

  function renderFacets(facets) {
    // keep keyboard focus on the same checkbox when the panel is redrawn
    var f = document.activeElement;
    var refocus = f && f.dataset && f.dataset.facet ? { facet: f.dataset.facet, value: f.value } : null;
    drawFacets(facets);
    if (refocus) {
      var again = document.querySelector('input[data-facet="' + refocus.facet + '"][value="' + cssEscape(refocus.value) + '"]');
      if (again) again.focus();
    }
  }
  function drawFacets(facets) {
    facetItem.n = 0;
    var blocks = { kind: $('facet-kind'), year: $('facet-year'), domain: $('facet-domain'), partner: $('facet-partner') };
    Object.keys(blocks).forEach(function (name) {
      var ul = blocks[name].querySelector('.facet-list');
      clear(ul);
      var more = blocks[name].querySelector('.facet-more');
      if (more) more.remove();
      if (!facets) { blocks[name].hidden = true; return; }
      var entries = withSelected(facetEntries(facets[name]), state[name]);
      blocks[name].hidden = entries.length === 0;
      var sel = state[name];
      if (name === 'domain') { renderDomainTree(ul, entries, sel); return; }
      if (name === 'year') entries.sort(function (a, b) { return Number(latinDigits(b.value)) - Number(latinDigits(a.value)); });
      var visible = entries;
      if (name === 'partner' && !partnersExpanded && entries.length > PARTNERS_SHOWN + 2) {
        visible = entries.filter(function (e, i) { return i < PARTNERS_SHOWN || sel.indexOf(e.value) >= 0; });
      }
      visible.forEach(function (e) {
        var label = name === 'kind' ? kindLabel(e.value) : name === 'year' ? faDigits(e.value) : (e.label || e.value);
        ul.appendChild(facetItem(name, e, label, sel.indexOf(e.value) >= 0));
      });
      if (name === 'partner' && entries.length > PARTNERS_SHOWN + 2) {
        var btn = el('button', { type: 'button', className: 'link-button facet-more', 'aria-expanded': partnersExpanded ? 'true' : 'false' },
          partnersExpanded ? 'نمایش کمتر' : 'نمایش همه (' + faNumber(entries.length) + ')');
        btn.addEventListener('click', function () {
          partnersExpanded = !partnersExpanded;
          renderFacets(lastReply ? lastReply.facets || {} : null);
          var again = blocks.partner.querySelector('.facet-more');
          if (again) again.focus();
        });
        blocks[name].appendChild(btn);
      }
    });
  }

  function renderDomainTree(ul, entries, sel) {
    var byId = {};
    entries.forEach(function (e) { byId[e.value] = { entry: e, children: [] }; });
    var roots = [];
    entries.forEach(function (e) {
      var p = domainParent(e.value);
      if (p && byId[p] && p !== e.value) byId[p].children.push(byId[e.value]);
      else roots.push(byId[e.value]);
    });
    function byCount(a, b) { return (Number(b.entry.count) || 0) - (Number(a.entry.count) || 0); }
    function add(node, target, ancestorTicked) {
      var v = node.entry.value;
      var ticked = sel.indexOf(v) >= 0;
      var li = facetItem('domain', node.entry, domainLabel(v, node.entry.label), ticked || ancestorTicked,
        { disabled: ancestorTicked && !ticked });
      if (node.children.length) {
        var sub = el('ul', { className: 'facet-children' });
        node.children.sort(byCount).forEach(function (c) { add(c, sub, ancestorTicked || ticked); });
        li.appendChild(sub);
      }
      target.appendChild(li);
    }
    roots.sort(byCount).forEach(function (r) { add(r, ul, false); });
  }

  $('filters-panel').addEventListener('change', function (e) {
    var cb = e.target;
    if (!cb || cb.type !== 'checkbox' || !cb.dataset.facet) return;
    var name = cb.dataset.facet;
    var st = copyState(state);
    var vals = st[name].filter(function (v) { return v !== cb.value; });
    if (cb.checked) vals.push(cb.value);
    st[name] = vals;
    st.page = 1;
    navigate(st);
  });
  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&');
  }

  clearFiltersBtn.addEventListener('click', function () {
    var st = copyState(state);
    FILTER_PARAMS.forEach(function (k) { st[k] = Array.isArray(st[k]) ? [] : ''; });
    st.page = 1;
    navigate(st);
    input.focus();
  });

  // ---------- date range ----------
  function setDateError(msg) {
    dateError.textContent = msg;
    dateError.hidden = !msg;
  }
  dateForm.addEventListener('submit', function (e) {
    e.preventDefault();
    var f = normalizeDate(dateFrom.value), t = normalizeDate(dateTo.value);
    dateFrom.setAttribute('aria-invalid', f === null ? 'true' : 'false');
    dateTo.setAttribute('aria-invalid', t === null ? 'true' : 'false');
    if (f === null || t === null) {
      setDateError('تاریخ را به شکل سال/ماه/روز بنویسید، مانند ۱۴۰۳/۰۵/۱۲.');
      (f === null ? dateFrom : dateTo).focus();
      return;
    }
    setDateError('');
    var st = copyState(state);
    st.from = f; st.to = t; st.page = 1;
    navigate(st);
  });
  $('date-clear').addEventListener('click', function () {
    dateFrom.value = ''; dateTo.value = '';
    dateFrom.removeAttribute('aria-invalid'); dateTo.removeAttribute('aria-invalid');
    setDateError('');
    if (state.from || state.to) {
      var st = copyState(state);
      st.from = ''; st.to = ''; st.page = 1;
      navigate(st);
    }
  });

  // ---------- sort ----------
  sortSel.addEventListener('change', function () {
    var st = copyState(state);
    st.sort = sortSel.value;
    st.page = 1;
    navigate(st);
  });

  // ---------- search box + suggestions (combobox) ----------
  var sugTimer = null, sugCtrl = null, sugSeq = 0, options = [], active = -1;

  function submitQuery(q) {
    clearTimeout(sugTimer);
    sugSeq++;
    if (sugCtrl) sugCtrl.abort();
    closeList();
    var st = copyState(state);
    st.q = q.trim();
    st.page = 1;
    st.rewrite = null;            // a new query is read as meant again
    navigate(st);
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    submitQuery(input.value);
  });

  input.addEventListener('input', function () {
    clearTimeout(sugTimer);
    var v = input.value;
    if (!v.trim()) { sugSeq++; if (sugCtrl) sugCtrl.abort(); closeList(); return; }
    sugTimer = setTimeout(function () { fetchSuggest(v); }, SUGGEST_DELAY);
  });

  function fetchSuggest(v) {
    var seq = ++sugSeq;
    if (sugCtrl) sugCtrl.abort();
    sugCtrl = typeof AbortController === 'function' ? new AbortController() : null;
    fetch('/suggest?q=' + encodeURIComponent(v) + '&limit=' + SUGGEST_LIMIT,
      { headers: { Accept: 'application/json' }, signal: sugCtrl ? sugCtrl.signal : undefined })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (data) {
        if (seq !== sugSeq || input.value !== v || document.activeElement !== input) return;
        renderList(data || {}, v);
      })
      .catch(function () { if (seq === sugSeq) closeList(); });
  }

  function renderList(data, typed) {
    clear(list);
    options = [];
    active = -1;
    input.removeAttribute('aria-activedescendant');
    var comps = Array.isArray(data.completions) ? data.completions : [];
    var hits = Array.isArray(data.hits) ? data.hits : [];
    var seen = {};
    comps.forEach(function (c) {
      var text = typeof c === 'string' ? c : c && c.text;
      if (!text || seen[text]) return;
      seen[text] = true;
      options.push({ type: 'completion', text: text, count: c && c.count });
    });
    hits.forEach(function (h) { if (h && (h.title || h.title_html)) options.push({ type: 'hit', hit: h }); });
    if (!options.length) { closeList(); return; }

    var compHeadingDone = false, hitHeadingDone = false;
    options.forEach(function (o, i) {
      if (o.type === 'completion' && !compHeadingDone) {
        compHeadingDone = true;
        list.appendChild(el('li', { className: 'suggest-heading', role: 'presentation', 'aria-hidden': 'true' }, 'پیشنهاد جستجو'));
      }
      if (o.type === 'hit' && !hitHeadingDone) {
        hitHeadingDone = true;
        list.appendChild(el('li', { className: 'suggest-heading', role: 'presentation', 'aria-hidden': 'true' }, 'سندها'));
      }
      var li = el('li', { id: 'suggest-opt-' + i, role: 'option', 'aria-selected': 'false',
        className: 'suggest-option ' + (o.type === 'hit' ? 'doc' : 'completion'), 'data-index': String(i) });
      if (o.type === 'completion') {
        li.appendChild(el('span', { className: 'suggest-text' }, o.text));
        if (o.count != null) li.appendChild(el('span', { className: 'suggest-count', 'aria-label': faNumber(o.count) + ' سند' }, faNumber(o.count)));
      } else {
        var h = o.hit;
        var t = el('span', { className: 'suggest-text' });
        if (h.title_html) t.innerHTML = h.title_html;       // server-escaped, <mark> only
        else t.textContent = h.title;
        li.appendChild(t);
        var m = [kindLabel(h.kind), h.date_jalali ? jalaliText(h.date_jalali) : ''].filter(Boolean).join(' · ');
        if (m) li.appendChild(el('span', { className: 'suggest-meta' }, m));
      }
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function closeList() {
    list.hidden = true;
    clear(list);
    options = [];
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }
  function isOpen() { return !list.hidden && options.length > 0; }

  function setActive(i) {
    var prev = active >= 0 && $('suggest-opt-' + active);
    if (prev) { prev.setAttribute('aria-selected', 'false'); prev.classList.remove('active'); }
    active = i;
    if (i < 0) { input.removeAttribute('aria-activedescendant'); return; }
    var cur = $('suggest-opt-' + i);
    if (!cur) return;
    cur.setAttribute('aria-selected', 'true');
    cur.classList.add('active');
    input.setAttribute('aria-activedescendant', cur.id);
    if (cur.scrollIntoView) cur.scrollIntoView({ block: 'nearest' });
  }

  function choose(i) {
    var o = options[i];
    if (!o) return;
    var text = o.type === 'completion' ? o.text : (o.hit.title || textOf(o.hit.title_html));
    input.value = text;
    submitQuery(text);
  }
  function textOf(html) {
    var d = document.createElement('div');
    d.innerHTML = html || '';
    return d.textContent || '';
  }

  input.addEventListener('keydown', function (e) {
    if (e.isComposing) return;
    switch (e.key) {
      case 'ArrowDown':
        if (!isOpen()) { if (input.value.trim()) fetchSuggest(input.value); return; }
        e.preventDefault();
        setActive(active + 1 >= options.length ? 0 : active + 1);
        break;
      case 'ArrowUp':
        if (!isOpen()) return;
        e.preventDefault();
        setActive(active - 1 < 0 ? options.length - 1 : active - 1);
        break;
      case 'Enter':
        if (isOpen() && active >= 0) { e.preventDefault(); choose(active); }
        break;
      case 'Escape':
        if (isOpen()) { e.preventDefault(); clearTimeout(sugTimer); sugSeq++; closeList(); }
        break;
      case 'Tab':
        closeList();
        break;
    }
  });
  input.addEventListener('blur', function () { clearTimeout(sugTimer); sugSeq++; closeList(); });
  list.addEventListener('mousedown', function (e) { e.preventDefault(); });   // keep focus in the box
  list.addEventListener('click', function (e) {
    var li = e.target.closest && e.target.closest('[role="option"]');
    if (li) choose(Number(li.dataset.index));
  });
  list.addEventListener('mousemove', function (e) {
    var li = e.target.closest && e.target.closest('[role="option"]');
    if (li && Number(li.dataset.index) !== active) setActive(Number(li.dataset.index));
  });

  // ---------- views: search (/) and dashboard (/analytics) ----------
  var dashboardEl = $('dashboard');
  // The tabs of the header keep the query and the filters.
  function syncViewLinks() {
    var st = copyState(state);
    st.page = 1; st.sort = 'relevance'; st.per_page = null;
    ['search', 'analytics'].forEach(function (v) {
      var a = $('view-' + v);
      a.href = stateUrl(st, v);
      if (v === VIEW) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
  }

  var dashboardReady = null;
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error('cannot load ' + src)); };
      document.head.appendChild(s);
    });
  }
  // Chart.js and the dashboard are loaded on the dashboard only.
  function loadDashboard() {
    if (!dashboardReady) {
      dashboardReady = loadScript('/vendor/chart.umd.min.js')
        .then(function () { return loadScript('/analytics.js'); })
        .then(function () { return window.kavoshDashboard; });
    }
    return dashboardReady;
  }

  function renderDashboard(data, dash) {
    lastReply = data;
    // The dashboard's counts never relax to "any word" (as /stats): none have every word.
    var total = data.relaxed ? 0 : Number(data.total) || 0;
    resultsEl.dataset.state = 'dashboard';
    var s = faNumber(total) + ' سند';
    if (state.q) s += ' برای «' + state.q + '»';
    statusEl.textContent = s;
    statusEl.dataset.total = String(total);
    renderNotices(data);
    clear(message);
    message.hidden = true;
    renderFacets(data.relaxed ? null : data.facets || {});
    dashboardEl.hidden = false;
    dash.update(state, total, data.relaxed ? [] : (data.facets && data.facets.year) || []);
  }

  // A click on a result, for the search insights (only counts per query and day are kept).
  function reportClick(id, position) {
    if (!state.q || state.analytics === 'false' || typeof fetch !== 'function') return;
    fetch('/insights/click', {
      method: 'POST', keepalive: true,
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },   // a simple request: no preflight
      body: JSON.stringify({ query: state.q, id: String(id), position: position })
    }).catch(function () { /* a lost click report is not the visitor's problem */ });
  }

  // What analytics.js shares with this page.
  window.kavosh = {
    MONTHS: MONTHS, KIND_LABELS: KIND_LABELS, faDigits: faDigits, latinDigits: latinDigits,
    faNumber: faNumber, el: el, clear: clear, kindLabel: kindLabel, domainLabel: domainLabel,
    domainParent: domainParent, normalizeDate: normalizeDate, copyState: copyState,
    stateUrl: stateUrl, navigate: navigate, readReply: readReply
  };

  // ---------- start ----------
  document.documentElement.dataset.view = VIEW;
  // The filters fold away on a phone; on a wide screen they stay open.
  if (window.matchMedia && window.matchMedia('(max-width: 48rem)').matches) filtersPanel.open = false;
  syncForm();
  run();
})();
