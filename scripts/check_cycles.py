#!/usr/bin/env python3
"""Fails when the C modules of a source folder include each other in a cycle.

A module is a file stem up to its first underscore (runner.c, runner_proc.c
and runner_int.h are module `runner`); module A depends on module B when a
file of A includes a header of that folder, or a public header that one of
its modules implements (`#include "evstore/queue.h"` in core/src). Prints
each folder's dependency list and, for any cycle, the modules in it.
Usage: check_cycles.py ROOT [FOLDER[:PUBLIC]...] (relative to ROOT; PUBLIC
is a folder of public headers the folder's modules implement)."""
import os
import re
import sys

# FOLDER or FOLDER:PUBLIC, where PUBLIC holds the folder's public headers.
DEFAULT = ["core/src:core/include", "addon/src", "harness/src",
           "harness/preload", "harness/probe"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)\.h"', re.M)


def module(stem):
    return stem.split("_", 1)[0]


def graph(folder, public):
    files = [f for f in sorted(os.listdir(folder)) if f.endswith((".c", ".h"))]
    stems = {f[:-2] for f in files if f.endswith(".c")}
    deps = {}
    for f in files:
        a = module(f[:-2])
        deps.setdefault(a, set())
        with open(os.path.join(folder, f), encoding="utf-8") as fh:
            for inc in INCLUDE.findall(fh.read()):
                name = os.path.basename(inc)
                # The folder's own headers, and its public headers that one
                # of its modules implements (core/src/store.c implements
                # "evstore/store.h").
                own = os.path.isfile(os.path.join(folder, inc + ".h"))
                pub = public and name in stems and os.path.isfile(
                    os.path.join(public, inc + ".h"))
                if (own or pub) and module(name) != a:
                    deps[a].add(module(name))
    return deps


def cycles(deps):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(deps.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(deps):
        if v not in index:
            visit(v)
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root, folders = sys.argv[1], sys.argv[2:] or DEFAULT
    bad = 0
    for spec in folders:
        rel, _, pub = spec.partition(":")
        folder = os.path.join(root, rel)
        public = os.path.join(root, pub) if pub else None
        if not os.path.isdir(folder):
            print(f"{rel}: no such folder", file=sys.stderr)
            bad += 1
            continue
        deps = graph(folder, public)
        print(f"{rel}:")
        for m in sorted(deps):
            print(f"  {m} -> {', '.join(sorted(deps[m])) or '-'}")
        for c in cycles(deps):
            print(f"  CYCLE: {' <-> '.join(c)}")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
