#!/usr/bin/env python3
"""Whole-process wall time of `customui validate` on one example template, against process start-up alone.

    python3 docs/benchmarks/startup/compare.py [--binary .build-release/release/customui] [--runs 41]

Each round runs, back to back: `/bin/true` (what starting any process costs here), `cmark` on the
example's prompt text when cmark is installed (a small C program's start-up), `customui --version`
(our start-up without work) and `customui validate Examples/story-writer/story-writer.ui.xml` (with its
sibling prompt). Rounds are interleaved so that every command sees the same background load; the
figures are medians of wall time (and of the children's CPU time, user + system, from os.wait4).
"""
import os, shutil, statistics, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
args = sys.argv[1:]
binary = args[args.index("--binary") + 1] if "--binary" in args else os.path.join(root, ".build-release/release/customui")
runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 41
example = os.path.join(root, "Examples/story-writer/story-writer.ui.xml")

commands = [("process start (/bin/true)", ["/bin/true"])]
if shutil.which("cmark"):
    commands.append(("cmark on a 1 KB file", ["cmark", os.path.join(root, "Examples/story-writer/story-writer.prompt.json")]))
commands += [
    ("customui --version", [binary, "--version"]),
    ("customui validate story-writer", [binary, "validate", example]),
]


def timed(argv):
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv} failed with {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


samples = {name: [] for name, _ in commands}
for _ in range(runs):
    for name, argv in commands:
        samples[name].append(timed(argv))
print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {runs} interleaved rounds")
print(f"{'command':36} {'wall ms (median)':>17} {'CPU ms (median)':>16} {'max RSS MB':>11}")
for name, values in samples.items():
    wall = statistics.median(v[0] for v in values) * 1e3
    cpu = statistics.median(v[1] for v in values) * 1e3
    rss = max(v[2] for v in values) / 1024
    print(f"{name:36} {wall:17.2f} {cpu:16.2f} {rss:11.1f}")
