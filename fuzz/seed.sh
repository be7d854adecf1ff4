#!/usr/bin/env bash
# Seed corpora for the fuzz targets, cut from the repository's own files (nothing big is committed):
# fuzz/corpus/TARGET/. Idempotent; libFuzzer adds what it finds next to the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
c=fuzz/corpus
mkdir -p "$c"/{tokenize,align,html,statements,config,cache,track}

# Pieces of at most 2 KB of the texts (English, Chinese, the Bible, PAN), and some edge cases.
texts=(inputs/*.txt eval-data/chinalaw/*.txt eval-data/bible/parallels/*.txt)
for f in "${texts[@]}"; do
    n=$(basename "$f" .txt | tr -c 'A-Za-z0-9_\n-' '_')
    head -c 2048 "$f" | iconv -c -f UTF-8 -t UTF-8 2>/dev/null >"$c/tokenize/$n" || true
done
printf 'שלום עולם مرحبا بالعالم hello мир 世界 カタカナ ひらがな 한국어' >"$c/tokenize/mixed-scripts"
printf 'e\xcc\x81 \xef\xac\x81 \xe2\x84\xab I\xcc\x87 \xc3\x9f \xe2\x80\x99s don\xe2\x80\x99t a\xe2\x80\x94b \xef\xbc\xa1\xef\xbc\xa2' >"$c/tokenize/normalisation"
printf 'a.b.c 1,000.5 foo_bar x:y it'"'"'s __ .. 3;4' >"$c/tokenize/ascii-joins"

# Pairs: the start of one text, NUL, the start of another.
i=0
for a in inputs/*.txt eval-data/bible/parallels/*_A.txt; do
    for b in inputs/2019*.txt eval-data/bible/parallels/ps14_ps53_B.txt; do
        i=$((i + 1))
        { head -c 1500 "$a"; printf '\0'; head -c 1500 "$b"; } | iconv -c -f UTF-8 -t UTF-8 2>/dev/null >"$c/align/pair-$i" || true
    done
done
{ head -c 1200 eval-data/chinalaw/中华人民共和国宪法__1982-12-04.txt; printf '\0'
  head -c 1200 eval-data/chinalaw/中华人民共和国宪法__2018-03-11.txt; } | iconv -c -f UTF-8 -t UTF-8 2>/dev/null >"$c/align/cjk" || true

# Tracking: four of the 2015 statements, NUL, two pieces of a document, NUL between them.
mapfile -t stmts < <(sed -n 's/^text = "\(.*\)"$/\1/p' inputs/statements.toml)
i=0
for f in inputs/*.txt; do
    { printf '%s\n' "${stmts[@]:$i:4}"; printf '\0'; head -c 1200 "$f"; printf '\0'
      tail -c +1201 "$f" | head -c 1300; } | iconv -c -f UTF-8 -t UTF-8 2>/dev/null >"$c/track/seed-$i" || true
    i=$((i + 1))
done

# HTML: the committed reports (trimmed) and hand-written hostile pages.
for f in reports/scan-pairs/pair-0000[1-3].html templates/*.html; do
    head -c 4096 "$f" >"$c/html/$(basename "$f")"
done
printf '<html><head><title>t</title><style>p{}</style><script>alert(1)</script></head><body><p>One &amp; two &#x41; &notanentity; <b>bold</b><br>line</p><template>x</template><!-- c --><pre>  kept  </pre><table><tr><td>a<td>b</table></body>' >"$c/html/hostile"
printf '\xef\xbb\xbf<p>BOM</p>\r\n<p>CRLF &#0; &#xD800; &#1114112;</p><img src=x onerror=alert(1)><a href="javascript:alert(1)">j</a></scr' >"$c/html/edge"

# Statements and configurations.
cp inputs/statements.toml "$c/statements/inputs"
cp tests/fixtures/*.toml "$c/statements/"
sed -n '/^pub const EXAMPLE_CONFIG/,/^"#;/p' src/cli/check_cmd.rs | sed '1s/.*r#"//;$d' >"$c/config/example"
printf 'paths = ["corpus/**/*.md"]\nbaseline = "b.json"\ncache = ".c"\n[thresholds]\nreused_share = 0.5\nmin_shared = 3\nboilerplate = false\n[outputs]\nsarif = "x.sarif"\n' >"$c/config/full"

# Caches: a real one of the bundled corpus when a built binary is at hand (cyberdiff check), as is
# (flag byte 0) and as a payload to be re-sealed (flag byte 3: valid state header and postings).
bin=${CYBERDIFF_BIN:-target/debug/cyberdiff}
if [ -x "$bin" ] && command -v python3 >/dev/null; then
    tmp=$(mktemp -d)
    "$bin" check --cache-dir "$tmp/cache" --baseline "$tmp/b.json" -q inputs >/dev/null 2>&1 || true
    if [ -f "$tmp/cache/state.bin" ]; then
        python3 - "$tmp/cache" "$c/cache" <<'PY'
import struct, sys
src, out = sys.argv[1], sys.argv[2]
state = open(f"{src}/state.bin", "rb").read()
posts = open(f"{src}/postings.bin", "rb").read()
def seed(name, flag, s, p):
    s = s[:65535]
    open(f"{out}/{name}", "wb").write(bytes([flag]) + struct.pack("<H", len(s)) + s + p)
seed("raw", 0, state, posts[:4096])
vlen = struct.unpack_from("<I", state, 12)[0]
payload = state[16 + vlen + 40:]
bits = struct.unpack_from("<I", posts, 12)[0]
head = 8 + 4 + 4 + 8 + 8 + ((1 << bits) + 1) * 8 + (1 << bits) * 8 + 8
seed("sealed", 3, payload, posts[head:head + 4096])
PY
    fi
    rm -rf "$tmp"
fi
printf '\x03\x00\x00' >"$c/cache/empty"
