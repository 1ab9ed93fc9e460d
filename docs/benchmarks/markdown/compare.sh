#!/bin/sh
# Times cmark (the C reference implementation, Debian package `cmark`) and customui-bench on the
# same 10 MB markdown document, side by side: five interleaved rounds (the machine is shared, so
# each round times both back to back), then the full customui-bench markdown figures.
#   apt-get install -y cmark
#   docs/benchmarks/markdown/compare.sh
set -e
cd "$(dirname "$0")/../../.."
doc=${TMPDIR:-/tmp}/markdown-bench.md
python3 docs/benchmarks/markdown/generate.py 10000000 1 > "$doc"
swift build -c release --product customui-bench >/dev/null
MARKDOWN_BENCH_WRITE="$doc.swift" MARKDOWN_BENCH_HTML_ONLY=1 .build/release/customui-bench markdown >/dev/null
if cmp -s "$doc" "$doc.swift"; then echo "same document for both: $(wc -c < "$doc") bytes"; else echo "documents differ!"; exit 1; fi
python3 - "$doc" <<'PY'
import subprocess, sys, time
doc = sys.argv[1]
size = len(open(doc, "rb").read()) / 1e6
rows = []
for round in range(5):
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(["cmark", doc], stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    cmark = size / min(times)
    out = subprocess.run([".build/release/customui-bench", "markdown"], env={"MARKDOWN_BENCH_HTML_ONLY": "1"},
                         capture_output=True, text=True, check=True).stdout
    ours = float([l for l in out.splitlines() if l.startswith("markdown.html.throughput ")][0].split()[1])
    rows.append((cmark, ours))
    print("round %d: cmark %.1f MB/s (best of 3, process included)  customui %.1f MB/s  ratio %.2f" % (round + 1, cmark, ours, ours / cmark))
ratios = sorted(o / c for c, o in rows)
print("median ratio customui/cmark: %.2f" % ratios[len(ratios) // 2])
PY
.build/release/customui-bench markdown
