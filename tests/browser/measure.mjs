// Measure how an HTML report behaves in headless Chromium: load, click-to-paint, scrolling and sorting.
// Not a test (timings depend on the machine): a tool for the figures quoted in reviews.
//
//   node tests/browser/measure.mjs REPORT.html
//
// e.g. with the 1 MB pair of bench/gen_corpus.py:
//   python3 bench/gen_corpus.py /tmp/big && target/release/cyberdiff compare /tmp/big/a.txt /tmp/big/b.txt --html /tmp/big/r.html -q
//   node tests/browser/measure.mjs /tmp/big/r.html
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const file = path.resolve(process.argv[2] ?? '');
if (!fs.existsSync(file)) {
  console.error('usage: node tests/browser/measure.mjs REPORT.html');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const t0 = Date.now();
await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
const wall = Date.now() - t0;
const nav = await page.evaluate(() => {
  const n = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return { domContentLoaded: Math.round(n.domContentLoadedEventEnd), firstPaint: fcp ? Math.round(fcp.startTime) : null };
});
const passages = await page.evaluate(() => JSON.parse(document.getElementById('cd-data').textContent).passages.length);
// Click 20 passages spread over A; time from the click to the second frame after it.
const click = await page.evaluate(async () => {
  const data = JSON.parse(document.getElementById('cd-data').textContent);
  const times = [];
  for (let k = 0; k < 20; k++) {
    const id = data.passages[Math.floor((data.passages.length * k) / 20)].id;
    const m = document.querySelector('#text-a mark[data-p~="' + id + '"]');
    if (!m) continue;
    const t = performance.now();
    m.click();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: Math.round(times[times.length >> 1]), max: Math.round(times[times.length - 1]) };
});
// Scroll B by 700 px a frame for 120 frames: the gaps between frames.
const scroll = await page.evaluate(async () => {
  const pane = document.getElementById('text-b');
  pane.scrollTop = 0;
  const gaps = [];
  let last = performance.now();
  for (let i = 0; i < 120; i++) {
    pane.scrollTop += 700;
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }
  gaps.sort((a, b) => a - b);
  return { median: +gaps[60].toFixed(1), p95: +gaps[114].toFixed(1), max: +gaps[119].toFixed(1) };
});
const sort = await page.evaluate(() => {
  const b = document.querySelector('#ptable th[data-sort="w"] button');
  if (!b) return null;
  const t = performance.now();
  b.click();
  document.body.offsetHeight;
  return Math.round(performance.now() - t);
});
console.log(JSON.stringify({
  file, bytes: fs.statSync(file).size, passages, load_wall_ms: wall, ...nav,
  click_to_paint_ms: click, scroll_frame_gap_ms: scroll, build_and_sort_table_ms: sort,
}, null, 2));
await browser.close();
