#!/usr/bin/env python3
"""Compares two leakgate results.json files run by run: the same
scenario x variant set and the same verdict for each. Used to prove that a
sharded-and-merged run decides exactly as one unsharded run does."""
import json
import sys


def verdicts(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return {(r["scenario"], r["variant"]): r["verdict"] for r in doc["runs"]}


def main(argv):
    if len(argv) != 3:
        print("usage: compare_verdicts.py WHOLE.json MERGED.json", file=sys.stderr)
        return 2
    whole, merged = verdicts(argv[1]), verdicts(argv[2])
    diffs = []
    for key in sorted(set(whole) | set(merged)):
        a, b = whole.get(key, "(absent)"), merged.get(key, "(absent)")
        if a != b:
            diffs.append(f"  {key[0]} x {key[1]}: unsharded {a}, merged {b}")
    if diffs:
        print("sharded and unsharded verdicts differ:\n" + "\n".join(diffs))
        return 1
    print(f"sharded == unsharded: {len(whole)} runs, same verdicts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
