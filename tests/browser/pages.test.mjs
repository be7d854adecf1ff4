// End-to-end tests of cyberdiff's other HTML pages in a real headless Chromium (Debian's `chromium`),
// driven by playwright-core: the track page (`cyberdiff track --html`), the scan index page and its pair
// pages (`cyberdiff scan --html`), and the index of `cyberdiff report --out DIR` with every link it
// leads to. Every page is opened through file:// in a context that records every request other than
// the page itself (and aborts it), every page error, console error and dialog; each test asserts there
// were none. Run through ./run.sh, which installs what is missing and builds the binary.
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
const inputs = path.join(root, 'inputs');
const inputDocs = fs.readdirSync(inputs).filter((f) => f.endsWith('.txt')).sort();

let browser;
let tmp;

before(async () => {
  assert.ok(bin && fs.existsSync(bin), 'no cyberdiff binary: build it (cargo build) or set CYBERDIFF_BIN');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cyberdiff-pages-'));
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

/** Run cyberdiff with `args` from the repository root (paths inside it given relative, as a user would). */
function cyberdiff(args) {
  execFileSync(bin, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** A fresh folder in the temp folder. */
function folder(name) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The URL without its fragment. */
const bare = (u) => u.split('#')[0];

/**
 * A fresh browser context that records every request, page error, console error and dialog. Requests
 * for the file:// URLs in `allowed` (a Set, which the test may grow before following a link) go
 * through; any other request is recorded and aborted.
 */
async function recorder(allowed) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const seen = { requests: [], errors: [], dialogs: [] };
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (allowed.has(bare(u))) return route.continue();
    seen.requests.push(u);
    return route.abort();
  });
  const watch = (page) => {
    page.on('request', (r) => { if (!allowed.has(bare(r.url()))) seen.requests.push(r.url()); });
    page.on('pageerror', (e) => seen.errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
    page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    page.on('popup', (p) => { seen.requests.push(`popup ${p.url()}`); watch(p); });
  };
  const page = await context.newPage();
  watch(page);
  return { context, page, seen };
}

/** Open `file` (a path) in a recording context that allows only it. */
async function open(file) {
  const url = pathToFileURL(file).href;
  const allowed = new Set([url]);
  const r = await recorder(allowed);
  const res = await r.page.goto(url);
  assert.ok(res === null || res.ok(), `${url} did not load`);
  return { ...r, allowed, url };
}

/** Nothing left the page, nothing failed, no dialog opened, no document content ran. */
async function assertQuiet(page, seen) {
  await page.waitForTimeout(150); // a late onerror or timer would have fired by now
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'document content ran in the page');
  assert.deepEqual(seen.dialogs, [], 'a dialog fired');
  assert.deepEqual(seen.requests, [], 'the page made network requests');
  assert.deepEqual(seen.errors, [], 'errors in the page');
}

const HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>'];

/**
 * More hostile markup for the documents' text (no single quotes: the tests put texts in TOML literal
 * strings): breaking out of the embedded JSON, links and refreshes to javascript:, frames, a base URL,
 * styles, comments and template syntax, and U+2028/U+2029, which end a line inside a script. Anything
 * that runs sets `window.__pwned`, which `assertQuiet` checks, or opens a dialog.
 */
const HOSTILE_MORE = [
  '</script><script>window.__pwned=1</script>',
  '<a href="javascript:window.__pwned=2" id="jslink">click me</a>',
  '<iframe srcdoc="<script>parent.__pwned=3</script>"></iframe>',
  '<svg onload=window.__pwned=4>',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=5">',
  '<base href="https://evil.example/">',
  '<style>body{display:none}</style>',
  '<!-- ]]> {{ x }} ${window.__pwned=6} -->',
  '<textarea><plaintext><xmp>',
  '\u2028line\u2029para',
];

/** Elements that a document or statement could have injected, on a page whose own elements are known. */
async function injected(page) {
  return page.evaluate(() => ({
    media: document.querySelectorAll('img, svg, iframe, object, embed, video, audio, base, textarea, plaintext, xmp, meta[http-equiv="refresh"], a[href^="javascript:" i]').length,
    handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)),
    scripts: [...document.querySelectorAll('script')].map((s) => s.type || 'classic'),
  }));
}

// ---------------------------------------------------------------------------------------------------
// track

/** The grid as shown: document headers, and per statement row its id and cells. */
async function readGrid(page) {
  return page.evaluate(() => {
    const docs = [...document.querySelectorAll('#grid thead .doc-h')].map((th) => ({
      label: th.querySelector('.doc-date').textContent,
      id: th.querySelector('.doc-id').textContent,
      path: th.title,
    }));
    const rows = [...document.querySelectorAll('#grid tbody tr:not(.group-row)')].map((tr) => ({
      id: tr.querySelector('.stmt .sid').textContent,
      text: tr.querySelector('.stmt .stext').textContent,
      cells: [...tr.querySelectorAll('td.cell')].map((td) => ({
        status: [...td.classList].find((c) => c.startsWith('st-')).slice(3),
        key: td.querySelector('button.open')?.dataset.cell ?? null,
        text: td.innerText.trim(),
      })),
    }));
    return { docs, rows };
  });
}

/** The statements of a statements file, in order (the simple TOML these tests write and inputs/ uses). */
function statementsOf(tomlFile) {
  const toml = fs.readFileSync(tomlFile, 'utf8');
  return toml.split(/^\[\[statement\]\]$/m).slice(1).map((block) => {
    const get = (k) => {
      const m = new RegExp(`^${k}\\s*=\\s*('([^']*)'|"((?:[^"\\\\]|\\\\.)*)")`, 'm').exec(block);
      return m ? (m[2] ?? JSON.parse(`"${m[3]}"`)) : undefined;
    };
    return { id: get('id'), group: get('group'), text: get('text') };
  });
}

/**
 * Click every present cell of the grid and check the inspector against the embedded data: title,
 * one box per occurrence with its passage marked in its context (and that context found in the
 * document), and the word diff against the statement. Returns the number of cells opened.
 */
async function checkEveryCell(page, grid, docText) {
  const data = await page.evaluate(() => JSON.parse(document.getElementById('cd-data').textContent));
  const byKey = Object.fromEntries(data.cells.map((c) => [c.key, c]));
  let opened = 0;
  for (const [si, row] of grid.rows.entries()) {
    for (const [di, cell] of row.cells.entries()) {
      if (cell.key === null) continue;
      assert.equal(cell.key, `${si}-${di}`, 'cell key is not its row-column');
      const c = byKey[cell.key];
      assert.ok(c, `no data for cell ${cell.key}`);
      const button = page.locator(`#grid button.open[data-cell="${cell.key}"]`);
      await button.click();
      assert.equal(await button.getAttribute('aria-pressed'), 'true');
      assert.equal(await page.locator('#grid button.open[aria-pressed="true"]').count(), 1);
      assert.equal(await page.locator('#insp-title').textContent(), `${row.id} in ${grid.docs[di].id}`);
      assert.ok((await page.locator('#insp-meta').textContent()).includes(row.text));
      assert.ok(await page.locator('#diff-key').isVisible(), 'the diff key is hidden');
      const occ = page.locator('#insp-body .occ');
      assert.equal(await occ.count(), c.occurrences.length, `cell ${cell.key}: one box per occurrence`);
      assert.equal(c.occurrences[0].status, cell.status, `cell ${cell.key}: the grid shows the best occurrence`);
      for (const [i, o] of c.occurrences.entries()) {
        const box = occ.nth(i);
        assert.ok((await box.locator('h4').textContent()).includes(`${o.status} · score ${o.score.toFixed(2)} · line ${o.line}`));
        // The passage, marked, in its context; the context is the document's text around it.
        assert.equal(await box.locator('.ctx mark').textContent(), o.text);
        const ctx = await box.locator('.ctx').textContent();
        assert.ok(ctx.includes(o.before + o.text + o.after), `cell ${cell.key}: passage not in its context`);
        assert.ok(docText(di).includes(o.before + o.text + o.after), `cell ${cell.key}: context not from the document`);
        // The word diff, statement to passage: its equal words, deletions and insertions.
        const diff = box.locator('p.diff');
        assert.equal(await diff.count(), 1);
        const diffText = await diff.textContent();
        for (const op of o.ops) {
          if (op.op === 'equal') assert.ok(diffText.includes(op.b), `diff lacks ${op.b}`);
        }
        // Deletions and substitutions without a relation show the statement's words struck out,
        // insertions and those substitutions the passage's words; related words are marked.
        const sub = (op) => !['equal', 'delete', 'insert'].includes(op.op);
        assert.deepEqual(await diff.locator(':scope > del').allTextContents(),
          o.ops.flatMap((op) => (op.op === 'delete' || (sub(op) && !op.relation) ? [op.a] : [])));
        assert.deepEqual(await diff.locator(':scope > ins').allTextContents(),
          o.ops.flatMap((op) => (op.op === 'insert' || (sub(op) && !op.relation) ? [op.b] : [])));
        assert.deepEqual(await diff.locator(':scope > .rel').allTextContents(),
          o.ops.flatMap((op) => (sub(op) && op.relation ? [op.b] : [])));
      }
      opened += 1;
    }
  }
  return opened;
}

/** Absent cells: no button, they say absent, and clicking one leaves the inspector as it was. */
async function checkAbsent(page, grid) {
  const absent = grid.rows.flatMap((r) => r.cells).filter((c) => c.key === null);
  for (const c of absent) {
    assert.equal(c.status, 'absent');
    assert.ok(c.text.includes('absent'), `an absent cell says ${JSON.stringify(c.text)}`);
  }
  if (absent.length) {
    const before = await page.locator('#inspector').innerHTML();
    await page.locator('#grid td.st-absent .absent').first().click();
    assert.equal(await page.locator('#inspector').innerHTML(), before, 'clicking an absent cell changed the inspector');
  }
  return absent.length;
}

/** One timeline per statement, each listing the documents in the grid's order with the grid's status. */
async function checkTimelines(page, grid) {
  const tls = await page.evaluate(() => [...document.querySelectorAll('.timelines .timeline')].map((t) => ({
    id: t.querySelector('h3 .sid').textContent,
    head: t.querySelector('h3').textContent,
    items: [...t.querySelectorAll('ol > li')].map((li) => ({
      date: li.querySelector('.tl-date').textContent,
      status: li.querySelector('.tl-status').textContent,
      note: li.querySelector('.tl-note').textContent,
    })),
  })));
  assert.equal(tls.length, grid.rows.length, 'one timeline per statement');
  for (const [si, row] of grid.rows.entries()) {
    const t = tls[si];
    assert.equal(t.id, row.id);
    assert.ok(t.head.includes(row.text));
    assert.deepEqual(t.items.map((x) => x.date), grid.docs.map((d) => d.label), `timeline of ${row.id}: not the grid's documents`);
    assert.deepEqual(t.items.map((x) => x.status), row.cells.map((c) => c.status), `timeline of ${row.id}: not the grid's statuses`);
    for (const [di, it] of t.items.entries()) {
      assert.ok(it.note.length > 0, `timeline of ${row.id}, document ${di}: no note`);
    }
    const firstPresent = t.items.findIndex((x) => x.status !== 'absent');
    if (firstPresent >= 0) assert.ok(t.items[firstPresent].note.startsWith('first appearance'), `timeline of ${row.id}: ${t.items[firstPresent].note}`);
  }
}

test('track page: the grid in date order, cells open their passage in context with the word diff, absent cells, timelines', async () => {
  const out = path.join(folder('track'), 'track.html');
  cyberdiff(['track', '--statements', 'inputs/statements.toml', 'inputs', '--html', out, '--quiet']);
  const { context, page, seen } = await open(out);
  try {
    const grid = await readGrid(page);
    const statements = statementsOf(path.join(inputs, 'statements.toml'));
    // Statements × documents.
    assert.equal(grid.docs.length, inputDocs.length);
    assert.deepEqual(grid.docs.map((d) => path.basename(d.path)).sort(), inputDocs);
    assert.deepEqual(grid.rows.map((r) => r.id), statements.map((s) => s.id));
    assert.deepEqual(grid.rows.map((r) => r.text), statements.map((s) => s.text));
    for (const r of grid.rows) assert.equal(r.cells.length, grid.docs.length, `row ${r.id}: one cell per document`);
    // Groups, as headers above their statements.
    const groups = await page.locator('#grid tr.group-row th').allTextContents();
    assert.deepEqual(groups, [...new Set(statements.map((s) => s.group))]);
    // Date order: the file names of inputs/ start with their dates.
    const dates = grid.docs.map((d) => d.label);
    assert.deepEqual(dates, dates.slice().sort(), 'documents not in date order');
    for (const d of grid.docs) assert.ok(path.basename(d.path).startsWith(d.label), `${d.path} labelled ${d.label}`);

    // The legend counts every cell.
    const legend = await page.$$eval('.legend li', (lis) => Object.fromEntries(lis.map((li) => [li.className.slice(3), Number(li.querySelector('b')?.textContent ?? 0)])));
    const counts = {};
    for (const c of grid.rows.flatMap((r) => r.cells)) counts[c.status] = (counts[c.status] ?? 0) + 1;
    for (const [k, v] of Object.entries(legend)) assert.equal(v, counts[k] ?? 0, `legend ${k}`);

    assert.equal(await page.locator('#insp-title').textContent(), 'No cell selected');
    const absent = await checkAbsent(page, grid);
    assert.ok(absent > 0, 'no absent cell on inputs/');
    const texts = grid.docs.map((d) => fs.readFileSync(path.resolve(root, d.path), 'utf8'));
    const opened = await checkEveryCell(page, grid, (di) => texts[di]);
    assert.ok(opened >= 10, `only ${opened} present cells`);
    // A cell with several occurrences shows each.
    assert.ok(await page.locator('#grid button.open .count').count() > 0, 'no cell with several occurrences on inputs/');
    await checkTimelines(page, grid);
    await assertQuiet(page, seen);
  } finally {
    await context.close();
  }
});

test('track page: hostile statements and documents show as text, nothing runs, dates from the manifest order the grid', async () => {
  const dir = folder('track-hostile');
  const docs = path.join(dir, 'docs');
  fs.mkdirSync(docs);
  const [s1, s2] = HOSTILE;
  const stmtA = 'Building an online platform for cultural exchange and mutual learning';
  const stmtB = 'Respect for cyber sovereignty and peaceful cooperation among nations';
  // Statement texts with markup in them, in TOML literal strings.
  fs.writeFileSync(path.join(dir, 'statements.toml'), [
    '[[statement]]', "id = \"h1\"", `group = '${s1} group'`, `text = '${stmtA} ${s1}'`, '',
    '[[statement]]', "id = \"h2\"", `group = '${s2} group'`, `text = '${stmtB} ${s2}'`, '',
    '[[statement]]', "id = \"h3\"", `group = '${s2} group'`, "text = 'Quantum chromodynamics of gluons and quarks in the lattice'", '',
  ].join('\n'));
  // Documents whose names sort against their dates (the manifest gives the dates) and whose text and
  // titles carry markup.
  const files = [
    ['a-late.txt', '2021-05-01', `Late ${s2} title`, `Later on. ${stmtA} ${s1} and again. Then ${stmtB} ${s2} too.\n`],
    ['b-early.txt', '2015-02-01', `Early ${s1} title`, `First. ${s1} We call for ${stmtA} ${HOSTILE_MORE.join(' ')} ${s1} ${s2}.\n\nOther words.\n`],
    ['c-middle.txt', '2018-07-09', 'Middle', `Nothing of the statements here, only ${s1} and ${s2} as text. ${HOSTILE_MORE.join(' ')}\n`],
  ];
  for (const [f, , , text] of files) fs.writeFileSync(path.join(docs, f), text);
  fs.writeFileSync(path.join(docs, 'corpus.toml'), files.map(([f, date, title]) => `[[document]]\nfile = "${f}"\ndate = "${date}"\ntitle = '${title}'\n`).join('\n'));
  const out = path.join(dir, 'track.html');
  cyberdiff(['track', '--statements', path.join(dir, 'statements.toml'), docs, '--html', out, '--quiet']);
  const { context, page, seen } = await open(out);
  try {
    const grid = await readGrid(page);
    assert.deepEqual(grid.docs.map((d) => d.label), ['2015-02-01', '2018-07-09', '2021-05-01'], 'not in the manifest\'s date order');
    assert.deepEqual(grid.docs.map((d) => path.basename(d.path)), ['b-early.txt', 'c-middle.txt', 'a-late.txt']);
    assert.deepEqual(grid.rows.map((r) => r.text), [`${stmtA} ${s1}`, `${stmtB} ${s2}`, statementsOf(path.join(dir, 'statements.toml'))[2].text]);
    assert.deepEqual(await page.locator('#grid tr.group-row th').allTextContents(), [`${s1} group`, `${s2} group`]);
    const body = await page.locator('body').innerText();
    for (const s of HOSTILE) assert.ok(body.includes(s), `${s} not shown as text`);
    const inj = await injected(page);
    assert.equal(inj.media, 0, 'an element came from a statement or document');
    assert.deepEqual(inj.handlers, []);
    assert.deepEqual(inj.scripts, ['application/json', 'classic']);

    const texts = grid.docs.map((d) => fs.readFileSync(path.resolve(root, d.path), 'utf8'));
    const opened = await checkEveryCell(page, grid, (di) => texts[di]);
    assert.ok(opened >= 2, `only ${opened} present cells`);
    // The passages and their contexts show the markup as text.
    await page.locator('#grid button.open').first().click();
    const insp = await page.locator('#insp-body').innerText();
    assert.ok(HOSTILE.some((s) => insp.includes(s)), `the inspector shows no markup as text: ${insp}`);
    assert.ok(await checkAbsent(page, grid) > 0);
    await checkTimelines(page, grid);
    const inj2 = await injected(page);
    assert.equal(inj2.media, 0, 'opening a cell injected an element');
    assert.deepEqual(inj2.handlers, []);
    await assertQuiet(page, seen);
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------------------------------------------
// scan

/** Every link of the open page: its href as written, the URL it resolves to, and its text. */
async function links(page) {
  return page.$$eval('a[href]', (as) => as.map((a) => ({ raw: a.getAttribute('href'), url: a.href, text: a.textContent })));
}

/**
 * Whether the fragment link `raw` (#id) of the open page leads somewhere: an element with that id, or
 * on a compare page, #pN for a passage N it has (the page's script opens it; see report.test.mjs).
 */
async function fragmentResolves(page, raw) {
  return page.evaluate((id) => {
    if (document.getElementById(id)) return true;
    const m = /^p(\d+)$/.exec(id);
    const data = document.getElementById('cd-data');
    return Boolean(m && data && document.getElementById('a-p' + m[1]) && document.getElementById('b-p' + m[1])
      && JSON.parse(data.textContent).passages.some((p) => p.id === Number(m[1])));
  }, decodeURIComponent(raw.slice(1)));
}

/**
 * Check that `url` (file://, maybe with a fragment) names an existing file under `dir` and, with a
 * fragment, an element of that page with that id (`ids` of the page that links, for same-page links).
 */
function assertResolves(url, dir, from) {
  const u = new URL(url);
  assert.equal(u.protocol, 'file:', `${url} (from ${from}) is not a local file`);
  const file = fileURLToPath(bare(url));
  assert.ok(fs.existsSync(file) && fs.statSync(file).isFile(), `broken link ${url} from ${from}`);
  assert.ok(path.resolve(file).startsWith(path.resolve(dir) + path.sep), `${url} (from ${from}) leaves ${dir}`);
  return file;
}

/** The heat map as shown: header count, and per row its cells (linked or not). */
async function readHeat(page) {
  return page.evaluate(() => {
    const t = document.querySelector('#heatmap table.heat');
    const rows = [...t.querySelectorAll('tr')].slice(1).map((tr) => ({
      head: tr.querySelector('th.rowh').textContent,
      cells: [...tr.querySelectorAll('td')].map((td) => ({
        cls: td.className, href: td.querySelector('a')?.href ?? null, title: td.querySelector('span')?.title ?? null,
      })),
    }));
    const box = t.getBoundingClientRect();
    return { cols: t.querySelectorAll('tr:first-child th').length - 1, rows, width: box.width, height: box.height };
  });
}

/** Follow the link `href` on the open page (a pair page) and check the side-by-side compare page it opens. */
async function followPair(r, href, pairsDir) {
  const file = assertResolves(href, pairsDir, 'the scan page');
  r.allowed.add(bare(href));
  await Promise.all([r.page.waitForURL(bare(href)), r.page.locator(`a[href$="${path.basename(file)}"]`).first().click()]);
  await r.page.waitForSelector('#text-a mark.h');
  const data = await r.page.evaluate(() => JSON.parse(document.getElementById('cd-data').textContent));
  assert.ok(data.passages.length >= 1, 'the pair page has no passage');
  // Side by side: A left of B, both visible.
  const [a, b] = await Promise.all(['#text-a', '#text-b'].map((s) => r.page.locator(s).boundingBox()));
  assert.ok(a && b && a.width > 100 && b.width > 100 && a.x + a.width <= b.x + 1, 'the texts are not side by side');
  // It works: a click on a passage opens it.
  await r.page.locator('#text-a mark.h').first().click();
  assert.match(await r.page.locator('#insp-title').innerText(), /Passage \d+/);
  assert.ok((await r.page.locator('#diff').innerText()).trim().length > 0, 'no diff');
  return { file, data };
}

test('scan page: the heat map, a pair\'s link opens its side-by-side page, clusters, pairs, documents; every link resolves', async () => {
  const dir = folder('scan');
  const out = path.join(dir, 'scan.html');
  cyberdiff(['scan', 'inputs', '--html', out, '--quiet']);
  const pairsDir = path.join(dir, 'scan-pairs');
  const r = await open(out);
  try {
    const { page, seen } = r;
    // The heat map: one row and one column per document, the diagonal marked, and it has a size.
    const heat = await readHeat(page);
    assert.equal(heat.cols, inputDocs.length);
    assert.equal(heat.rows.length, inputDocs.length);
    assert.ok(heat.width > 100 && heat.height > 50, `heat map ${heat.width}×${heat.height}`);
    heat.rows.forEach((row, i) => {
      assert.equal(row.cells.length, inputDocs.length);
      assert.equal(row.cells[i].cls, 'self');
    });
    const linked = heat.rows.flatMap((row) => row.cells).filter((c) => c.href);
    assert.ok(linked.length >= 2, 'no linked cell in the heat map');
    for (const c of linked) assert.match(c.cls, /^h\d+$/);
    // Symmetric: (i, j) and (j, i) open the same pair page.
    heat.rows.forEach((row, i) => row.cells.forEach((c, j) => assert.equal(c.href, heat.rows[j].cells[i].href, `cells (${i},${j}) and (${j},${i})`)));
    // Its cells' colours: the background differs with the level.
    const bg = await page.$$eval('#heatmap td[class^="h"]', (tds) => [...new Set(tds.map((td) => getComputedStyle(td).backgroundColor))]);
    assert.ok(bg.every((c) => c !== 'rgba(0, 0, 0, 0)'), 'heat cells without a colour');

    // Clusters: each a <details> with a timeline and a table whose first row is the source.
    const clusters = page.locator('#clusters details.cluster');
    assert.ok(await clusters.count() >= 1, 'no cluster');
    const first = clusters.first();
    assert.equal(await first.locator('table').isVisible(), false);
    await first.locator('summary').click();
    assert.ok(await first.locator('table').isVisible(), 'a cluster does not open');
    assert.ok(await first.locator('.timeline .dot').count() >= 2);
    assert.equal(await first.locator('table tr:nth-child(2) td.k-source').count(), 1, 'a cluster\'s first row is not its source');
    // Pairs, duplicates, boilerplate and documents: the sections are there.
    for (const id of ['pairs', 'duplicates', 'boilerplate', 'documents']) {
      assert.equal(await page.locator(`section#${id} h2`).count(), 1, `no ${id} section`);
    }
    const pairRows = await page.locator('#pairs table tr').count() - 1;
    assert.ok(pairRows >= linked.length / 2, 'pairs table shorter than the heat map\'s pairs');
    assert.equal(await page.locator('#documents table tr').count() - 1, inputDocs.length);

    // Every link resolves: fragments to an element of this page, files to existing pair pages.
    const ls = await links(page);
    for (const l of ls) {
      if (l.raw.startsWith('#')) {
        assert.ok(await fragmentResolves(page, l.raw), `broken fragment ${l.raw}`);
      } else {
        assertResolves(l.url, pairsDir, 'scan.html');
      }
    }
    const pages = fs.readdirSync(pairsDir);
    const linkedPages = new Set(ls.filter((l) => !l.raw.startsWith('#')).map((l) => path.basename(fileURLToPath(bare(l.url)))));
    assert.deepEqual([...linkedPages].sort(), pages.sort(), 'pair pages written but not linked, or linked but not written');

    // The nav reaches its section.
    await page.locator('nav a[href="#boilerplate"]').click();
    assert.ok(page.url().endsWith('#boilerplate'));

    // A link from a pair in the heat map opens its side-by-side compare page.
    const { data } = await followPair(r, linked[0].href, pairsDir);
    // The page shows the two documents the heat map's cell names.
    const [docA, docB] = linked[0].title.split(':')[0].split(' ~ ');
    const title = await page.title();
    assert.ok(title.includes(docA) && title.includes(docB), `pair page ${title} is not ${docA} ~ ${docB}`);
    assert.ok(data.passages.length > 0);
    await page.goBack();
    assert.equal(bare(page.url()), r.url);
    await assertQuiet(page, seen);
  } finally {
    await r.context.close();
  }
});

/** A deterministic paragraph of `n` made-up words from `seed`. */
function filler(seed, n) {
  const syll = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'do', 'fe', 'gi'];
  let x = seed * 2654435761 >>> 0;
  const next = () => { x = (Math.imul(x ^ (x >>> 15), 2246822519) + 3266489917) >>> 0; return x; };
  return Array.from({ length: n }, () => syll[next() % 14] + syll[next() % 14] + syll[next() % 14]).join(' ');
}

test('scan page: hostile documents show as text; boilerplate listed; pairs past --html-pairs are not linked', async () => {
  const dir = folder('scan-hostile');
  const docs = path.join(dir, 'docs');
  fs.mkdirSync(docs);
  const [s1, s2] = HOSTILE;
  const boiler = 'This article was distributed by the official news service and may be reproduced freely '
    + 'provided the source is credited in full and no part of it is altered in any way whatsoever.';
  const reused = `The conference agreed that ${s1} every nation should build an online platform for cultural `
    + `exchanges and mutual learning ${s2} and share the best of its culture with the world at large.`;
  const names = [];
  for (let i = 0; i < 6; i++) {
    const name = `201${i}-0${i + 1}-15_doc${i}${i === 1 ? ` ${s2}` : ''}.txt`.replace(/\//g, '_');
    names.push(name);
    const body = [filler(i + 1, 80), i < 3 ? reused : filler(100 + i, 40), filler(50 + i, 60), boiler].join('\n\n');
    fs.writeFileSync(path.join(docs, name), `${s1} ${s2} heading\n\n${body}\n\n${HOSTILE_MORE.join(' ')}\n`);
  }
  const out = path.join(dir, 'scan.html');
  cyberdiff(['scan', docs, '--html', out, '--html-pairs', '2', '--quiet']);
  const pairsDir = path.join(dir, 'scan-pairs');
  const r = await open(out);
  try {
    const { page, seen } = r;
    const body = await page.locator('body').innerText();
    for (const s of HOSTILE) assert.ok(body.includes(s), `${s} not shown as text`);
    const inj = await injected(page);
    assert.equal(inj.media, 0, 'an element came from a document');
    assert.deepEqual(inj.handlers, []);
    assert.deepEqual(inj.scripts, [], 'the scan page has a script');
    // The hostile file name is shown as text in the documents table.
    assert.ok((await page.locator('#documents').innerText()).includes(`doc1 ${s2}`));
    // A cluster's text cell shows the reused passage with its markup as text.
    assert.ok(await page.locator('#clusters details.cluster').count() >= 1, 'no cluster');
    await page.locator('#clusters details.cluster summary').first().click();
    const clusterText = await page.locator('#clusters details.cluster').first().innerText();
    assert.ok(HOSTILE.some((s) => clusterText.includes(s)), `the cluster shows no markup as text: ${clusterText}`);
    // Boilerplate: the shared footer, in all six documents, is listed.
    const boilerRows = await page.$$eval('#boilerplate table tr', (trs) => trs.slice(1).map((tr) => [...tr.cells].map((td) => td.textContent)));
    assert.ok(boilerRows.length >= 1, 'the boilerplate list is empty');
    assert.ok(boilerRows.some((cells) => cells.some((t) => t.includes('reproduced freely'))), `boilerplate ${JSON.stringify(boilerRows)}`);
    // Only two pair pages written, and only those linked; every link resolves.
    const pages = fs.readdirSync(pairsDir).sort();
    assert.equal(pages.length, 2);
    const ls = await links(page);
    for (const l of ls) {
      if (l.raw.startsWith('#')) assert.ok(await fragmentResolves(page, l.raw), `broken fragment ${l.raw}`);
      else assertResolves(l.url, pairsDir, 'scan.html');
    }
    const pairRows = await page.locator('#pairs table tr').count() - 1;
    assert.ok(pairRows > 2, `expected more than two pairs, got ${pairRows}`);
    // The pair page of the reused passage shows the markup as text and runs none of it.
    const pairLinks = ls.filter((l) => !l.raw.startsWith('#'));
    await followPair(r, pairLinks[0].url, pairsDir);
    const text = await page.locator('#text-a').innerText() + await page.locator('#text-b').innerText();
    for (const s of HOSTILE) assert.ok(text.includes(s), `${s} not shown as text on the pair page`);
    for (const s of HOSTILE_MORE.slice(0, -1)) assert.ok(text.includes(s), `${s} not shown as text on the pair page`);
    const inj2 = await injected(page);
    assert.equal(inj2.media, 0, 'an element came from a document on the pair page');
    assert.deepEqual(inj2.handlers, []);
    await assertQuiet(page, seen);
  } finally {
    await r.context.close();
  }
});

// Regression: the pair folder was HTML-escaped but not percent-encoded, so a page named with `#` or
// `?` linked to a fragment or a query instead of its pair pages.
test('scan page named with # or ?: the pair links still resolve', async () => {
  const dir = folder('scan-odd-name');
  for (const name of ['my #1.html', 'what?.html']) {
    const out = path.join(dir, name);
    cyberdiff(['scan', 'inputs', '--html', out, '--html-pairs', '1', '--quiet']);
    const r = await open(out);
    try {
      const ls = (await links(r.page)).filter((l) => !l.raw.startsWith('#'));
      assert.ok(ls.length > 0, `${name}: no pair link`);
      for (const l of ls) assertResolves(l.url, path.join(dir, `${path.parse(name).name}-pairs`), name);
    } finally {
      await r.context.close();
    }
  }
});

// ---------------------------------------------------------------------------------------------------
// report

test('report: index.html links every page, and every link, followed through file://, resolves', async () => {
  const dir = folder('report');
  cyberdiff(['report', '--out', dir, '--quiet']);
  const index = path.join(dir, 'index.html');
  const written = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : written.push(path.join(d, e.name))));
  walk(dir);
  const allowed = new Set(written.map((f) => pathToFileURL(f).href));
  const r = await recorder(allowed);
  const { page, seen } = r;
  try {
    await page.goto(pathToFileURL(index).href);
    assert.equal(await page.locator('h1').textContent(), 'cyberdiff report');
    const ls = await links(page);
    // The index links each page it wrote beside it: track, scan and every JSON file.
    const top = fs.readdirSync(dir).filter((f) => f !== 'index.html' && fs.statSync(path.join(dir, f)).isFile()).sort();
    const fromIndex = [...new Set(ls.map((l) => path.relative(dir, fileURLToPath(bare(l.url)))))].sort();
    assert.deepEqual(fromIndex, top, 'index.html does not link exactly the files written beside it');
    for (const want of ['track.html', 'scan.html', 'report.json']) assert.ok(top.includes(want), `no ${want} written`);

    // Crawl: every link of every HTML page reachable from the index resolves to a file written (or a
    // fragment of its page), and every HTML page written is reachable.
    const queue = [pathToFileURL(index).href];
    const visited = new Set();
    let checked = 0;
    while (queue.length) {
      const url = queue.shift();
      if (visited.has(url)) continue;
      visited.add(url);
      const res = await page.goto(url);
      assert.ok(res === null || res.ok(), `${url} did not load`);
      if (!url.endsWith('.html')) continue;
      for (const l of await links(page)) {
        checked += 1;
        if (l.raw.startsWith('#')) {
          assert.ok(await fragmentResolves(page, l.raw), `broken fragment ${l.raw} on ${url}`);
          continue;
        }
        const file = assertResolves(l.url, dir, url);
        assert.ok(allowed.has(pathToFileURL(file).href), `${l.url} from ${url} is not a file the report wrote`);
        queue.push(pathToFileURL(file).href);
      }
    }
    const pagesWritten = written.filter((f) => f.endsWith('.html')).map((f) => pathToFileURL(f).href).sort();
    assert.deepEqual([...visited].filter((u) => u.endsWith('.html')).sort(), pagesWritten, 'an HTML page written is not linked');
    assert.ok(visited.size >= 5 && checked >= 10, `only ${visited.size} pages and ${checked} links`);

    // Clicking the index's main links opens the pages, which work.
    await page.goto(pathToFileURL(index).href);
    await Promise.all([page.waitForURL('**/track.html'), page.locator('a.main[href="track.html"]').click()]);
    await page.locator('#grid button.open').first().click();
    assert.notEqual(await page.locator('#insp-title').textContent(), 'No cell selected');
    await page.goBack();
    await Promise.all([page.waitForURL('**/scan.html'), page.locator('a.main[href="scan.html"]').click()]);
    assert.ok(await page.locator('#heatmap table.heat a').count() > 0);
    await Promise.all([page.waitForURL('**/pair-*.html'), page.locator('#heatmap table.heat a').first().click()]);
    await page.waitForSelector('#text-a mark.h');
    await assertQuiet(page, seen);
  } finally {
    await r.context.close();
  }
});
