"use strict";
(function () {
  var data = JSON.parse(document.getElementById("cd-data").textContent);
  var byKey = {};
  data.cells.forEach(function (c) { byKey[c.key] = c; });
  var title = document.getElementById("insp-title");
  var meta = document.getElementById("insp-meta");
  var body = document.getElementById("insp-body");
  var key = document.getElementById("diff-key");
  var pressed = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function diff(ops) {
    var p = el("p", "diff");
    ops.forEach(function (o, i) {
      if (i > 0) { p.appendChild(document.createTextNode(" ")); }
      if (o.op === "equal") {
        p.appendChild(document.createTextNode(o.b));
      } else if (o.op === "delete") {
        var d = el("del", o.moved ? "moved" : "", o.a);
        if (o.moved) { d.title = "matched elsewhere, out of order (" + o.relation + ")"; }
        p.appendChild(d);
      } else if (o.op === "insert") {
        var n = el("ins", o.moved ? "moved" : "", o.b);
        if (o.moved) { n.title = "matched elsewhere, out of order (" + o.relation + ")"; }
        p.appendChild(n);
      } else if (o.relation) {
        var r = el("span", "rel", o.b);
        r.title = o.relation + " of “" + o.a + "”";
        p.appendChild(r);
      } else {
        p.appendChild(el("del", "", o.a));
        p.appendChild(el("ins", "", o.b));
      }
    });
    return p;
  }

  function open(button) {
    var c = byKey[button.getAttribute("data-cell")];
    if (!c) { return; }
    if (pressed) { pressed.setAttribute("aria-pressed", "false"); }
    pressed = button;
    button.setAttribute("aria-pressed", "true");
    var parts = c.key.split("-");
    var row = button.closest("tr").querySelector(".stmt");
    title.textContent = data.statements[+parts[0]] + " in " + data.documents[+parts[1]];
    meta.textContent = row ? row.textContent.trim() : "";
    while (body.firstChild) { body.removeChild(body.firstChild); }
    document.getElementById("inspector").className = "panel open k-" + c.occurrences[0].status;
    c.occurrences.forEach(function (o, i) {
      var box = el("div", "occ k-" + o.status);
      var h = box.appendChild(el("h4", "k-" + o.status,
        (c.occurrences.length > 1 ? "Occurrence " + (i + 1) + " · " : "") + o.status +
        " · score " + o.score.toFixed(2) + " · line " + o.line));
      if (i === 0 && c.pair) {
        // The two documents side by side, scrolled to this passage and to the earliest one.
        var a = el("a", "go", "side by side with " + c.pair.first + " →");
        a.href = c.pair.href;
        h.appendChild(a);
      }
      var ctx = el("p", "ctx");
      ctx.appendChild(document.createTextNode((o.before.length ? "…" : "") + o.before));
      ctx.appendChild(el("mark", "", o.text));
      ctx.appendChild(document.createTextNode(o.after + (o.after.length ? "…" : "")));
      box.appendChild(ctx);
      box.appendChild(diff(o.ops));
      body.appendChild(box);
    });
    key.hidden = false;
  }

  document.getElementById("grid").addEventListener("click", function (e) {
    var b = e.target.closest("button.open");
    if (b) { open(b); document.getElementById("inspector").scrollIntoView({ block: "nearest" }); }
  });

  // A link to #c-S-D (from the report's index) opens the cell of statement S in document D.
  function fromHash() {
    var m = /^#c-(\d+)-(\d+)$/.exec(location.hash);
    var b = m && document.querySelector('#grid button.open[data-cell="' + m[1] + "-" + m[2] + '"]');
    if (!b) { return; }
    open(b);
    b.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
