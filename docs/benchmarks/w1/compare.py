#!/usr/bin/env python3
"""W1 side by side: swift-mustache's `mustache-w1` and `customui-bench template-w1`, interleaved.

    python3 docs/benchmarks/w1/compare.py --peer PATH/TO/mustache-w1 \
        [--bench .build-release/release/customui-bench] [--rounds 5]

Each round runs the peer, then us (peer, us, peer, us, ...), so both see the same background load.
Each program renders the same 100-item catalogue for a second (wall) and then 1,000 times under
`CLOCK_PROCESS_CPUTIME_ID`; the figure compared is CPU time per render (renders per second), which
the load disturbs far less than wall time. Prints each round, then the medians and the ratio of
renders per second (ours over the peer's), per round and of the medians.
Run from the repository root (customui-bench reads nothing from it for W1, but `swift build` puts
the binary under `.build-release`). See README.md for how the peer is built.
"""
import os, statistics, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
args = sys.argv[1:]


def option(name, default=None):
    return args[args.index(name) + 1] if name in args else default


peer = option("--peer")
if peer is None:
    sys.exit("usage: compare.py --peer PATH/TO/mustache-w1 [--bench PATH/TO/customui-bench] [--rounds N]")
bench = option("--bench", os.path.join(root, ".build-release/release/customui-bench"))
rounds = int(option("--rounds", "5"))


def figures(argv):
    out = subprocess.run(argv, cwd=root, check=True, capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            try:
                values[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return values


rows = []
for n in range(rounds):
    theirs = figures([peer])
    ours = figures([bench, "template-w1"])
    row = {
        "peer_us": theirs["mustache.w1.cpu-per-render"],
        "ours_us": ours["template.w1.cpu-per-render"],
        "peer_bytes": theirs["mustache.w1.output-size"],
        "ours_bytes": ours["template.w1.output-size"],
        "bound_us": ours.get("template.w1.bound", float("nan")),
        "evaluate_us": ours.get("template.w1.phase.evaluate-to-tree", float("nan")),
        "write_us": ours.get("template.w1.phase.write-html-from-tree", float("nan")),
    }
    rows.append(row)
    print(
        f"round {n + 1}: swift-mustache {row['peer_us']:.1f} us/render ({1e6 / row['peer_us']:.0f}/s), "
        f"CustomUI {row['ours_us']:.1f} us/render ({1e6 / row['ours_us']:.0f}/s), "
        f"ratio {row['peer_us'] / row['ours_us']:.2f}x",
        flush=True,
    )

load = os.getloadavg()
peer_us = statistics.median(r["peer_us"] for r in rows)
ours_us = statistics.median(r["ours_us"] for r in rows)
print(f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores, {rounds} interleaved rounds")
print(f"swift-mustache: median {peer_us:.1f} us CPU per render, {1e6 / peer_us:.0f} renders/s, {rows[0]['peer_bytes']:.0f} bytes")
print(f"CustomUI:       median {ours_us:.1f} us CPU per render, {1e6 / ours_us:.0f} renders/s, {rows[0]['ours_bytes']:.0f} bytes")
print(
    f"CustomUI phases (median): evaluate into a tree {statistics.median(r['evaluate_us'] for r in rows):.1f} us, "
    f"write HTML from the tree {statistics.median(r['write_us'] for r in rows):.1f} us, "
    f"bound {statistics.median(r['bound_us'] for r in rows):.1f} us"
)
ratios = sorted(r["peer_us"] / r["ours_us"] for r in rows)
print(f"renders per second, ours over the peer's: median of medians {peer_us / ours_us:.2f}x, "
      f"per round {ratios[0]:.2f}x to {ratios[-1]:.2f}x")
