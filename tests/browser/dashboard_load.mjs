// The dashboard's load time (issue 16) against a running kavosh, in Debian's headless Chromium:
// from navigation to every chart drawn (the page's `kavosh-dashboard-ready` mark), cold (a new
// browser context each run: nothing cached) and warm (a reload), and the slowest /stats request
// of each load as the browser saw it.
//
//   kavosh serve --index bench-data/bench-index-100000 --listen 127.0.0.1:8080 &
//   cd tests/browser && npm ci && node dashboard_load.mjs http://127.0.0.1:8080 [RUNS] [PATH]
//
// RUNS defaults to 10; PATH to /analytics (e.g. '/analytics?q=فناوری' for a query's dashboard).
// Prints one line per measure: `dashboard_load what=cold n=10 p50_ms=.. min_ms=.. max_ms=..`.
import { chromium } from 'playwright-core';

const base = (process.argv[2] || '').replace(/\/$/, '');
const runs = Number(process.argv[3] || 10);
const target = process.argv[4] || '/analytics';
if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(base) || !(runs >= 1)) {
  console.error('usage: node dashboard_load.mjs http://127.0.0.1:PORT [RUNS] [PATH]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

// Loads the page (or reloads it) and returns [ready ms, slowest /stats ms].
async function load(page, reload) {
  if (reload) await page.reload(); else await page.goto(base + target);
  await page.waitForFunction(() => {
    const d = document.getElementById('dashboard');
    return d && d.dataset.state === 'ready' && performance.getEntriesByName('kavosh-dashboard-ready').length > 0;
  }, null, { timeout: 120000 });
  return page.evaluate(() => [
    performance.getEntriesByName('kavosh-dashboard-ready')[0].startTime,
    Math.max(0, ...performance.getEntriesByType('resource').filter((e) => e.name.includes('/stats?')).map((e) => e.duration)),
  ]);
}

const measures = { cold: [], warm: [], stats_cold: [], stats_warm: [] };
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fa-IR' });
  const page = await context.newPage();
  const [cold, statsCold] = await load(page, false);
  const [warm, statsWarm] = await load(page, true);
  measures.cold.push(cold); measures.stats_cold.push(statsCold);
  measures.warm.push(warm); measures.stats_warm.push(statsWarm);
  await context.close();
}
await browser.close();

const docs = await (await fetch(base + '/health')).json();
console.log(`dashboard_load ${base}${target} documents=${docs.documents} runs=${runs}`);
for (const [what, values] of Object.entries(measures)) {
  const v = values.slice().sort((a, b) => a - b);
  const p50 = v[Math.ceil(v.length / 2) - 1];
  console.log(`dashboard_load what=${what} n=${v.length} p50_ms=${p50.toFixed(0)} min_ms=${v[0].toFixed(0)} max_ms=${v[v.length - 1].toFixed(0)}`);
}
