// kavosh dashboard (/analytics), loaded by app.js after Chart.js (web/vendor, MIT). Two tabs:
//
// - documents: agreements and news per Jalali year (split by kind or by top domains), per month
//   of a chosen year, top partners, the domains' shares and a partner × year table, all counted
//   by GET /stats under the page's query and filters. As the search page's facets do, a chart
//   by a dimension leaves out that dimension's own filter, so every bar and cell links to a
//   search whose total is exactly its number. Each chart has its numbers in a table (each
//   number a link), a CSV download (UTF-8 with BOM, for Excel) and a PNG download;
// - searches (for the holder of the API key): what visitors searched for, from GET /insights
//   and GET /insights/queries.
//
// State lives in the URL (app.js keeps the dashboard's own parameters: tab, split, month_year,
// insights_from, insights_to).
'use strict';

(function () {
  var K = window.kavosh;
  var el = K.el, clear = K.clear, faNumber = K.faNumber, faDigits = K.faDigits;
  var root = document.getElementById('dashboard');
  var KEY_STORE = 'kavosh-api-key';
  var TOP_PARTNERS = 10, TOP_DOMAINS = 6, TOP_QUERIES = 50;
  // Okabe–Ito, distinguishable with every common colour blindness; the brand colours first.
  var PALETTE = ['#0c6b58', '#b3541e', '#0072b2', '#cc79a7', '#e69f00', '#56b4e9', '#009e73', '#d55e00'];
  var KIND_COLORS = { agreement: '#0c6b58', news: '#b3541e' };
  var SELECTED = '#084d3f';
  var LABEL_CHARS = 30;           // longer category names are cut on the chart (not in its table)
  var FILTERS = ['kind', 'partner', 'domain', 'year'];

  Chart.defaults.font.family = 'Vazirmatn, Tahoma, sans-serif';
  Chart.defaults.font.size = 13;
  Chart.defaults.color = '#1d2327';
  Chart.defaults.locale = 'fa-IR';
  // PNG downloads get a white background rather than a transparent one.
  Chart.register({
    id: 'kavoshBackground',
    beforeDraw: function (chart) {
      var c = chart.ctx;
      c.save();
      c.globalCompositeOperation = 'destination-over';
      c.fillStyle = '#ffffff';
      c.fillRect(0, 0, chart.width, chart.height);
      c.restore();
    }
  });
  var fontReady = document.fonts && document.fonts.load ? document.fonts.load('1em Vazirmatn').catch(function () {}) : Promise.resolve();

  // ---------- requests ----------
  function getJson(url, headers) {
    return fetch(url, { headers: Object.assign({ Accept: 'application/json' }, headers || {}) }).then(K.readReply);
  }

  // The /stats parameters of the page's query and filters, without the filters in `leaveOut`
  // (dimension names, and 'date' for from/to).
  function filterParams(st, leaveOut) {
    var p = new URLSearchParams();
    if (st.q) p.set('q', st.q);
    FILTERS.forEach(function (k) {
      if (leaveOut.indexOf(k) < 0) st[k].forEach(function (v) { p.append(k, v); });
    });
    if (leaveOut.indexOf('date') < 0) {
      if (st.from) p.set('from', st.from);
      if (st.to) p.set('to', st.to);
    }
    if (st.typos) p.set('typos', st.typos);
    return p;
  }
  function statsUrl(st, by, leaveOut, extra) {
    var p = filterParams(st, leaveOut);
    by.forEach(function (b) { p.append('by', b); });
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return '/stats?' + p.toString();
  }
  // The search page with the page's query and filters, those in `leaveOut` replaced by `set`.
  function searchUrl(st, leaveOut, set) {
    var s = K.copyState(st);
    leaveOut.forEach(function (k) {
      if (k === 'date') { s.from = ''; s.to = ''; } else s[k] = [];
    });
    Object.keys(set).forEach(function (k) { s[k] = set[k]; });
    s.page = 1; s.sort = 'relevance'; s.per_page = null; s.match = null; s.analytics = null; s.view = {};
    return K.stateUrl(s, 'search');
  }

  // ---------- CSV and PNG ----------
  function csvField(v) {
    var s = String(v == null ? '' : v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function download(name, blob) {
    var a = el('a', { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  // UTF-8 with a byte order mark and CRLF lines: Excel opens it with Persian intact.
  function csvBlob(rows) {
    var text = '\uFEFF' + rows.map(function (r) { return r.map(csvField).join(','); }).join('\r\n') + '\r\n';
    return new Blob([text], { type: 'text/csv;charset=utf-8' });
  }

  // ---------- the skeleton ----------
  var tabs = {}, panels = {}, charts = {}, seq = 0, marked = false;

  function build() {
    if (root.firstChild) return;
    var list = el('div', { className: 'dash-tabs', role: 'tablist', 'aria-label': 'بخش‌های آمار' });
    [['documents', 'اسناد'], ['searches', 'جستجوهای بازدیدکنندگان']].forEach(function (t) {
      var b = el('button', { type: 'button', role: 'tab', id: 'tab-' + t[0], 'aria-controls': 'panel-' + t[0], 'data-tab': t[0] }, t[1]);
      b.addEventListener('click', function () {
        var st = K.copyState(current);
        if (t[0] === 'documents') delete st.view.tab; else st.view.tab = t[0];
        K.navigate(st);
      });
      tabs[t[0]] = b;
      list.appendChild(b);
      panels[t[0]] = el('div', { role: 'tabpanel', id: 'panel-' + t[0], 'aria-labelledby': 'tab-' + t[0], className: 'dash-panel' });
    });
    // Arrow keys move between the tabs (the next one is to the left, right to left), as the
    // WAI-ARIA tabs pattern has it; only the selected tab is in the Tab order.
    list.addEventListener('keydown', function (e) {
      var names = Object.keys(tabs);
      var i = names.indexOf(e.target.dataset.tab);
      var to = { ArrowLeft: i + 1, ArrowRight: i - 1, Home: 0, End: names.length - 1 }[e.key];
      if (i < 0 || to === undefined) return;
      e.preventDefault();
      var next = tabs[names[(to + names.length) % names.length]];
      next.focus();
      next.click();
    });
    root.appendChild(list);
    root.appendChild(panels.documents);
    root.appendChild(panels.searches);
  }

  function setTab(name) {
    Object.keys(tabs).forEach(function (t) {
      tabs[t].setAttribute('aria-selected', t === name ? 'true' : 'false');
      tabs[t].tabIndex = t === name ? 0 : -1;
      panels[t].hidden = t !== name;
    });
    document.documentElement.dataset.tab = name;
  }

  // A chart's card: title, actions, controls, canvas, table and source.
  function card(panel, id, title) {
    var fig = el('figure', { className: 'chart-card', id: 'chart-' + id, 'data-chart': id });
    var cap = el('figcaption', { className: 'chart-head' });
    cap.appendChild(el('h3', { id: 'chart-title-' + id }, title));
    var actions = el('div', { className: 'chart-actions' });
    cap.appendChild(actions);
    fig.appendChild(cap);
    var controls = el('div', { className: 'chart-controls' });
    fig.appendChild(controls);
    var box = el('div', { className: 'chart-box' });
    fig.appendChild(box);
    var details = el('details', { className: 'chart-data' });
    details.appendChild(el('summary', null, 'جدول داده‌ها'));
    var wrap = el('div', { className: 'table-wrap' });
    details.appendChild(wrap);
    fig.appendChild(details);
    var source = el('p', { className: 'chart-source' });
    fig.appendChild(source);
    panel.appendChild(fig);
    return { fig: fig, id: id, title: title, actions: actions, controls: controls, box: box, wrap: wrap, source: source };
  }

  function setSource(c, url) {
    c.fig.dataset.stats = url;
    clear(c.source);
    c.source.appendChild(document.createTextNode('داده‌ها: '));
    c.source.appendChild(el('a', { href: url, dir: 'ltr' }, decodeURIComponent(url)));
  }

  function actionButtons(c, csvRows, withImage) {
    clear(c.actions);
    var csv = el('button', { type: 'button', className: 'link-button', 'data-action': 'csv',
      'aria-label': 'دریافت دادهٔ «' + c.title + '» به صورت CSV' }, 'CSV');
    csv.addEventListener('click', function () { download('kavosh-' + c.id + '.csv', csvBlob(csvRows())); });
    c.actions.appendChild(csv);
    if (withImage) {
      var png = el('button', { type: 'button', className: 'link-button', 'data-action': 'png',
        'aria-label': 'دریافت نمودار «' + c.title + '» به صورت تصویر' }, 'تصویر');
      png.addEventListener('click', function () {
        var chart = charts[c.id];
        if (!chart) return;
        fetch(chart.toBase64Image('image/png', 1)).then(function (r) { return r.blob(); })
          .then(function (b) { download('kavosh-' + c.id + '.png', b); });
      });
      c.actions.appendChild(png);
    }
  }

  function showCardError(c, err) {
    if (charts[c.id]) { charts[c.id].destroy(); delete charts[c.id]; }
    clear(c.box); clear(c.wrap); clear(c.actions);
    c.box.appendChild(el('p', { className: 'chart-error', role: 'alert' },
      'این نمودار بارگیری نشد' + (err && err.apiMessage ? ': ' + err.apiMessage : '.')));
  }

  // ---------- a bar chart with its table ----------
  // model: { caption, head (the rows' heading), csvHead ([key column, label column]),
  //          labels, keys: [{ key, label, child }], series: [{ label, color(s), values, links }],
  //          totals: { values, links } (the rows' totals), share (percentages),
  //          chartRows (the rows drawn, when not all), horizontal, stacked }
  function drawBars(c, model) {
    if (charts[c.id]) charts[c.id].destroy();
    clear(c.box);
    var rows = model.chartRows || model.labels.map(function (_, i) { return i; });
    var pick = function (a) { return Array.isArray(a) ? rows.map(function (i) { return a[i]; }) : a; };
    c.fig.dataset.bars = String(rows.length);
    var canvas = el('canvas', { role: 'img', 'aria-label': model.caption + '؛ اعداد در جدول داده‌ها' });
    c.box.appendChild(canvas);
    var horizontal = !!model.horizontal;
    var valueAxis = {
      beginAtZero: true, stacked: !!model.stacked, reverse: horizontal,
      position: horizontal ? 'bottom' : 'right',
      ticks: { precision: 0 }
    };
    var categoryAxis = {
      stacked: !!model.stacked, reverse: !horizontal, position: horizontal ? 'right' : 'bottom',
      grid: { display: false }, ticks: { autoSkip: !horizontal }
    };
    charts[c.id] = new Chart(canvas, {
      type: 'bar',
      data: {
        labels: pick(model.labels).map(function (l) { return l.length > LABEL_CHARS ? l.slice(0, LABEL_CHARS - 1) + '…' : l; }),
        datasets: model.series.map(function (s) {
          return { label: s.label, data: pick(s.values), backgroundColor: pick(s.color), borderWidth: 0, borderRadius: 2 };
        })
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        indexAxis: horizontal ? 'y' : 'x',
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        interaction: { mode: 'nearest', intersect: true },
        plugins: {
          legend: { display: model.series.length > 1, position: 'top', align: 'start', rtl: true, textDirection: 'rtl' },
          tooltip: {
            rtl: true, textDirection: 'rtl',
            callbacks: { title: function (items) { return items.length ? model.labels[rows[items[0].dataIndex]] : ''; } }
          }
        },
        onClick: function (evt, elements) {
          if (!elements.length) return;
          var link = model.series[elements[0].datasetIndex].links[rows[elements[0].index]];
          if (link) location.href = link;
        },
        onHover: function (evt, elements) {
          evt.native.target.style.cursor = elements.length ? 'pointer' : '';
        }
      }
    });
    drawTable(c, model);
    actionButtons(c, function () {
      var cols = tableColumns(model);
      var out = [model.csvHead.concat(cols.map(function (col) { return col.head; }))];
      model.keys.forEach(function (k, i) {
        out.push([k.key, k.label].concat(cols.map(function (col) { return col.values[i]; })));
      });
      return out;
    }, true);
  }

  // The number columns of a chart's table: a column per series (one series with totals needs
  // no column of its own), the totals, the shares.
  function tableColumns(model) {
    var cols = [];
    if (model.series.length > 1 || !model.totals) {
      model.series.forEach(function (s) { cols.push({ head: s.label, values: s.values, links: s.links }); });
    }
    if (model.totals) cols.push({ head: cols.length ? 'همه' : 'تعداد', values: model.totals.values, links: model.totals.links });
    if (model.share) cols.push({ head: 'سهم از همهٔ اسناد (٪)', values: model.share, percent: true });
    return cols;
  }

  function numberCell(value, link) {
    var td = el('td', { className: 'num', 'data-value': String(value) });
    if (link && value > 0) td.appendChild(el('a', { href: link }, faNumber(value)));
    else td.textContent = faNumber(value);
    return td;
  }

  // The table of a bar chart: a row per category (every row, not only those drawn).
  function drawTable(c, model) {
    clear(c.wrap);
    var cols = tableColumns(model);
    var table = el('table', { className: 'data-table' });
    table.appendChild(el('caption', null, model.caption));
    var head = el('tr');
    head.appendChild(el('th', { scope: 'col' }, model.head));
    cols.forEach(function (col) { head.appendChild(el('th', { scope: 'col' }, col.head)); });
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el('tbody');
    model.keys.forEach(function (k, i) {
      var tr = el('tr', { 'data-key': k.key });
      tr.appendChild(el('th', { scope: 'row', className: k.child ? 'child' : null }, k.label));
      cols.forEach(function (col) {
        tr.appendChild(col.percent ? el('td', { className: 'num' }, faNumber(col.values[i]) + '٪')
          : numberCell(col.values[i], col.links && col.links[i]));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    c.wrap.appendChild(table);
  }

  // ---------- documents tab ----------
  var docCards = null, current = null;

  function buildDocuments() {
    if (docCards) return;
    var p = panels.documents;
    docCards = {
      years: card(p, 'years', 'اسناد در هر سال'),
      months: card(p, 'months', 'اسناد در ماه‌های سال'),
      partners: card(p, 'partners', 'طرف‌های همکاری پرتکرار'),
      domains: card(p, 'domains', 'سهم حوزه‌ها'),
      partnerYears: card(p, 'partner-years', 'طرف همکاری × سال')
    };
    docCards.partnerYears.box.remove();
    docCards.partnerYears.fig.querySelector('details').open = true;
  }

  function selectControl(c, name, label, options, value, onChange) {
    clear(c.controls);
    var id = 'control-' + c.id;
    c.controls.appendChild(el('label', { for: id }, label));
    var sel = el('select', { id: id, name: name });
    options.forEach(function (o) {
      var opt = el('option', { value: o[0] }, o[1]);
      if (o[0] === value) opt.selected = true;
      sel.appendChild(opt);
    });
    sel.addEventListener('change', function () { onChange(sel.value); });
    c.controls.appendChild(sel);
  }

  function setView(key, value) {
    var st = K.copyState(current);
    if (value) st.view[key] = value; else delete st.view[key];
    K.navigate(st);
  }

  function inner(bucket) { return Array.isArray(bucket.buckets) ? bucket.buckets : []; }
  function countOf(buckets, key) {
    for (var i = 0; i < buckets.length; i++) if (buckets[i].key === key) return buckets[i].count;
    return 0;
  }

  function yearsChart(st, my) {
    var c = docCards.years;
    var split = st.view.split === 'domain' ? 'domain' : 'kind';
    selectControl(c, 'split', 'تفکیک بر پایهٔ', [['kind', 'نوع سند'], ['domain', 'حوزه‌های اصلی']], split,
      function (v) { setView('split', v === 'kind' ? '' : v); });
    var leaveOut = ['year', split];
    var url = statsUrl(st, ['year', split], leaveOut);
    setSource(c, url);
    return getJson(url).then(function (r) {
      if (my !== seq) return;
      var years = r.buckets;
      var groups;
      if (split === 'kind') {
        groups = Object.keys(K.KIND_LABELS).map(function (k) { return { key: k, label: K.kindLabel(k), color: KIND_COLORS[k] }; });
      } else {
        var sums = {};
        years.forEach(function (y) {
          inner(y).forEach(function (d) { if (d.key.indexOf('/') < 0) sums[d.key] = (sums[d.key] || 0) + d.count; });
        });
        groups = Object.keys(sums).sort(function (a, b) { return sums[b] - sums[a] || (a < b ? -1 : 1); })
          .slice(0, TOP_DOMAINS).map(function (d, i) { return { key: d, label: K.domainLabel(d), color: PALETTE[i % PALETTE.length] }; });
      }
      drawBars(c, {
        caption: 'اسناد در هر سال، به تفکیک ' + (split === 'kind' ? 'نوع سند' : 'حوزه‌های اصلی'),
        head: 'سال', csvHead: ['year', 'year_label'],
        labels: years.map(function (y) { return faDigits(y.key); }),
        keys: years.map(function (y) { return { key: y.key, label: faDigits(y.key) }; }),
        stacked: split === 'kind',
        series: groups.map(function (g) {
          return {
            label: g.label, color: g.color,
            values: years.map(function (y) { return countOf(inner(y), g.key); }),
            links: years.map(function (y) {
              var set = { year: [y.key] };
              set[split] = [g.key];
              return searchUrl(st, leaveOut, set);
            })
          };
        }),
        totals: {
          values: years.map(function (y) { return y.count; }),
          links: years.map(function (y) { return searchUrl(st, leaveOut, { year: [y.key] }); })
        }
      });
      return years;
    });
  }

  function monthsChart(st, my, yearFacet) {
    var c = docCards.months;
    var years = yearFacet.map(function (f) { return String(f.value); }).sort();
    if (!years.length) { showCardError(c, { apiMessage: 'سندی نیست' }); return Promise.resolve(); }
    var year = st.view.month_year && years.indexOf(st.view.month_year) >= 0 ? st.view.month_year
      : st.year.length === 1 && years.indexOf(st.year[0]) >= 0 ? st.year[0] : years[years.length - 1];
    selectControl(c, 'month_year', 'سال', years.slice().reverse().map(function (y) { return [y, faDigits(y)]; }), year,
      function (v) { setView('month_year', v); });
    var leaveOut = ['year', 'date'];
    var url = statsUrl(st, ['month'], leaveOut, { year: year });
    setSource(c, url);
    return getJson(url).then(function (r) {
      if (my !== seq) return;
      var months = [];
      for (var m = 1; m <= 12; m++) months.push(year + '/' + (m < 10 ? '0' : '') + m);
      var values = months.map(function (k) { return countOf(r.buckets, k); });
      var links = months.map(function (k, i) {
        var set = { year: [year], from: k + '/01' };
        // Esfand's last day is 29 or 30: the year filter ends it, so it needs no "to".
        if (i < 11) set.to = k + '/' + (i < 6 ? 31 : 30);
        return searchUrl(st, leaveOut, set);
      });
      drawBars(c, {
        caption: 'اسناد در ماه‌های سال ' + faDigits(year),
        head: 'ماه', csvHead: ['month', 'month_label'],
        labels: K.MONTHS.slice(),
        keys: months.map(function (k, i) { return { key: k, label: K.MONTHS[i] + ' ' + year }; }),
        series: [{ label: 'اسناد', color: PALETTE[0], values: values, links: links }],
        totals: { values: values, links: links }
      });
    });
  }

  function partnersChart(st, my) {
    var c = docCards.partners;
    clear(c.controls);
    var leaveOut = ['partner'];
    var url = statsUrl(st, ['partner'], leaveOut, { top: String(TOP_PARTNERS) });
    setSource(c, url);
    return getJson(url).then(function (r) {
      if (my !== seq) return;
      var b = r.buckets;
      var links = b.map(function (x) { return searchUrl(st, leaveOut, { partner: [x.key] }); });
      var values = b.map(function (x) { return x.count; });
      drawBars(c, {
        caption: faNumber(b.length) + ' طرف همکاری با بیشترین سند',
        head: 'طرف همکاری', csvHead: ['partner', 'partner_label'], horizontal: true,
        labels: b.map(function (x) { return x.key; }),
        keys: b.map(function (x) { return { key: x.key, label: x.key }; }),
        series: [{ label: 'اسناد', values: values, links: links,
          color: b.map(function (x) { return st.partner.indexOf(x.key) >= 0 ? SELECTED : PALETTE[2]; }) }],
        totals: { values: values, links: links }
      });
    });
  }

  function domainsChart(st, my) {
    var c = docCards.domains;
    clear(c.controls);
    var leaveOut = ['domain'];
    var url = statsUrl(st, ['domain'], leaveOut);
    setSource(c, url);
    return getJson(url).then(function (r) {
      if (my !== seq) return;
      var all = r.buckets, total = r.total || 0;
      var parents = all.filter(function (x) { return x.key.indexOf('/') < 0; });
      var rows = [];
      parents.forEach(function (p) {
        rows.push({ bucket: p, child: false });
        all.filter(function (x) { return K.domainParent(x.key) === p.key; })
          .forEach(function (ch) { rows.push({ bucket: ch, child: true }); });
      });
      var links = rows.map(function (x) { return searchUrl(st, leaveOut, { domain: [x.bucket.key] }); });
      var values = rows.map(function (x) { return x.bucket.count; });
      drawBars(c, {
        caption: 'سهم هر حوزه از ' + faNumber(total) + ' سند (سندی ممکن است در چند حوزه باشد)',
        head: 'حوزه', csvHead: ['domain', 'domain_label'], horizontal: true,
        labels: rows.map(function (x) { return K.domainLabel(x.bucket.key, x.bucket.label); }),
        keys: rows.map(function (x) { return { key: x.bucket.key, label: K.domainLabel(x.bucket.key, x.bucket.label), child: x.child }; }),
        series: [{ label: 'اسناد', values: values, links: links,
          color: rows.map(function (x) { return st.domain.indexOf(x.bucket.key) >= 0 ? SELECTED : PALETTE[2]; }) }],
        totals: { values: values, links: links },
        share: values.map(function (v) { return total ? Math.round(1000 * v / total) / 10 : 0; }),
        // The chart shows the top of the tree, the table all of it.
        chartRows: rows.map(function (x, i) { return x.child ? -1 : i; }).filter(function (i) { return i >= 0; })
      });
    });
  }

  function partnerYearsTable(st, my) {
    var c = docCards.partnerYears;
    var leaveOut = ['partner', 'year'];
    var url = statsUrl(st, ['partner', 'year'], leaveOut, { top: String(TOP_PARTNERS) });
    setSource(c, url);
    return getJson(url).then(function (r) {
      if (my !== seq) return;
      var years = [];
      r.buckets.forEach(function (p) { inner(p).forEach(function (y) { if (years.indexOf(y.key) < 0) years.push(y.key); }); });
      years.sort();
      var max = 0;
      r.buckets.forEach(function (p) { inner(p).forEach(function (y) { max = Math.max(max, y.count); }); });
      clear(c.wrap);
      var table = el('table', { className: 'data-table heat' });
      table.appendChild(el('caption', null, faNumber(r.buckets.length) + ' طرف همکاری پرتکرار در ' + faNumber(years.length) + ' سال آخر'));
      var head = el('tr');
      head.appendChild(el('th', { scope: 'col' }, 'طرف همکاری'));
      years.forEach(function (y) { head.appendChild(el('th', { scope: 'col' }, faDigits(y))); });
      head.appendChild(el('th', { scope: 'col' }, 'همه'));
      var thead = el('thead');
      thead.appendChild(head);
      table.appendChild(thead);
      var body = el('tbody');
      r.buckets.forEach(function (p) {
        var tr = el('tr', { 'data-key': p.key });
        tr.appendChild(el('th', { scope: 'row' }, p.key));
        years.forEach(function (y) {
          var n = countOf(inner(p), y);
          var td = numberCell(n, searchUrl(st, leaveOut, { partner: [p.key], year: [y] }));
          td.dataset.year = y;
          if (n && max) td.style.backgroundColor = 'rgba(12, 107, 88, ' + (0.08 + 0.5 * n / max).toFixed(2) + ')';
          tr.appendChild(td);
        });
        var total = numberCell(p.count, searchUrl(st, leaveOut, { partner: [p.key] }));
        total.className += ' total';
        tr.appendChild(total);
        body.appendChild(tr);
      });
      table.appendChild(body);
      c.wrap.appendChild(table);
      actionButtons(c, function () {
        var rows = [['partner'].concat(years, ['all'])];
        r.buckets.forEach(function (p) {
          rows.push([p.key].concat(years.map(function (y) { return countOf(inner(p), y); }), [p.count]));
        });
        return rows;
      }, false);
    });
  }

  function renderDocuments(st, my, yearFacet) {
    buildDocuments();
    var jobs = [
      [docCards.years, yearsChart(st, my)],
      [docCards.months, monthsChart(st, my, yearFacet)],
      [docCards.partners, partnersChart(st, my)],
      [docCards.domains, domainsChart(st, my)],
      [docCards.partnerYears, partnerYearsTable(st, my)]
    ];
    return Promise.all(jobs.map(function (j) {
      return j[1].catch(function (err) { if (my === seq) showCardError(j[0], err); });
    }));
  }

  // ---------- searches tab (insights) ----------
  var ins = null;

  function buildInsights() {
    if (ins) return;
    var p = panels.searches;
    ins = {};
    ins.keyForm = el('form', { className: 'key-form', id: 'key-form' });
    ins.keyForm.appendChild(el('p', null, 'این بخش نشان می‌دهد بازدیدکنندگان چه جستجو کرده‌اند و کدام جستجوها نتیجه‌ای نداشته‌اند. فقط شمار جستجوها در هر روز نگه‌داری می‌شود، بی هیچ نشانی از جستجوکننده.'));
    ins.keyForm.appendChild(el('label', { for: 'api-key' }, 'کلید API'));
    ins.keyInput = el('input', { id: 'api-key', type: 'password', autocomplete: 'off', dir: 'ltr', required: true });
    ins.keyForm.appendChild(ins.keyInput);
    ins.keyForm.appendChild(el('button', { type: 'submit' }, 'نمایش'));
    ins.keyError = el('p', { className: 'field-error', role: 'alert', hidden: true });
    ins.keyForm.appendChild(ins.keyError);
    ins.keyForm.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!ins.keyInput.value.trim()) return;
      sessionStorage.setItem(KEY_STORE, ins.keyInput.value.trim());
      ins.keyInput.value = '';
      update(current, lastTotal, lastYears);
    });
    p.appendChild(ins.keyForm);

    ins.body = el('div', { className: 'insights-body' });
    ins.range = el('form', { className: 'range-form', id: 'insights-range' });
    ins.from = el('input', { id: 'insights-from', name: 'insights_from', inputmode: 'numeric', dir: 'ltr', placeholder: '۱۴۰۴/۰۹/۰۱' });
    ins.to = el('input', { id: 'insights-to', name: 'insights_to', inputmode: 'numeric', dir: 'ltr', placeholder: '۱۴۰۴/۰۹/۳۰' });
    ins.range.appendChild(el('label', { for: 'insights-from' }, 'از'));
    ins.range.appendChild(ins.from);
    ins.range.appendChild(el('label', { for: 'insights-to' }, 'تا'));
    ins.range.appendChild(ins.to);
    ins.range.appendChild(el('button', { type: 'submit' }, 'اعمال'));
    var forget = el('button', { type: 'button', className: 'link-button' }, 'فراموش کردن کلید');
    forget.addEventListener('click', function () { sessionStorage.removeItem(KEY_STORE); update(current, lastTotal, lastYears); });
    ins.range.appendChild(forget);
    ins.rangeError = el('p', { className: 'field-error', role: 'alert', hidden: true });
    ins.range.appendChild(ins.rangeError);
    ins.range.addEventListener('submit', function (e) {
      e.preventDefault();
      var f = K.normalizeDate(ins.from.value), t = K.normalizeDate(ins.to.value);
      if (f === null || t === null) {
        ins.rangeError.textContent = 'تاریخ را به شکل سال/ماه/روز بنویسید، مانند ۱۴۰۴/۰۹/۰۱.';
        ins.rangeError.hidden = false;
        return;
      }
      var st = K.copyState(current);
      if (f) st.view.insights_from = f; else delete st.view.insights_from;
      if (t) st.view.insights_to = t; else delete st.view.insights_to;
      K.navigate(st);
    });
    ins.body.appendChild(ins.range);
    ins.summary = el('p', { className: 'insights-summary', id: 'insights-summary' });
    ins.body.appendChild(ins.summary);
    ins.days = card(ins.body, 'search-days', 'جستجوها در هر روز');
    ins.queries = card(ins.body, 'top-queries', 'پرجستجوترین عبارت‌ها');
    ins.nothing = card(ins.body, 'no-result-queries', 'جستجوهای بی‌نتیجه');
    [ins.queries, ins.nothing].forEach(function (c) {
      c.box.remove();
      c.fig.querySelector('details').open = true;
    });
    p.appendChild(ins.body);
  }

  function authorized(url, key) {
    return getJson(url, { Authorization: 'Bearer ' + key });
  }

  // A server CSV that needs the key: fetched, then saved.
  function serverCsv(c, url, key) {
    clear(c.actions);
    var b = el('button', { type: 'button', className: 'link-button', 'data-action': 'csv',
      'aria-label': 'دریافت «' + c.title + '» به صورت CSV' }, 'CSV');
    b.addEventListener('click', function () {
      fetch(url, { headers: { Authorization: 'Bearer ' + key } })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.blob(); })
        .then(function (blob) { download('kavosh-' + c.id + '.csv', blob); });
    });
    c.actions.appendChild(b);
  }

  function queryLink(q) {
    // Opening a query from here is not a visitor's search.
    return K.stateUrl({ q: q, kind: [], partner: [], domain: [], year: [], from: '', to: '', sort: 'relevance',
      page: 1, per_page: null, typos: null, match: null, analytics: 'false', view: {} }, 'search');
  }

  function percent(part, whole) {
    return whole ? faNumber(Math.round(1000 * part / whole) / 10) + '٪' : '—';
  }

  function queriesTable(c, caption, columns, rows) {
    clear(c.wrap);
    var table = el('table', { className: 'data-table' });
    table.appendChild(el('caption', null, caption));
    var head = el('tr');
    columns.forEach(function (col) { head.appendChild(el('th', { scope: 'col' }, col[0])); });
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el('tbody');
    rows.forEach(function (q) {
      var tr = el('tr', { 'data-query': q.query });
      var th = el('th', { scope: 'row' });
      th.appendChild(el('a', { href: queryLink(q.query) }, q.query));
      tr.appendChild(th);
      columns.slice(1).forEach(function (col) {
        var v = col[1](q);
        tr.appendChild(el('td', { className: 'num', 'data-value': typeof v === 'number' ? String(v) : null },
          typeof v === 'number' ? faNumber(v) : v));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    if (!rows.length) {
      c.wrap.appendChild(el('p', { className: 'hint' }, 'در این بازه عبارتی به حد نمایش نرسیده است.'));
    }
    c.wrap.appendChild(table);
  }

  function renderInsights(st, my) {
    buildInsights();
    var key = sessionStorage.getItem(KEY_STORE);
    ins.keyForm.hidden = !!key;
    ins.body.hidden = !key;
    if (!key) return Promise.resolve();
    ins.from.value = st.view.insights_from ? faDigits(st.view.insights_from) : '';
    ins.to.value = st.view.insights_to ? faDigits(st.view.insights_to) : '';
    ins.rangeError.hidden = true;
    var p = new URLSearchParams();
    if (st.view.insights_from) p.set('from', st.view.insights_from);
    if (st.view.insights_to) p.set('to', st.view.insights_to);
    var overviewUrl = '/insights?' + p.toString();
    var qp = new URLSearchParams(p);
    qp.set('top', String(TOP_QUERIES));
    var queriesUrl = '/insights/queries?' + qp.toString();
    return Promise.all([authorized(overviewUrl, key), authorized(queriesUrl, key)]).then(function (r) {
      if (my !== seq) return;
      var o = r[0], q = r[1];
      ins.summary.textContent = o.enabled
        ? 'از ' + K.faDigits(o.from) + ' تا ' + K.faDigits(o.to) + ': ' + faNumber(o.searches) + ' جستجو، ' +
          faNumber(o.no_results) + ' بی‌نتیجه (' + percent(o.no_results, o.searches) + ')، ' + faNumber(o.clicks) +
          ' کلیک روی نتیجه‌ها. عبارت‌هایی که کمتر از ' + faNumber(o.min_count) + ' بار جستجو شده‌اند نشان داده نمی‌شوند؛ ' +
          'داده‌های ' + faNumber(o.retention_days) + ' روز اخیر نگه‌داری می‌شود.'
        : 'شمارش جستجوها در این سرور خاموش است (KAVOSH_INSIGHTS=off).';
      var days = o.days;
      var dayKeys = days.map(function (d) { return { key: d.day, label: d.day }; });
      var none = days.map(function () { return null; });
      drawBars(ins.days, {
        caption: 'جستجوها و جستجوهای بی‌نتیجه در هر روز',
        head: 'روز', csvHead: ['day', 'day_label'],
        labels: days.map(function (d) { return faDigits(d.day.slice(5)); }),
        keys: dayKeys,
        series: [
          { label: 'جستجو', color: PALETTE[0], values: days.map(function (d) { return d.searches; }), links: none },
          { label: 'بی‌نتیجه', color: PALETTE[1], values: days.map(function (d) { return d.no_results; }), links: none },
          { label: 'کلیک', color: PALETTE[2], values: days.map(function (d) { return d.clicks; }), links: none }
        ]
      });
      ins.days.source.hidden = true;
      queriesTable(ins.queries, 'عبارت‌هایی که بیشتر جستجو شده‌اند', [
        ['عبارت'],
        ['جستجو', function (x) { return x.searches; }],
        ['بی‌نتیجه', function (x) { return x.no_results; }],
        ['کلیک', function (x) { return x.clicks; }],
        ['نرخ کلیک', function (x) { return percent(x.clicks, x.searches); }],
        ['میانگین رتبهٔ کلیک‌شده', function (x) { return x.average_click_position == null ? '—' : faNumber(Math.round(x.average_click_position * 10) / 10); }]
      ], q.queries);
      queriesTable(ins.nothing, 'عبارت‌هایی که جستجویشان نتیجه‌ای نداشته است: صفحه‌هایی که سایت کم دارد', [
        ['عبارت'],
        ['جستجوی بی‌نتیجه', function (x) { return x.searches; }]
      ], q.no_result_queries);
      var csvParams = new URLSearchParams(qp);
      csvParams.set('format', 'csv');
      serverCsv(ins.queries, '/insights/queries?' + csvParams.toString(), key);
      serverCsv(ins.nothing, '/insights/queries?' + csvParams.toString(), key);
      ins.queries.source.hidden = true;
      ins.nothing.source.hidden = true;
    }).catch(function (err) {
      if (my !== seq) return;
      if (err && (err.status === 401 || err.status === 403)) {
        sessionStorage.removeItem(KEY_STORE);
        ins.keyForm.hidden = false;
        ins.body.hidden = true;
        ins.keyError.textContent = err.status === 401 ? 'کلید درست نیست.' : 'این سرور کلید API ندارد؛ گزارش جستجوها در دسترس نیست.';
        ins.keyError.hidden = false;
        return;
      }
      throw err;
    });
  }

  // ---------- update ----------
  var lastTotal = 0, lastYears = [];

  // Draws the tab the state asks for; `yearFacet` is the search page's year facet (the years
  // with documents under every filter but the year's).
  function update(st, total, yearFacet) {
    current = st;
    lastTotal = total;
    lastYears = yearFacet || [];
    var my = ++seq;
    build();
    var tab = st.view.tab === 'searches' ? 'searches' : 'documents';
    setTab(tab);
    root.dataset.state = 'loading';
    root.setAttribute('aria-busy', 'true');
    Promise.all([fontReady]).then(function () {
      return tab === 'searches' ? renderInsights(st, my) : renderDocuments(st, my, lastYears);
    }).then(function () {
      if (my !== seq) return;
      root.dataset.state = 'ready';
      root.removeAttribute('aria-busy');
      if (!marked && performance.mark) { performance.mark('kavosh-dashboard-ready'); marked = true; }
    }).catch(function (err) {
      if (my !== seq) return;
      root.dataset.state = 'error';
      root.removeAttribute('aria-busy');
      clear(panels[tab]);
      if (tab === 'documents') docCards = null; else ins = null;
      panels[tab].appendChild(el('p', { className: 'error-box', role: 'alert' },
        'آمار بارگیری نشد' + (err && err.apiMessage ? ': ' + err.apiMessage : '.')));
    });
  }

  window.kavoshDashboard = { update: update };
})();
