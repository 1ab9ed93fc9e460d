#!/usr/bin/env python3
"""`customui markdown FILE` against cmark on the same 10 MB document, whole process, side by side.

    python3 docs/benchmarks/markdown/cli.py [--binary .build/release/customui] [--rounds 5] [--size 10000000]

Writes the document with generate.py (the same one compare.sh and `customui-bench markdown` use), then
runs interleaved rounds of: `cmark FILE` and `customui markdown FILE --format html`, then `cmark -t man
FILE` and `customui markdown FILE --format terminal` (the terminal renderer has no cmark counterpart;
`-t man` is a reference for a second output format). Output goes to /dev/null. For each command it
prints the medians over the rounds of wall time, CPU time (user + system) and peak resident memory
(ru_maxrss from wait4), and the ratios customui / cmark.
"""
import os, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
args = sys.argv[1:]


def option(name, default):
    return args[args.index(name) + 1] if name in args else default


binary = option("--binary", os.path.join(root, ".build/release/customui"))
rounds = int(option("--rounds", "5"))
size = option("--size", "10000000")
doc = os.path.join(tempfile.gettempdir(), f"markdown-cli-{size}.md")
with open(doc, "wb") as out:
    subprocess.run([sys.executable, os.path.join(here, "generate.py"), size, "1"], stdout=out, check=True)

pairs = [
    ("html", ["cmark", doc], [binary, "markdown", doc, "--format", "html"]),
    ("terminal", ["cmark", "-t", "man", doc], [binary, "markdown", doc, "--format", "terminal", "--width", "80"]),
]


def run(argv):
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE, close_fds=False)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv} failed: {process.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


samples = {}
for _ in range(rounds):
    for name, cmark, ours in pairs:
        samples.setdefault((name, "cmark"), []).append(run(cmark))
        samples.setdefault((name, "customui"), []).append(run(ours))

print(f"{os.path.getsize(doc):,} bytes, {rounds} interleaved rounds, load average {os.getloadavg()[0]:.1f} "
      f"on {os.cpu_count()} cores")
print(f"{'':9} {'command':10} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
medians = {}
for (name, who), values in samples.items():
    m = tuple(statistics.median(v[i] for v in values) for i in range(3))
    medians[(name, who)] = m
    print(f"{name:9} {who:10} {m[0]:8.3f} {m[1]:8.3f} {m[2]:8.1f}")
for name, _, _ in pairs:
    c, o = medians[(name, "cmark")], medians[(name, "customui")]
    print(f"{name}: customui/cmark wall {o[0] / c[0]:.2f}x, CPU {o[1] / c[1]:.2f}x, peak memory {o[2] / c[2]:.2f}x")
