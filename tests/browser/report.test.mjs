// End-to-end tests of `cyberdiff compare --html` in a real headless Chromium (Debian's `chromium`),
// driven by playwright-core. Run through ./run.sh, which installs what is missing and builds the binary.
//
// Environment: CYBERDIFF_BIN (default: the newer of target/release/cyberdiff and target/debug/cyberdiff),
// CHROMIUM (default /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.CYBERDIFF_BIN
  || ['release', 'debug'].map((p) => path.join(root, 'target', p, 'cyberdiff')).filter((p) => fs.existsSync(p))
    .sort((x, y) => fs.statSync(y).mtimeMs - fs.statSync(x).mtimeMs)[0];
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

const inputA = path.join(root, 'inputs', '2019-10_chinadaily_community-shared-future-concept.txt');
const inputB = path.join(root, 'inputs', '2020-11-23_peoplesdaily_wic-congratulatory-letter.txt');

let browser;
let tmp;

before(async () => {
  assert.ok(bin && fs.existsSync(bin), 'no cyberdiff binary: build it (cargo build --release) or set CYBERDIFF_BIN');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cyberdiff-browser-'));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Write the HTML report of `a` and `b` to the temp folder and return its path. */
function htmlReport(a, b, name) {
  const out = path.join(tmp, name);
  // Paths inside the repository are given relative to it, as a user would type them (and as the
  // screenshot shows them).
  const rel = (p) => (p.startsWith(root + path.sep) ? path.relative(root, p) : p);
  execFileSync(bin, ['compare', rel(a), rel(b), '--html', out, '--quiet'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return out;
}

/**
 * Open `file` in a fresh page that records every request, page error, console error and dialog; any
 * request other than the file itself is aborted.
 */
async function open(file, viewport = { width: 1440, height: 900 }, hash = '') {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const seen = { requests: [], errors: [], dialogs: [] };
  const url = pathToFileURL(file).href;
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.split('#')[0] === url) return route.continue();
    seen.requests.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (r) => { if (r.url().split('#')[0] !== url) seen.requests.push(r.url()); });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.goto(url + hash);
  await page.waitForSelector('#text-a mark.h');
  return { context, page, seen };
}

/** Whether the anchor of passage `id` on `side` lies inside the visible box of that side's text. */
async function anchorInView(page, side, id) {
  return page.evaluate(([side, id]) => {
    const pane = document.getElementById('text-' + side).getBoundingClientRect();
    const r = document.getElementById(side + '-p' + id).getBoundingClientRect();
    return r.height > 0 && r.top >= pane.top && r.bottom <= pane.bottom;
  }, [side, id]);
}

async function selectedId(page) {
  const t = await page.locator('#insp-title').innerText();
  const m = /Passage (\d+)/.exec(t);
  return m ? Number(m[1]) : null;
}

test('compare report: click links the texts, opens the diff, keys step, no request leaves the page', async () => {
  const file = htmlReport(inputA, inputB, 'report.html');
  const { context, page, seen } = await open(file);
  try {
    const data = await page.evaluate(() => JSON.parse(document.getElementById('cd-data').textContent));
    assert.ok(data.passages.length >= 3, `expected several passages, got ${data.passages.length}`);

    // Every passage has an anchor on both sides, labelled with its kind.
    for (const p of data.passages) {
      for (const side of ['a', 'b']) {
        const title = await page.getAttribute(`#${side}-p${p.id}`, 'title');
        assert.equal(title, `Passage ${p.id} · ${data.kinds[p.k]}`);
      }
    }

    // A passage alone on its A text whose B counterpart is out of view: clicking it must scroll B.
    const target = await page.evaluate(() => {
      const data = JSON.parse(document.getElementById('cd-data').textContent);
      const pane = document.getElementById('text-b').getBoundingClientRect();
      const cand = data.passages.filter((p) => {
        const solo = document.querySelector(`#text-a mark[data-p="${p.id}"]`);
        const r = document.getElementById('b-p' + p.id).getBoundingClientRect();
        return solo && (r.top > pane.bottom || r.bottom < pane.top);
      });
      return cand.length ? cand[0].id : null;
    });
    assert.ok(target, 'no passage whose B side starts out of view');
    assert.equal(await anchorInView(page, 'b', target), false);

    await page.locator(`#text-a mark[data-p="${target}"]`).first().click();
    assert.equal(await selectedId(page), target);
    assert.ok(await anchorInView(page, 'b', target), 'B side not scrolled to the counterpart');
    assert.ok(await page.locator(`#text-b mark.sel[data-p~="${target}"]`).count() > 0);
    const diffText = await page.locator('#diff').innerText();
    assert.ok(diffText.trim().length > 0, 'diff not shown');
    // The inline diff shows an equal step in B's wording (A's, when it differs, is in a tooltip).
    const [tag, aWords, bWords] = data.passages.find((p) => p.id === target).ops[0];
    const firstWord = (tag === '=' || !aWords ? bWords : aWords).split(/\s+/)[0];
    assert.ok(diffText.toLowerCase().includes(firstWord.toLowerCase()), `diff ${JSON.stringify(diffText)} lacks ${firstWord}`);
    assert.ok(await page.locator('#diff-key').isVisible());

    // Clicking on the B side scrolls A.
    await page.locator('#text-a').evaluate((e) => { e.scrollTop = e.scrollHeight; });
    // (The text there may be covered by several passages: a click on the selected one moves on to
    // the next one covering it, so whatever is selected now must be in view on A.)
    await page.locator(`#text-b mark[data-p~="${target}"]`).first().click();
    const onB = await selectedId(page);
    assert.ok(onB !== null);
    assert.ok(await anchorInView(page, 'a', onB), 'A side not scrolled to the counterpart');

    // Next and previous passage, in the reading order of the side last clicked (B here).
    const orderB = data.passages.slice().sort((x, y) => x.b[0] - y.b[0] || x.id - y.id).map((p) => p.id);
    const clicked = await selectedId(page);
    const i = orderB.indexOf(clicked);
    const expectNext = orderB[Math.min(i + 1, orderB.length - 1)];
    await page.keyboard.press('j');
    assert.equal(await selectedId(page), expectNext);
    assert.ok(await anchorInView(page, 'a', expectNext) && await anchorInView(page, 'b', expectNext));
    assert.ok(await page.locator(`#text-a .sel[data-p~="${expectNext}"]`).count() > 0);
    assert.equal(await page.locator(`#text-a .sel[data-p~="${clicked}"]:not([data-p~="${expectNext}"])`).count(), 0);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await selectedId(page), clicked);
    await page.keyboard.press('ArrowRight');
    assert.equal(await selectedId(page), expectNext);
    await page.keyboard.press('Escape');
    assert.equal(await selectedId(page), null);

    // The table sorts by length, and a row opens its passage.
    await page.locator('#ptable th[data-sort="w"] button').click();
    const words = await page.$$eval('#ptable tbody tr', (rows) => rows.map((r) => Number(r.dataset.w)));
    assert.deepEqual(words, words.slice().sort((x, y) => y - x));
    const firstRow = await page.locator('#ptable tbody tr').first().getAttribute('data-id');
    await page.locator('#ptable tbody tr').first().click();
    assert.equal(await selectedId(page), Number(firstRow));
    await page.locator('#ptable th[data-sort="k"] button').click();
    const kinds = await page.$$eval('#ptable tbody tr', (rows) => rows.map((r) => Number(r.dataset.k)));
    assert.deepEqual(kinds, kinds.slice().sort((x, y) => x - y));

    assert.deepEqual(seen.requests, [], 'the page made network requests');
    assert.deepEqual(seen.errors, [], 'errors in the page');
    assert.deepEqual(seen.dialogs, []);
  } finally {
    await context.close();
  }
});

test('the passage table ranks distinct content first and folds a slogan matched several times', async () => {
  // The 2015 speech and the 2019 concept paper share the slogan several times over.
  const speech = path.join(root, 'inputs', '2015-12-16_xinhua_wic-speech-five-proposals.txt');
  const file = htmlReport(speech, inputA, 'slogans.html');
  const { context, page, seen } = await open(file);
  try {
    const data = await page.evaluate(() => JSON.parse(document.getElementById('cd-data').textContent));
    await page.locator('#passages').scrollIntoViewIfNeeded();
    await page.waitForSelector('#ptable tbody tr');
    const rows = await page.$$eval('#ptable tbody tr', (trs) => trs.map((tr) => ({
      id: Number(tr.dataset.id), w: Number(tr.dataset.w), copy: tr.classList.contains('copy'),
      times: tr.querySelector('.times')?.textContent.trim() ?? null,
    })));
    assert.deepEqual(rows.map((r) => r.id), data.order, 'the table does not start in ranked order');
    assert.equal(new Set(data.order).size, data.passages.length);
    const byId = new Map(data.passages.map((p) => [p.id, p]));
    // A finding folds the same phrase: its best passage says ×N and its N - 1 copies follow it.
    const folded = rows.filter((r) => r.times);
    assert.ok(folded.length >= 1, 'no phrase matched several times is folded');
    for (const f of folded) {
      const n = Number(f.times.replace('×', ''));
      assert.equal(byId.get(f.id).n, n);
      const at = rows.indexOf(f);
      const copies = rows.slice(at + 1, at + n);
      assert.ok(copies.every((c) => c.copy && byId.get(c.id).of === f.id && c.w <= f.w), `copies of ${f.id} do not follow it`);
    }
    // Findings are ranked by the words of their best passage.
    const best = rows.filter((r) => !r.copy).map((r) => r.w);
    assert.deepEqual(best, best.slice().sort((x, y) => y - x));
    assert.ok(rows.length > best.length, 'no copy row');
    assert.deepEqual(seen.requests, [], 'the page made network requests');
    assert.deepEqual(seen.errors, [], 'errors in the page');
  } finally {
    await context.close();
  }
});

test('a link to #pN opens passage N', async () => {
  const file = htmlReport(inputA, inputB, 'report.html');
  const { context, page, seen } = await open(file);
  const data = await page.evaluate(() => JSON.parse(document.getElementById('cd-data').textContent));
  await context.close();
  // The passage that shows most: a kind other than repeated if there is one, with the most changes.
  const changes = (p) => p.ops.filter((o) => o[0] !== '=' || o.length > 2).length;
  const best = data.passages.slice()
    .sort((x, y) => (x.k === 0) - (y.k === 0) || changes(y) - changes(x) || x.id - y.id)[0].id;
  const again = await open(file, undefined, `#p${best}`);
  try {
    assert.equal(await selectedId(again.page), best);
    assert.ok(await anchorInView(again.page, 'a', best) && await anchorInView(again.page, 'b', best));
    assert.deepEqual([...seen.requests, ...again.seen.requests], []);
    assert.deepEqual(again.seen.errors, []);
  } finally {
    await again.context.close();
  }
});

test('hostile documents: markup shows as text and nothing runs', async () => {
  const shared = 'We should speed up the building of an online platform for cultural exchanges and '
    + 'mutual learning among all the countries of the world, and share the best of our cultures.';
  const hostile = '<script>alert(1)</script> then </script><script>alert(2)</script> then '
    + '<img src=x onerror=alert(3)> then <svg onload=alert(4)> then <!-- and --> &amp; "quotes" then '
    + '</script><script>window.__pwned=1</script> <a href="javascript:window.__pwned=2">click</a> '
    + '<iframe srcdoc="<script>parent.__pwned=3</script>"></iframe> <base href="https://evil.example/"> '
    + '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=4"> <style>body{display:none}</style> '
    + '${window.__pwned=5} {{ x }} \u2028 \u2029 <textarea><plaintext>';
  const a = path.join(tmp, 'a<img src=x onerror=alert(6)>.txt');
  const b = path.join(tmp, 'b"onmouseover=alert(5).txt');
  fs.writeFileSync(a, `${hostile}\n\n${shared} ${hostile}\n`);
  fs.writeFileSync(b, `Intro line. ${shared} ${hostile} Closing line.\n`);
  const file = htmlReport(a, b, 'hostile.html');
  const { context, page, seen } = await open(file);
  try {
    const textA = await page.locator('#text-a').innerText();
    assert.ok(textA.includes('<script>alert(1)</script>'), 'hostile text not shown as text');
    assert.ok(textA.includes('<img src=x onerror=alert(3)>'));
    assert.equal(await page.locator('script').count(), 2, 'a script element came from a document');
    assert.equal(await page.locator('img, svg, iframe, base, textarea, plaintext, meta[http-equiv="refresh"], a[href^="javascript:" i]').count(), 0);
    assert.ok(textA.includes('<a href="javascript:window.__pwned=2">click</a>'));
    // Open the passage: its diff shows the hostile words as text too.
    await page.locator('#text-a mark.h').first().click();
    await page.locator('#text-a mark.h').first().hover();
    assert.ok((await page.locator('#diff').innerText()).length > 0);
    await page.keyboard.press('j');
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'document content ran in the page');
    assert.deepEqual(seen.dialogs, [], 'a dialog fired');
    assert.deepEqual(seen.requests, [], 'the page made network requests');
    assert.deepEqual(seen.errors, [], 'errors in the page');
    assert.ok((await page.title()).includes('a<img src=x onerror=alert(6)>'));
  } finally {
    await context.close();
  }
});

test('no shared passage: the page says so and the keys do nothing harmful', async () => {
  const a = path.join(tmp, 'apples.txt');
  const b = path.join(tmp, 'oranges.txt');
  fs.writeFileSync(a, 'Apples grow on trees in orchards and are picked in the autumn by hand.\n');
  fs.writeFileSync(b, 'Quantum chromodynamics describes the strong interaction between quarks and gluons.\n');
  const file = htmlReport(a, b, 'empty.html');
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(pathToFileURL(file).href);
    assert.ok((await page.locator('#passages').innerText()).includes('share no passage'));
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    assert.equal(await selectedId(page), null);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** A seeded pseudo-random generator (mulberry32), so the large documents are the same every run. */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('a large report (about 370 KB a side, about a thousand passages): far passages open and scroll into view', async (t) => {
  const rand = rng(7);
  const syll = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'do', 'fe', 'gi', 'ho', 'ju'];
  const vocab = Array.from({ length: 4000 }, () => {
    let w = '';
    for (let n = 2 + Math.floor(rand() * 3); n > 0; n--) w += syll[Math.floor(rand() * syll.length)];
    return w;
  });
  const sentence = () => {
    const n = 12 + Math.floor(rand() * 10);
    const words = Array.from({ length: n }, () => vocab[Math.floor(rand() * vocab.length)]);
    return words[0][0].toUpperCase() + words.join(' ').slice(1) + '.';
  };
  const paragraphs = (list) => {
    const out = [];
    for (let i = 0; i < list.length; i += 5) out.push(list.slice(i, i + 5).join(' '));
    return out.join('\n\n') + '\n';
  };
  const sa = Array.from({ length: 3200 }, sentence);
  const reused = sa.filter(() => rand() < 0.3);
  const sb = reused.concat(Array.from({ length: 2200 }, sentence)).sort(() => rand() - 0.5);
  const a = path.join(tmp, 'large-a.txt');
  const b = path.join(tmp, 'large-b.txt');
  fs.writeFileSync(a, paragraphs(sa));
  fs.writeFileSync(b, paragraphs(sb));
  const file = htmlReport(a, b, 'large.html');
  const { context, page, seen } = await open(file);
  try {
    const data = await page.evaluate(() => JSON.parse(document.getElementById('cd-data').textContent));
    assert.ok(data.passages.length >= 300, `only ${data.passages.length} passages`);
    t.diagnostic(`${fs.statSync(a).size} and ${fs.statSync(b).size} bytes of text, ${data.passages.length} passages, `
      + `${fs.statSync(file).size} bytes of HTML`);
    assert.ok(await page.locator('#text-a .chunk').count() > 20, 'the text is not cut into chunks');
    // The passage furthest down A: open it from the table, sorted by A line, last first.
    await page.locator('#ptable th[data-sort="a"] button').click();
    await page.locator('#ptable th[data-sort="a"] button').click();
    const last = data.passages.reduce((x, y) => (y.a[0] > x.a[0] ? y : x));
    await page.locator('#ptable tbody tr').first().click();
    assert.equal(await selectedId(page), last.id);
    assert.ok(await anchorInView(page, 'a', last.id) && await anchorInView(page, 'b', last.id));
    // Then one far up B, by its link.
    const firstB = data.passages.reduce((x, y) => (y.b[0] < x.b[0] ? y : x));
    await page.evaluate((id) => { location.hash = '#p' + id; }, firstB.id);
    await page.waitForFunction((id) => /Passage (\d+)/.exec(document.getElementById('insp-title').textContent)?.[1] === String(id), firstB.id);
    assert.ok(await anchorInView(page, 'a', firstB.id) && await anchorInView(page, 'b', firstB.id));
    await page.keyboard.press('j');
    assert.notEqual(await selectedId(page), firstB.id);
    assert.deepEqual(seen.requests, []);
    assert.deepEqual(seen.errors, []);
  } finally {
    await context.close();
  }
});
