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
      id: th.dataset.id,
      shown: th.querySelector('.doc-id').textContent,
      path: th.title,
    }));
    const rows = [...document.querySelectorAll('#grid tbody tr:not(.group-row)')].map((tr) => ({
      id: tr.querySelector('.stmt .sid').textContent,
      text: tr.querySelector('.stmt .stext').textContent,
      cells: [...tr.querySelectorAll('td.cell')].map((td) => ({
        status: td.dataset.status,
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
    await page.locator('#grid td[data-status="absent"] .absent').first().click();
    assert.equal(await page.locator('#inspector').innerHTML(), before, 'clicking an absent cell changed the inspector');
  }
  return absent.length;
}

/** One timeline per statement, each listing the documents in the grid's order with the grid's status. */
async function checkTimelines(page, grid) {
  const tls = await page.evaluate(() => [...document.querySelectorAll('.tls .tl')].map((t) => ({
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
    const legend = await page.$$eval('.legend li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.status, Number(li.querySelector('b')?.textContent ?? 0)])));
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
  // Titles, sources and notes with markup in them too.
  fs.writeFileSync(path.join(docs, 'corpus.toml'), files.map(([f, date, title]) => `[[document]]\nfile = "${f}"\ndate = "${date}"\ntitle = '${title}'\nsource = '${s2} wire'\nnote = '${s1} partial'\n`).join('\n'));
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
    assert.ok(body.includes(`${s1} partial`) && body.includes(`${s2} wire`), 'the manifest\'s note and source not shown as text');
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
    const rows = [...t.querySelectorAll('tbody tr')].map((tr) => ({
      head: tr.querySelector('th.rowh').textContent,
      cells: [...tr.querySelectorAll('td')].map((td) => ({
        cls: td.className,
        href: td.querySelector('a')?.href ?? null,
        title: (td.querySelector('a, span') ?? td).title,
        text: td.textContent.trim(),
      })),
    }));
    const box = t.getBoundingClientRect();
    return { cols: t.querySelectorAll('thead th').length - 1, rows, width: box.width, height: box.height };
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
    // Each linked cell: a colour level and its share in percent, which the title says in full.
    for (const c of linked) {
      assert.match(c.cls, /^h\d+$/);
      assert.match(c.text, /^(<0\.1|\d+(\.\d)?)%$/, `heat cell text ${c.text}`);
      assert.match(c.title, /^\d+\.\d% of .+ lies in passages shared with .+: open them side by side$/);
    }
    // The scale: one swatch per level, each with its range in percent.
    const scale = await page.$$eval('#heatmap .scale .sw', (sw) => sw.map((x) => ({ cls: x.className, text: x.textContent })));
    assert.deepEqual(scale.filter((x) => /h\d/.test(x.cls)).map((x) => x.cls), ['sw h0', 'sw h1', 'sw h2', 'sw h3', 'sw h4', 'sw h5']);
    for (const x of scale) assert.match(x.text, /%|no shared passage/);
    // Darker levels are darker: the swatches' backgrounds fall in lightness.
    const light = await page.$$eval('#heatmap .scale .sw[class*=" h"]', (sw) => sw.map((x) => {
      const [r, g, b] = getComputedStyle(x).backgroundColor.match(/\d+/g).map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    }));
    for (let i = 1; i < light.length; i++) assert.ok(light[i] < light[i - 1], `scale level ${i} is not darker: ${light}`);
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
    // The timeline: a dot per dated document, labelled with its date (and its number of places), on a
    // dated axis.
    const dots = await first.locator('.ctl .dot').evaluateAll((ds) => ds.map((d) => ({ label: d.querySelector('.dl').textContent, x: parseFloat(d.style.left) })));
    assert.ok(dots.length >= 2);
    for (const d of dots) assert.match(d.label, /^\d{4}(-\d\d){0,2}( ×\d+)?$/);
    assert.equal(new Set(dots.map((d) => d.label.split(' ')[0])).size, dots.length, 'two dots for one document');
    assert.ok(dots.every((d, i) => i === 0 || d.x >= dots[i - 1].x), 'timeline dots not in date order');
    assert.ok(await first.locator('.ctl .tick').count() >= 2, 'no year on the timeline');
    assert.equal(await first.locator('tbody tr:first-child td.k-source').count(), 1, 'a cluster\'s first row is not its source');
    // Pairs, duplicates, boilerplate and documents: the sections are there.
    for (const id of ['pairs', 'duplicates', 'boilerplate', 'documents']) {
      assert.equal(await page.locator(`section#${id} h2`).count(), 1, `no ${id} section`);
    }
    const pairRows = await page.locator('#pairs table tr').count() - 1;
    assert.ok(pairRows >= linked.length / 2, 'pairs table shorter than the heat map\'s pairs');
    assert.equal(await page.locator('#documents table tr').count() - 1, inputDocs.length);

    // Every link resolves: fragments to an element of this page, files to existing pair pages (and
    // the header's link to this page itself).
    const ls = (await links(page)).filter((l) => bare(l.url) !== r.url);
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
    await page.locator('a[href="#boilerplate"]').click();
    assert.ok(page.url().endsWith('#boilerplate'));

    // A link from a pair in the heat map opens its side-by-side compare page.
    const { data } = await followPair(r, linked[0].href, pairsDir);
    // The page shows the two documents the heat map's cell names.
    const [, docA, docB] = /of (.+) lies in passages shared with (.+): /.exec(linked[0].title);
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
  // Titles and notes with markup in them, on the scan page and its pair pages.
  fs.writeFileSync(path.join(docs, 'corpus.toml'), names.map((f, i) => `[[document]]\nfile = "${f.replace(/"/g, '\\"')}"\ntitle = '${s1} title ${i}'\nnote = '${s2} note ${i}'\n`).join('\n'));
  const out = path.join(dir, 'scan.html');
  cyberdiff(['scan', docs, '--html', out, '--html-pairs', '2', '--quiet']);
  const pairsDir = path.join(dir, 'scan-pairs');
  const r = await open(out);
  try {
    const { page, seen } = r;
    const body = await page.locator('body').innerText();
    for (const s of HOSTILE) assert.ok(body.includes(s), `${s} not shown as text`);
    assert.ok(body.includes(`${s1} title 0`) && body.includes(`${s2} note 0`), 'titles and notes not shown as text');
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
    const ls = (await links(page)).filter((l) => bare(l.url) !== r.url);
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
    const head = await page.locator('header.top').innerText();
    assert.ok(head.includes(`${s1} title`) && head.includes(`${s2} note`), `the pair page's titles: ${head}`);
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
      const ls = (await links(r.page)).filter((l) => !l.raw.startsWith('#') && bare(l.url) !== r.url);
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
    const fromIndex = [...new Set(ls.map((l) => path.relative(dir, fileURLToPath(bare(l.url)))))].filter((f) => f !== 'index.html').sort();
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

// ---------------------------------------------------------------------------------------------------
// One report: every page links the others, a track cell leads to its passage side by side, the heat
// map opens its pairs, and the pages work from 800 px wide up.

/** The report of the bundled corpus, written once for the tests below. */
let reportDir;
function bundledReport() {
  if (!reportDir) {
    reportDir = folder('report-links');
    cyberdiff(['report', '--out', reportDir, '--quiet']);
  }
  return reportDir;
}

/** A recording context allowing every file of the report folder, at `viewport`. */
async function reportContext(dir, viewport = { width: 1280, height: 800 }) {
  const files = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
  walk(dir);
  const allowed = new Set(files.map((f) => pathToFileURL(f).href));
  const r = await recorder(allowed);
  await r.page.setViewportSize(viewport);
  return r;
}

/** The header's links of the open page, as files relative to `dir`, and its trail. */
async function header(page, dir) {
  const h = await page.evaluate(() => ({
    links: [...document.querySelectorAll('nav.site > a')].map((a) => ({ url: a.href, current: a.getAttribute('aria-current') === 'page', text: a.textContent })),
    crumbs: [...document.querySelectorAll('nav.site .crumbs li')].map((li) => ({ url: li.querySelector('a')?.href ?? null, text: li.textContent })),
  }));
  const rel = (u) => path.relative(dir, fileURLToPath(bare(u)));
  return { links: h.links.map((l) => ({ ...l, file: rel(l.url) })), crumbs: h.crumbs.map((c) => ({ ...c, file: c.url && rel(c.url) })) };
}

test('report: every page\'s header links the index, statements and scan pages; pair pages lead back', async () => {
  const dir = bundledReport();
  const r = await reportContext(dir);
  try {
    const pairs = fs.readdirSync(path.join(dir, 'scan-pairs')).map((f) => path.join('scan-pairs', f));
    assert.ok(pairs.length >= 5);
    for (const file of ['index.html', 'scan.html', 'track.html', ...pairs]) {
      await r.page.goto(pathToFileURL(path.join(dir, file)).href);
      const h = await header(r.page, dir);
      assert.deepEqual(h.links.map((l) => l.file), ['index.html', 'track.html', 'scan.html'], `${file}: header links`);
      const current = h.links.filter((l) => l.current).map((l) => l.file);
      assert.deepEqual(current, [file.startsWith('scan') ? 'scan.html' : file], `${file}: the current page`);
      if (file.startsWith('scan-pairs')) {
        // Overview › Corpus scan › Pair N, the last one this page.
        assert.deepEqual(h.crumbs.map((c) => c.file), ['index.html', 'scan.html', null], `${file}: trail`);
        assert.match(h.crumbs[2].text, /^Pair \d+$/);
        // A link back to the scan page, followed, lands there.
        await Promise.all([r.page.waitForURL('**/scan.html'), r.page.locator('nav.site .crumbs a', { hasText: 'Corpus scan' }).click()]);
      }
    }
    await assertQuiet(r.page, r.seen);
  } finally {
    await r.context.close();
  }
});

test('report: a track cell opens its passage side by side with the statement\'s earliest document, scrolled to both', async () => {
  const dir = bundledReport();
  const r = await reportContext(dir);
  const { page, seen } = r;
  try {
    await page.goto(pathToFileURL(path.join(dir, 'track.html')).href);
    const data = await page.evaluate(() => JSON.parse(document.getElementById('cd-data').textContent));
    const linked = data.cells.filter((c) => c.pair);
    const track = JSON.parse(fs.readFileSync(path.join(dir, 'track.json'), 'utf8'));
    const scan = JSON.parse(fs.readFileSync(path.join(dir, 'scan.json'), 'utf8'));
    // Every present cell but each statement's first links to the pair page of its document and the
    // first one, when the two share a passage (every such pair of the bundled corpus has a page).
    const nd = track.documents.length;
    const paired = (x, y) => scan.pairs.some((p) => (p.a.id === x && p.b.id === y) || (p.a.id === y && p.b.id === x));
    const want = data.cells.filter((c) => {
      const [si, di] = c.key.split('-').map(Number);
      const fi = track.documents.findIndex((_, d) => track.cells[si * nd + d].status !== 'absent');
      return fi !== di && paired(track.documents[di].id, track.documents[fi].id);
    }).map((c) => c.key);
    assert.ok(want.length >= 10);
    assert.deepEqual(linked.map((c) => c.key), want, 'cells with and without a side-by-side link');
    for (const c of linked.slice(0, 6)) {
      const [si, di] = c.key.split('-').map(Number);
      const here = track.cells[si * nd + di];
      const fi = track.documents.findIndex((_, d) => track.cells[si * nd + d].status !== 'absent');
      const first = track.cells[si * nd + fi];
      assert.equal(c.pair.first, track.documents[fi].date);
      // The link names the pair page of the two documents, and both passages' bytes.
      const m = /^scan-pairs\/pair-(\d+)\.html#a=(\d+)-(\d+),b=(\d+)-(\d+)$/.exec(c.pair.href);
      assert.ok(m, c.pair.href);
      const pair = scan.pairs.find((p) => p.id === Number(m[1]));
      const ids = [track.documents[di].id, track.documents[fi].id];
      assert.deepEqual([pair.a.id, pair.b.id].sort(), ids.slice().sort(), `${c.key}: not the pair of its documents`);
      const spanOf = (id) => (id === track.documents[di].id ? here.span : first.span);
      assert.deepEqual([Number(m[2]), Number(m[3])], [spanOf(pair.a.id).start, spanOf(pair.a.id).end]);
      assert.deepEqual([Number(m[4]), Number(m[5])], [spanOf(pair.b.id).start, spanOf(pair.b.id).end]);
    }
    // Click one: the cell opens, then its link opens the pair page with both passages marked and in view.
    const c = linked[0];
    await page.locator(`#grid button.open[data-cell="${c.key}"]`).click();
    const go = page.locator('#insp-body a.go');
    assert.equal(await go.count(), 1);
    assert.match(await go.textContent(), new RegExp(`side by side with ${c.pair.first}`));
    await Promise.all([page.waitForURL('**/pair-*.html*'), go.click()]);
    await page.waitForSelector('#text-a mark.h');
    await page.waitForTimeout(200);
    const shown = await page.evaluate(() => {
      const hl = window.CSS && CSS.highlights && CSS.highlights.get('cd-target');
      const ranges = hl ? [...hl] : [];
      const inView = (side, range) => {
        const pane = document.getElementById('text-' + side).getBoundingClientRect();
        const box = range.getBoundingClientRect();
        return box.height > 0 && box.top >= pane.top && box.bottom <= pane.bottom;
      };
      return {
        texts: ranges.map((x) => x.toString()),
        inView: ranges.map((x) => inView(document.getElementById('text-a').contains(x.startContainer) ? 'a' : 'b', x)),
      };
    });
    const m = /#a=(\d+)-(\d+),b=(\d+)-(\d+)$/.exec(c.pair.href);
    const pair = scan.pairs.find((p) => p.id === Number(/pair-(\d+)/.exec(c.pair.href)[1]));
    const textOf = (p) => fs.readFileSync(path.resolve(root, p), 'utf8');
    const bytes = (t, s, e) => Buffer.from(t, 'utf8').subarray(s, e).toString('utf8');
    assert.deepEqual(shown.texts, [bytes(textOf(pair.a.path), +m[1], +m[2]), bytes(textOf(pair.b.path), +m[3], +m[4])], 'the marked spans are not the passages');
    assert.deepEqual(shown.inView, [true, true], 'a passage is not scrolled into view');
    await assertQuiet(page, seen);
  } finally {
    await r.context.close();
  }
});

test('report: the index grid opens a cell on the track page; a heat-map cell opens its pair', async () => {
  const dir = bundledReport();
  const r = await reportContext(dir);
  const { page, seen } = r;
  try {
    await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
    // The index answers the question: nine statements, five dated columns, the same statuses as track.json.
    const track = JSON.parse(fs.readFileSync(path.join(dir, 'track.json'), 'utf8'));
    const grid = await page.$$eval('table.grid tbody tr:not(.group-row)', (trs) => trs.map((tr) => [...tr.querySelectorAll('td.cell')].map((td) => td.className.replace('cell k-', ''))));
    assert.equal(grid.length, track.statements.length);
    assert.deepEqual(grid.flat(), track.cells.map((c) => c.status));
    const cell = page.locator('table.grid a.open').first();
    const href = await cell.getAttribute('href');
    const [, si, di] = /^track\.html#c-(\d+)-(\d+)$/.exec(href);
    await Promise.all([page.waitForURL('**/track.html#c-*'), cell.click()]);
    await page.waitForFunction(() => document.getElementById('insp-title').textContent !== 'No cell selected');
    assert.equal(await page.locator('#insp-title').textContent(), `${track.statements[si].id} in ${track.documents[di].id}`);

    // The scan page: click a heat-map cell, get the pair page of its row and column.
    await page.goto(pathToFileURL(path.join(dir, 'scan.html')).href);
    const heat = await readHeat(page);
    const [ri, ci] = (() => {
      for (const [i, row] of heat.rows.entries()) for (const [j, c] of row.cells.entries()) if (c.href) return [i, j];
      return [];
    })();
    const scan = JSON.parse(fs.readFileSync(path.join(dir, 'scan.json'), 'utf8'));
    await Promise.all([page.waitForURL('**/pair-*.html'), page.locator('#heatmap tbody tr').nth(ri).locator('td').nth(ci).locator('a').click()]);
    await page.waitForSelector('#text-a mark.h');
    const title = await page.title();
    for (const d of [scan.documents[ri], scan.documents[ci]]) assert.ok(title.includes(d.id), `${title} lacks ${d.id}`);
    await assertQuiet(page, seen);
  } finally {
    await r.context.close();
  }
});

/**
 * The compare page laid out at `viewport`: the passage bar is not covered by the texts, the texts sit
 * side by side or (narrow) one above the other without overlapping, and the bar has no blank band.
 */
async function checkLayout(page, viewport) {
  return page.evaluate((vw) => {
    const box = (s) => document.querySelector(s).getBoundingClientRect();
    const a = box('#pane-a'), b = box('#pane-b'), bar = box('#inspector');
    // What is painted at points of the bar is the bar (or inside it), not text.
    const probes = [0.1, 0.5, 0.9].map((f) => document.elementFromPoint(bar.left + bar.width * f, bar.top + Math.min(bar.height - 2, 12)));
    return {
      stacked: b.top >= a.bottom - 1,
      sideBySide: b.left >= a.right - 1 && Math.abs(a.top - b.top) < 1,
      barCovered: probes.some((e) => !e || !e.closest('#inspector')),
      barHeight: bar.height,
      overflowX: document.documentElement.scrollWidth > vw.width + 1,
      textsVisible: a.height > 100 && b.height > 100,
    };
  }, viewport);
}

test('compare page from 800 px wide up: texts side by side or stacked, never over the passage bar; no blank rows or band', async () => {
  const dir = bundledReport();
  const pair = path.join(dir, 'scan-pairs', fs.readdirSync(path.join(dir, 'scan-pairs'))[6]);
  for (const viewport of [{ width: 1280, height: 800 }, { width: 1024, height: 768 }, { width: 800, height: 900 }]) {
    const r = await reportContext(dir, viewport);
    try {
      await r.page.goto(pathToFileURL(pair).href);
      await r.page.waitForSelector('#text-a mark.h');
      const l = await checkLayout(r.page, viewport);
      const where = `at ${viewport.width}×${viewport.height}`;
      assert.equal(l.barCovered, false, `the texts cover the passage bar ${where}`);
      assert.equal(l.overflowX, false, `the page scrolls sideways ${where}`);
      assert.ok(l.textsVisible, `a text pane is squeezed ${where}`);
      if (viewport.width <= 800) assert.ok(l.stacked, `texts not stacked ${where}`);
      else assert.ok(l.sideBySide, `texts not side by side ${where}`);
      // Closed, the bar is one line: no blank band under it.
      assert.ok(l.barHeight < 90, `passage bar ${l.barHeight}px tall with nothing open ${where}`);
      // A passage opens in the bar, which stays uncovered, and the other text follows.
      await r.page.locator('#text-a mark.h').first().click();
      assert.match(await r.page.locator('#insp-title').innerText(), /Passage \d+/);
      assert.equal((await checkLayout(r.page, viewport)).barCovered, false, `the texts cover the open bar ${where}`);
      // Every row of the passage table has its text as soon as it is scrolled to.
      await r.page.locator('#passages').scrollIntoViewIfNeeded();
      await r.page.waitForSelector('#ptable tbody tr');
      const rows = await r.page.$$eval('#ptable tbody tr', (trs) => trs.map((tr) => ({ h: tr.getBoundingClientRect().height, t: tr.innerText.trim() })));
      assert.ok(rows.length > 0);
      for (const row of rows) assert.ok(row.h > 10 && row.t.length > 5, `a blank row ${where}: ${JSON.stringify(row)}`);
      await assertQuiet(r.page, r.seen);
    } finally {
      await r.context.close();
    }
  }
});

test('the README\'s screenshots: index, compare, scan and track pages of the bundled report', async () => {
  const out = process.env.SCREENSHOTS ?? path.join(root, 'docs');
  if (!out) return;
  const dir = bundledReport();
  fs.mkdirSync(out, { recursive: true });
  const r = await reportContext(dir, { width: 1280, height: 800 });
  try {
    // The compare page of the pair sharing most, with a passage open.
    const scan = JSON.parse(fs.readFileSync(path.join(dir, 'scan.json'), 'utf8'));
    const words = (p) => p.passages.reduce((n, x) => n + x.aligned_words, 0);
    const best = scan.pairs.slice().sort((x, y) => words(y) - words(x) || x.id - y.id)[0];
    await r.page.goto(`${pathToFileURL(path.join(dir, 'scan-pairs', `pair-${String(best.id).padStart(5, '0')}.html`)).href}#p2`);
    await r.page.waitForSelector('#text-a mark.h.sel');
    await r.page.waitForTimeout(1200); // the highlight's flash is over
    await r.page.screenshot({ path: path.join(out, 'compare-report.png') });
    await r.page.goto(pathToFileURL(path.join(dir, 'scan.html')).href);
    await r.page.screenshot({ path: path.join(out, 'scan-report.png') });
    await r.page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
    await r.page.screenshot({ path: path.join(out, 'index-report.png') });
    // The track page with a cell open: the grid, and the cell's passage in the bar below it.
    await r.page.goto(`${pathToFileURL(path.join(dir, 'track.html')).href}#c-4-2`);
    await r.page.waitForFunction(() => document.getElementById('insp-title').textContent !== 'No cell selected');
    await r.page.evaluate(() => window.scrollTo(0, document.getElementById('grid').getBoundingClientRect().top + window.scrollY - 8));
    await r.page.screenshot({ path: path.join(out, 'track-report.png'), fullPage: false });
    for (const f of ['index-report.png', 'compare-report.png', 'scan-report.png', 'track-report.png']) assert.ok(fs.statSync(path.join(out, f)).size > 10000, f);
    await assertQuiet(r.page, r.seen);
  } finally {
    await r.context.close();
  }
});
