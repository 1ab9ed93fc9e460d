#!/bin/sh
# Times cmark (the C reference implementation, Debian package `cmark`) and customui-bench on the
# same 10 MB markdown document, side by side.
#   apt-get install -y cmark
#   docs/benchmarks/markdown/compare.sh
set -e
cd "$(dirname "$0")/../../.."
doc=${TMPDIR:-/tmp}/markdown-bench.md
python3 docs/benchmarks/markdown/generate.py 10000000 1 > "$doc"
swift build -c release --product customui-bench >/dev/null
MARKDOWN_BENCH_WRITE="$doc.swift" .build/release/customui-bench markdown
if cmp -s "$doc" "$doc.swift"; then echo "(same document for both: $(wc -c < "$doc") bytes)"; else echo "documents differ!"; exit 1; fi
python3 - "$doc" <<'PY'
import subprocess, sys, time
doc = sys.argv[1]
size = len(open(doc, "rb").read()) / 1e6
times = []
for _ in range(7):
    t = time.perf_counter()
    subprocess.run(["cmark", doc], stdout=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - t)
times.sort()
best, median = times[0], times[len(times) // 2]
print("cmark.html.10mb %.0f ms (median of 7, best %.0f ms)" % (median * 1000, best * 1000))
print("cmark.html.throughput %.1f MB/s (median; best %.1f MB/s)" % (size / median, size / best))
PY
