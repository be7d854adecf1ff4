#!/bin/bash
# `check` on real text when files are removed, added back, edited and restored.
#
#   bench/check_edits.sh BIN CORPUS WORKDIR FILE...
#   e.g. bench/check_edits.sh target/release/cyberdiff bench/work/bible /tmp/edits \
#            asv_66_020.txt kjv_66_016.txt web_66_014.txt asv_01_001.txt kjv_19_119.txt
#
# Copies CORPUS (built by bench/realistic.py) to WORKDIR/corpus, builds the index cache, then for
# each FILE in turn runs `check` after: removing it, putting it back, editing it (a sentence appended
# to its middle line), restoring it. Prints per run: wall time, peak RSS, the cache status, the
# documents read and the reason of a rebuild.
set -euo pipefail
BIN=$(realpath "$1"); CORPUS=$(realpath "$2"); WORK=$3; shift 3
mkdir -p "$WORK"; cd "$WORK"
rm -rf corpus .cyberdiff; cp -r "$CORPUS" corpus
run() {
  /usr/bin/time -f "%e s %M KB" "$BIN" check corpus --format json -o out.json -q > /dev/null 2> err || true
  echo "$1 $(tail -1 err) $(python3 -c "import json;c=json.load(open('out.json'))['cache'];print(c['status'],c['documents_read'],(c.get('reason') or '')[:90])")"
}
run build
for f in "$@"; do
  mv "corpus/$f" "$f.bak"; run "remove $f"
  mv "$f.bak" "corpus/$f"; run "back $f"
  cp "corpus/$f" "$f.orig"
  python3 - "corpus/$f" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
k = len(lines) // 2
lines[k] += " And a sentence the editor added to this verse, which no translation has."
open(p, "w", encoding="utf-8").write("\n".join(lines))
PY
  run "edit $f"
  mv "$f.orig" "corpus/$f"; run "restore $f"
done
