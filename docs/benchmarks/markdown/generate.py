#!/usr/bin/env python3
"""Writes the markdown benchmark document, byte for byte the one customui-bench generates
(Sources/customui-bench/MarkdownBench.swift, MarkdownBenchDocument.make).

usage: generate.py [SIZE [SEED]]   (defaults: 10000000 1)
"""
import sys

WORDS = ["stream", "answer", "model", "token", "render", "markdown", "slot", "template", "safe", "prompt",
         "variable", "schema", "table", "list", "code", "quote", "heading", "link", "image", "engine",
         "swift", "linux", "terminal", "width", "chunk", "final", "block", "inline", "parser", "output"]
MASK = (1 << 64) - 1


class Generator:
    def __init__(self, seed):
        self.state = seed

    def next(self, n):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return (self.state >> 33) % n


def make(size, seed):
    g = Generator(seed)
    counter = [0]

    def word():
        w = WORDS[g.next(len(WORDS))]
        k = g.next(12)
        if k == 0:
            return "*%s*" % w
        if k == 1:
            return "**%s**" % w
        if k == 2:
            counter[0] += 1
            return "[%s](https://example.com/%s/%d)" % (w, w, counter[0])
        if k == 3:
            return "`%s`" % w
        return w

    def line(count):
        return " ".join(word() for _ in range(count))

    out = []
    total = 0
    while total < size:
        block = []
        k = g.next(10)
        if k == 0:
            hashes = "#" * (1 + g.next(3))
            block.append(hashes + " " + line(3 + g.next(4)) + "\n")
        elif k in (1, 2, 3, 4):
            for _ in range(3 + g.next(4)):
                block.append(line(8 + g.next(7)) + "\n")
        elif k in (5, 6):
            for _ in range(3 + g.next(4)):
                block.append("- " + line(4 + g.next(8)) + "\n")
                if g.next(4) == 0:
                    block.append("  - " + line(3 + g.next(5)) + "\n")
        elif k == 7:
            for i in range(3 + g.next(4)):
                block.append("%d. " % (i + 1) + line(4 + g.next(8)) + "\n")
        elif k == 8:
            block.append("```python\n")
            for _ in range(4 + g.next(7)):
                indent = "    " * g.next(3)
                a = WORDS[g.next(len(WORDS))]
                b = WORDS[g.next(len(WORDS))]
                block.append("%s%s = %s(%d)\n" % (indent, a, b, g.next(100)))
            block.append("```\n")
        else:
            for _ in range(2 + g.next(3)):
                block.append("> " + line(6 + g.next(8)) + "\n")
        block.append("\n")
        text = "".join(block)
        out.append(text)
        total += len(text.encode("utf-8"))
    return "".join(out)


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    sys.stdout.write(make(size, seed))
