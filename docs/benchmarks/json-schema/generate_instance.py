#!/usr/bin/env python3
"""Writes instance.json: a deterministic ~10 KB instance of props.schema.json (no randomness, so every run and
both validators see the same bytes)."""
import json, os

def item(s, i):
    return {
        "label": f"Metric {s}.{i}",
        "value": (s * 37 + i * 11) % 1000 / 4 if i % 3 else f"{s}-{i}",
        "unit": ["%", "ms", "s", "items", "tokens", "usd"][(s + i) % 6],
        "trend": ["up", "down", "flat"][(s * i) % 3],
        "color": "#%06x" % ((s * 2654435761 + i * 40503) % 0xFFFFFF),
        "weight": (s * 7 + i * 13) % 101,
    }

def instance(sections):
    return {
        "title": "Weekly model usage",
        "subtitle": "Tokens, latency and cost by prompt",
        "theme": "dark",
        "density": "comfortable",
        "author": {"id": "usr_0a1b2c3d", "name": "Ada", "role": "owner"},
        "reviewers": [{"id": "usr_%08x" % (n * 2654435761 % 2**32), "name": f"Reviewer {n}", "role": "viewer"} for n in range(3)],
        "tags": ["usage", "latency", "cost", "weekly"],
        "layout": {"columns": 3, "gap": 1.5, "sidebar": True},
        "sections": [
            {"id": f"sec-{s}", "kind": ["metrics", "list", "chart", "text"][s % 4], "heading": f"Section {s}",
             "collapsed": s % 2 == 0, "items": [item(s, i) for i in range(8)]}
            for s in range(sections)
        ],
    }

here = os.path.dirname(os.path.abspath(__file__))
sections = 1
while len(json.dumps(instance(sections + 1), indent=1)) <= 10 * 1024:
    sections += 1
text = json.dumps(instance(sections), indent=1) + "\n"
with open(os.path.join(here, "instance.json"), "w") as f:
    f.write(text)
print(f"instance.json: {len(text)} bytes, {sections} sections")
