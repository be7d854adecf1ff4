// cyberdiff compare report: selection, linked scrolling, word diffs, keys and the sortable table.
// Document text reaches the page only through the HTML the tool wrote (escaped) and through
// textContent / text nodes here: nothing is ever assigned to innerHTML.
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('cd-data').textContent);
  var passages = data.passages;
  var byId = new Map();
  passages.forEach(function (p) { byId.set(p.id, p); });

  // Passage ids in reading order of each side (start offset, then id).
  function orderBy(side) {
    return passages.slice().sort(function (x, y) {
      return (x[side][0] - y[side][0]) || (x.id - y.id);
    }).map(function (p) { return p.id; });
  }
  var order = { a: orderBy('a'), b: orderBy('b') };
  var rank = { a: new Map(), b: new Map() };
  ['a', 'b'].forEach(function (s) { order[s].forEach(function (id, i) { rank[s].set(id, i); }); });

  var texts = { a: document.getElementById('text-a'), b: document.getElementById('text-b') };
  var inspector = document.getElementById('inspector');
  var title = document.getElementById('insp-title');
  var meta = document.getElementById('insp-meta');
  var diff = document.getElementById('diff');
  var diffKey = document.getElementById('diff-key');
  var work = document.getElementById('work');
  var table = document.getElementById('ptable');
  var rows = new Map(); // passage id -> table row, once the table is built

  var current = null; // the selected passage id
  var stepSide = 'a'; // j / k follow this side's reading order: the side last clicked

  function other(s) { return s === 'a' ? 'b' : 'a'; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function covering(side, id) {
    return texts[side].querySelectorAll('[data-p~="' + id + '"]');
  }
  // Mark (or unmark) passage `id` as selected on both sides; its text takes its kind's colour even
  // where a shorter passage of another kind covers it too.
  function paint(id, on) {
    var cls = 's-' + data.kinds[byId.get(id).k];
    ['a', 'b'].forEach(function (s) {
      covering(s, id).forEach(function (m) {
        if (on) m.classList.add('sel', cls); else m.classList.remove('sel', cls);
      });
    });
  }
  function lines(first, last) { return first === last ? 'line ' + first : 'lines ' + first + '–' + last; }
  function words(n) { return n === 1 ? '1 word' : n + ' words'; }

  // Scroll one text so that the passage's anchor is in view, leaving the page where it is.
  function reveal(side, id, always) {
    var pane = texts[side];
    var anchor = document.getElementById(side + '-p' + id);
    if (!anchor) return;
    var box = pane.getBoundingClientRect();
    var r = anchor.getBoundingClientRect();
    var inView = r.top >= box.top + 4 && r.bottom <= box.bottom - 24;
    if (inView && !always) return;
    pane.scrollTop += r.top - box.top - Math.min(pane.clientHeight * 0.22, 110);
  }

  function flash(id) {
    var marks = [];
    ['a', 'b'].forEach(function (s) {
      covering(s, id).forEach(function (m) {
        if (m.tagName === 'MARK') { m.classList.remove('flash'); marks.push(m); }
      });
    });
    if (!marks.length) return;
    void marks[0].offsetWidth; // one reflow restarts the animation on all of them
    marks.forEach(function (m) { m.classList.add('flash'); });
  }

  // The word diff, A to B, built from text nodes.
  function renderDiff(p) {
    var frag = document.createDocumentFragment();
    p.ops.forEach(function (op, i) {
      if (i > 0) frag.appendChild(document.createTextNode(' '));
      var tag = op[0], a = op[1], b = op[2];
      if (tag === '=') {
        if (b === undefined || a === b) frag.appendChild(document.createTextNode(a));
        else frag.appendChild(sameWords(a, b));
      } else if (tag === '-') {
        frag.appendChild(el('del', null, a)).title = 'only in A';
      } else if (tag === '+') { // ["+", b]: B's words are the second item
        frag.appendChild(el('ins', null, a)).title = 'only in B';
      } else {
        var sub = el('span', 'sub');
        sub.title = op[3] ? op[3] + ' word, substituted' : tag === '≈' ? 'near match, substituted' : 'substituted';
        if (op[3]) sub.dataset.rel = op[3];
        sub.appendChild(el('del', null, a));
        sub.appendChild(el('ins', null, b));
        frag.appendChild(sub);
      }
    });
    diff.replaceChildren(frag);
  }

  // Words equal once normalised: B's form, each differing word marked with A's form.
  function sameWords(a, b) {
    var wa = a.split(/\s+/), wb = b.split(/\s+/);
    var frag = document.createDocumentFragment();
    if (wa.length !== wb.length) {
      var span = el('span', 'near', b);
      span.title = 'A: ' + a;
      frag.appendChild(span);
      return frag;
    }
    wb.forEach(function (w, i) {
      if (i > 0) frag.appendChild(document.createTextNode(' '));
      // Case alone is not worth a mark.
      if (w.toLowerCase() === wa[i].toLowerCase()) frag.appendChild(document.createTextNode(w));
      else {
        var s = el('span', 'near', w);
        s.title = 'A: ' + wa[i];
        frag.appendChild(s);
      }
    });
    return frag;
  }

  function describe(p, also) {
    var kind = data.kinds[p.k];
    inspector.className = 'inspector open k-' + kind;
    var chip = el('span', 'kchip k-' + kind);
    chip.appendChild(el('span', 'sym', data.symbols[p.k])).setAttribute('aria-hidden', 'true');
    chip.appendChild(document.createTextNode(kind));
    title.replaceChildren(document.createTextNode('Passage ' + p.id), chip);
    meta.replaceChildren();
    meta.appendChild(document.createTextNode(
      'score ' + p.s.toFixed(2) + ' · ' + words(p.w) + ' aligned · A ' + lines(p.a[1], p.a[2]) +
      ' (' + words(p.a[3]) + ') ↔ B ' + lines(p.b[1], p.b[2]) + ' (' + words(p.b[3]) + ')' +
      ' · ' + (rank[stepSide].get(p.id) + 1) + ' of ' + passages.length + ' in ' +
      stepSide.toUpperCase() + ' order'));
    if (also && also.length > 1) {
      meta.appendChild(el('span', 'also', ' · here overlaps ' + also.filter(function (x) { return x !== p.id; })
        .map(function (x) { return '#' + x; }).join(', ') + ': click again to switch'));
    }
    diffKey.hidden = false;
  }

  // Select passage `id`. `from` is the side clicked ('a' or 'b'), which stays where it is while the
  // other scrolls; from the keys or the table (`from` null) both sides scroll.
  function select(id, from, also) {
    var p = byId.get(id);
    if (!p) return;
    if (current !== null) {
      paint(current, false);
      var old = rows.get(current);
      if (old) { old.classList.remove('sel'); old.removeAttribute('aria-selected'); }
    }
    current = id;
    paint(id, true);
    var row = rows.get(id);
    if (row) { row.classList.add('sel'); row.setAttribute('aria-selected', 'true'); }
    // The diff first: the inspector has a fixed height, so the panes do not move after scrolling.
    renderDiff(p);
    describe(p, also);
    if (from) reveal(other(from), id, false);
    else { reveal('a', id, false); reveal('b', id, false); }
    // A chunk laid out for the first time can move what follows it: check again once it has.
    requestAnimationFrame(function () {
      if (current !== id) return;
      if (from) reveal(other(from), id, false);
      else { reveal('a', id, false); reveal('b', id, false); }
    });
    flash(id);
    if (history.replaceState) history.replaceState(null, '', '#p' + id);
  }

  function clear() {
    if (current === null) return;
    paint(current, false);
    var row = rows.get(current);
    if (row) { row.classList.remove('sel'); row.removeAttribute('aria-selected'); }
    current = null;
    inspector.className = 'inspector';
    title.textContent = 'No passage selected';
    meta.textContent = 'Click a highlighted passage in either text, or press j for the next one.';
    diff.replaceChildren();
    diffKey.hidden = true;
    if (history.replaceState) history.replaceState(null, '', location.pathname + location.search);
  }

  // The first passage of `side` whose anchor is at or below the top of its text. Anchors are in
  // reading order, so a binary search measures a dozen of them, not thousands (measuring one in a
  // chunk not yet laid out lays that chunk out).
  function firstInView(side) {
    var top = texts[side].getBoundingClientRect().top;
    var list = order[side];
    var lo = 0, hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      var a = document.getElementById(side + '-p' + list[mid]);
      if (a && a.getBoundingClientRect().top >= top) hi = mid; else lo = mid + 1;
    }
    return Math.min(lo, list.length - 1);
  }

  function step(delta) {
    var list = order[stepSide];
    if (!list.length) return;
    var i = current === null ? (delta > 0 ? firstInView(stepSide) : firstInView(stepSide) - 1)
      : rank[stepSide].get(current) + delta;
    i = Math.max(0, Math.min(list.length - 1, i));
    select(list[i], null);
    var box = work.getBoundingClientRect();
    if (box.bottom < 120 || box.top > window.innerHeight - 120) work.scrollIntoView({ block: 'start' });
  }

  ['a', 'b'].forEach(function (side) {
    texts[side].addEventListener('click', function (e) {
      var hit = e.target.closest('[data-p]');
      if (!hit || !texts[side].contains(hit)) return;
      var sel = window.getSelection && window.getSelection();
      if (sel && !sel.isCollapsed && String(sel).length > 0) return; // selecting text to copy it
      var ids = hit.getAttribute('data-p').split(' ').map(Number);
      var at = ids.indexOf(current);
      var id = at >= 0 && ids.length > 1 ? ids[(at + 1) % ids.length] : ids[0];
      stepSide = side;
      select(id, side, ids);
    });
  });

  document.getElementById('next').addEventListener('click', function () { step(1); });
  document.getElementById('prev').addEventListener('click', function () { step(-1); });

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && t.closest && t.closest('input, textarea, select, [contenteditable]')) return;
    switch (e.key) {
      case 'j': case 'n': case 'ArrowRight': step(1); break;
      case 'k': case 'p': case 'ArrowLeft': step(-1); break;
      case 'Escape': clear(); break;
      default: return;
    }
    e.preventDefault();
  });

  // The table of passages, built from the data the first time it comes near the viewport (or is
  // printed): thousands of rows cost nothing until then.
  function excerpt(p, side) {
    var parts = [];
    var n = 0;
    for (var i = 0; i < p.ops.length && n < 160; i++) {
      var op = p.ops[i];
      var t = op[0];
      var s = side === 'a' ? (t === '+' ? null : op[1]) : (t === '-' ? null : t === '+' ? op[1] : op[op.length > 2 ? 2 : 1]);
      if (s) { parts.push(s); n += s.length + 1; }
    }
    var chars = Array.from(parts.join(' ').replace(/\s+/g, ' ').trim());
    return chars.length > 120 ? chars.slice(0, 119).join('') + '…' : chars.join('');
  }
  function lineRange(side) { return side[1] === side[2] ? String(side[1]) : side[1] + '–' + side[2]; }

  function buildTable() {
    if (!table || rows.size) return;
    var frag = document.createDocumentFragment();
    // Ranked: distinct content first; a phrase matched several times is one finding (×N on its best
    // passage) with its copies right under it.
    data.order.forEach(function (id) {
      var p = byId.get(id);
      var kind = data.kinds[p.k];
      var tr = document.createElement('tr');
      tr.setAttribute('role', 'row');
      tr.dataset.id = p.id;
      tr.dataset.w = p.w;
      tr.dataset.k = p.k;
      var link = el('a', null, String(p.id));
      link.href = '#p' + p.id;
      var num = tr.appendChild(el('td', 'num'));
      num.appendChild(link);
      if (p.n) {
        var times = num.appendChild(el('span', 'times', ' ×' + p.n));
        times.title = 'the same phrase matched ' + p.n + ' times; its other passages follow';
      }
      if (p.of) {
        tr.classList.add('copy');
        tr.title = 'the same phrase as passage ' + p.of;
      }
      var chip = el('span', 'kchip k-' + kind);
      chip.appendChild(el('span', 'sym', data.symbols[p.k])).setAttribute('aria-hidden', 'true');
      chip.appendChild(document.createTextNode(kind));
      tr.appendChild(el('td')).appendChild(chip);
      tr.appendChild(el('td', 'num', p.s.toFixed(2)));
      tr.appendChild(el('td', 'num', String(p.w)));
      tr.appendChild(el('td', 'num', lineRange(p.a)));
      tr.appendChild(el('td', 'num', lineRange(p.b)));
      var ex = tr.appendChild(el('td', 'excerpts'));
      ex.appendChild(el('span', 'ex', excerpt(p, 'a')));
      ex.appendChild(el('span', 'ex ex-b', excerpt(p, 'b')));
      if (p.id === current) { tr.classList.add('sel'); tr.setAttribute('aria-selected', 'true'); }
      rows.set(p.id, tr);
      frag.appendChild(tr);
    });
    Array.prototype.forEach.call(frag.querySelectorAll('td'), function (td) { td.setAttribute('role', 'cell'); });
    table.tBodies[0].appendChild(frag);
  }

  if (table) {
    if ('IntersectionObserver' in window) {
      var io = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { io.disconnect(); buildTable(); }
      }, { rootMargin: '800px 0px' });
      io.observe(table);
    } else {
      buildTable();
    }
    window.addEventListener('beforeprint', buildTable);
    table.tBodies[0].addEventListener('click', function (e) {
      var row = e.target.closest('tr');
      if (!row) return;
      e.preventDefault();
      select(Number(row.dataset.id), null);
      work.scrollIntoView({ block: 'start' });
    });
    var keys = {
      i: function (p) { return p.id; },
      k: function (p) { return p.k; },
      s: function (p) { return p.s; },
      w: function (p) { return p.w; },
      a: function (p) { return p.a[0]; },
      b: function (p) { return p.b[0]; }
    };
    var heads = table.tHead.querySelectorAll('th[data-sort]');
    heads.forEach(function (th) {
      th.querySelector('button').addEventListener('click', function () {
        buildTable();
        var key = th.dataset.sort;
        var was = th.getAttribute('aria-sort');
        // Lengths and scores read best largest first; positions and kinds in order.
        var desc = was ? was === 'ascending' : (key === 'w' || key === 's');
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
        var f = keys[key];
        var sorted = passages.slice().sort(function (x, y) {
          return (desc ? f(y) - f(x) : f(x) - f(y)) || (x.a[0] - y.a[0]) || (x.id - y.id);
        });
        var frag = document.createDocumentFragment();
        sorted.forEach(function (p) { frag.appendChild(rows.get(p.id)); });
        table.tBodies[0].appendChild(frag);
      });
    });
  }

  // The DOM range of bytes [start, end) of one side's text. Each chunk carries the byte offset it
  // starts at (data-o); inside it, text nodes are walked counting UTF-8 bytes.
  function utf8(cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }
  function rangeOf(side, start, end) {
    var chunks = texts[side].querySelectorAll('.chunk');
    var lo = 0, hi = chunks.length - 1;
    while (lo < hi) { // the last chunk starting at or before `start`
      var mid = (lo + hi + 1) >> 1;
      if (Number(chunks[mid].dataset.o) <= start) lo = mid; else hi = mid - 1;
    }
    if (!chunks.length) return null;
    var at = Number(chunks[lo].dataset.o);
    var walker = document.createTreeWalker(texts[side], NodeFilter.SHOW_TEXT);
    walker.currentNode = chunks[lo];
    var range = document.createRange();
    var begun = false, node;
    while ((node = walker.nextNode())) {
      var t = node.data;
      for (var i = 0; i < t.length;) {
        if (!begun && at >= start) { range.setStart(node, i); begun = true; }
        if (begun && at >= end) { range.setEnd(node, i); return range; }
        var cp = t.codePointAt(i);
        at += utf8(cp);
        i += cp > 0xffff ? 2 : 1;
      }
      if (begun && at >= end) { range.setEnd(node, t.length); return range; }
    }
    return begun ? (range.setEnd(texts[side], texts[side].childNodes.length), range) : null;
  }
  // Scroll one text so that `range` is in view, a little below its top.
  function revealRange(side, range) {
    var pane = texts[side];
    var box = pane.getBoundingClientRect();
    var r = range.getBoundingClientRect();
    pane.scrollTop += r.top - box.top - Math.min(pane.clientHeight * 0.22, 110);
  }
  // A link to #a=S-E,b=S-E: mark those bytes of either text, open the passage that covers most of
  // them (if one does) and scroll both texts to the spans.
  function showSpans(spans) {
    var ranges = {};
    ['a', 'b'].forEach(function (s) { if (spans[s]) ranges[s] = rangeOf(s, spans[s][0], spans[s][1]); });
    var list = Object.keys(ranges).map(function (s) { return ranges[s]; }).filter(Boolean);
    if (window.CSS && CSS.highlights && window.Highlight) CSS.highlights.set('cd-target', new Highlight(...list));
    var best = null, most = 0;
    passages.forEach(function (p) {
      var n = 0;
      ['a', 'b'].forEach(function (s) {
        if (spans[s]) n += Math.max(0, Math.min(p[s][4], spans[s][1]) - Math.max(p[s][0], spans[s][0]));
      });
      if (n > most) { most = n; best = p.id; }
    });
    if (best !== null) select(best, null);
    var scroll = function () {
      Object.keys(ranges).forEach(function (s) { if (ranges[s]) revealRange(s, ranges[s]); });
    };
    scroll();
    requestAnimationFrame(scroll); // once the chunks around are laid out
  }

  // A link to #p12 opens passage 12; #a=S-E,b=S-E shows those spans.
  function fromHash() {
    var m = /^#p(\d+)$/.exec(location.hash);
    if (m && byId.has(Number(m[1])) && Number(m[1]) !== current) { select(Number(m[1]), null); return; }
    var spans = {}, found = false;
    location.hash.slice(1).split(',').forEach(function (part) {
      var x = /^([ab])=(\d+)-(\d+)$/.exec(part);
      if (x && Number(x[2]) <= Number(x[3])) { spans[x[1]] = [Number(x[2]), Number(x[3])]; found = true; }
    });
    if (found) showSpans(spans);
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
