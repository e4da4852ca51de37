#!/usr/bin/env python3
"""Tallies of the evidence scripts, kept out of their shell so that they can
be tested (scripts/test_tally.py):

  tally.py stability COMMIT LOAD BASELINE MAINS_TSV NRUNS RESULTS... SELFTEST...
      scripts/stability: suite runs (the first NRUNS results.json paths),
      self-test runs (the rest) and main jobs (MAINS_TSV: exit, wall s,
      first line per row) -> reports/stability.{md,json}; exit 1 on any false
      result.
  tally.py fresh COMMIT TSV
      scripts/fresh-runs: exit, wall s, first line per row ->
      reports/fresh-runs.{md,json}; exit 1 unless every run exited 0.
"""
import collections
import datetime
import json
import os
import statistics
import sys

# Gate rows that do not fail a suite run: "missing" rows are baseline runs the
# suite run did not include (another variant, or filtered); "new" ones pass.
GATE_OK = ("ok", "improvement", "missing", "new")


def selftest_miss(status):
    """A self-test cell that was not caught. "n/a" and "n/a (also caught)" (a
    cell the defect is not designated for, caught anyway) are not misses."""
    status = status or ""
    return status != "caught" and not status.startswith("n/a")


def stability(run_docs, selftest_docs, mains, gated):
    """run_docs / selftest_docs: parsed results.json documents, None for a run
    that left none. mains: (exit, wall_s, first line) per main job. gated:
    whether the suite runs were gated against a baseline. Returns the tally
    as a dict (the JSON file's content, plus the detail the Markdown needs)."""
    tally = collections.defaultdict(collections.Counter)
    evidence = collections.defaultdict(list)
    missing = gate_runs = gate_fail = 0
    gate_rows = collections.Counter()
    for doc in run_docs:
        if doc is None:
            missing += 1
            continue
        for r in doc.get("runs", []):
            key = (r.get("scenario", "?"), r.get("variant", "?"))
            tally[key][r.get("verdict", "?")] += 1
            if r.get("verdict") != "PASS":
                evidence[key].append(r.get("evidence", ""))
        if gated:
            gate = doc.get("gate")
            gate_runs += 1
            if not isinstance(gate, dict) or not gate.get("ok", False):
                gate_fail += 1
            for row in gate.get("rows", []) if isinstance(gate, dict) else []:
                st = row.get("status", "?")
                if st not in GATE_OK:
                    gate_rows[f"{row.get('scenario')}/{row.get('variant')} {row.get('what')}: {st}"] += 1
    cells = collections.Counter()
    st_missing = 0
    for doc in selftest_docs:
        if doc is None:
            st_missing += 1
            continue
        st = doc.get("selftest")
        found = 0
        for c in st.get("cells", []) if isinstance(st, dict) else []:
            if selftest_miss(c.get("status")):
                cells[f"{c.get('defect')}/{c.get('variant')} {c.get('column')}: {c.get('status')}"] += 1
                found += 1
        # a self-test that failed without a missed cell to show for it
        if (not isinstance(st, dict) or not st.get("ok", False)) and not found:
            st_missing += 1
    false = sum(c for t in tally.values() for v, c in t.items() if v != "PASS") + missing
    return {
        "tally": tally, "evidence": evidence, "missing": missing,
        "false_verdicts": false, "gate_runs": gate_runs, "false_gate_failures": gate_fail,
        "gate_rows": gate_rows, "cells": cells,
        "missed_cells": sum(cells.values()) + st_missing,
        "main_fail": sum(1 for rc, _, _ in mains if rc != 0),
    }


def read_tsv(path):
    """(exit, wall_s, first line) rows of a scripts' TSV file."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            rc, wall, head = (line.rstrip("\n").split("\t") + ["", ""])[:3]
            rows.append((int(rc), int(wall), head))
    return rows


def load(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def stability_main(commit, load_desc, baseline, mains_path, nruns, paths):
    runs, selftests = paths[:nruns], paths[nruns:]
    mains = read_tsv(mains_path)
    t = stability([load(p) for p in runs], [load(p) for p in selftests], mains,
                  baseline != "none")
    rows = []
    for (sc, va), c in sorted(t["tally"].items()):
        other = ", ".join(f"{v} x{n}" for v, n in sorted(c.items()) if v != "PASS") or "-"
        rows.append(f"| {sc} | {va} | {sum(c.values())} | {c['PASS']} | {other} |")
    nrel = sum(1 for p in runs if "/release-" in p)
    md = [
        "# Stability tally",
        "",
        f"Generated {now()} by scripts/stability on commit {commit}, {os.cpu_count()} CPUs, "
        f"load: {load_desc}.",
        "",
        f"- Suite runs: {len(runs)} ({nrel} release, {len(runs) - nrel} asan). "
        f"**False verdicts: {t['false_verdicts']}**"
        + (f" (including {t['missing']} suite runs without results)" if t["missing"] else ""),
        f"- Gate against {baseline}: {t['gate_runs']} gated runs, "
        f"**false gate failures: {t['false_gate_failures']}**"
        if baseline != "none" else "- Gate: not run (no baseline)",
        f"- Self-test runs: {len(selftests)}, **missed cells: {t['missed_cells']}**",
        f"- Main jobs (./scripts/leakcheck): {len(mains)}, **not exit 0: {t['main_fail']}**"
        + ("; exit codes and wall times: " + ", ".join(f"{rc} in {w} s" for rc, w, _ in mains)
           if mains else ""),
        "",
        "| scenario | variant | runs | PASS | other verdicts |",
        "|---|---|---|---|---|",
        *rows,
    ]
    for key, ev in sorted(t["evidence"].items()):
        md += ["", f"- {key[0]} x {key[1]}: " + "; ".join(sorted(set(e[:200] for e in ev)))]
    if t["gate_rows"]:
        md += ["", "Gate rows that did not pass:"]
        md += [f"- {k} (x{c})" for k, c in sorted(t["gate_rows"].items())]
    if t["cells"]:
        md += ["", "Self-test cells not caught:"]
        md += [f"- {k} (x{c})" for k, c in sorted(t["cells"].items())]
    for rc, w, head in mains:
        if rc != 0:
            md += ["", f"- main job exit {rc} in {w} s: {head}"]
    os.makedirs("reports", exist_ok=True)
    with open("reports/stability.md", "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    with open("reports/stability.json", "w", encoding="utf-8") as f:
        json.dump({"commit": commit, "load": load_desc, "suite_runs": len(runs),
                   "missing": t["missing"], "false_verdicts": t["false_verdicts"],
                   "gate_runs": t["gate_runs"], "false_gate_failures": t["false_gate_failures"],
                   "selftest_runs": len(selftests), "missed_cells": t["missed_cells"],
                   "main_jobs": [{"exit": rc, "wall_s": w} for rc, w, _ in mains],
                   "tally": [{"scenario": s, "variant": v, "verdicts": dict(c)}
                             for (s, v), c in sorted(t["tally"].items())]}, f, indent=1)
    print("\n".join(md))
    bad = t["false_verdicts"] or t["false_gate_failures"] or t["missed_cells"] or t["main_fail"]
    return 1 if bad else 0


def fresh_main(commit, tsv):
    runs = [{"exit": rc, "wall_s": w, "headline": h} for rc, w, h in read_tsv(tsv)]
    ok = sum(1 for r in runs if r["exit"] == 0)
    walls = [r["wall_s"] for r in runs]
    md = [
        "# Fresh-clone main jobs",
        "",
        f"Generated {now()} by scripts/fresh-runs on commit {commit}, {os.cpu_count()} CPUs. "
        "Each run is `git clone` of that commit into an empty directory, then "
        "`./scripts/leakcheck` (set-up, every build, the gate and the self-test).",
        "",
        f"- **{ok}/{len(runs)} exited 0.** Wall time median {statistics.median(walls):.0f} s, "
        f"min {min(walls)} s, max {max(walls)} s." if walls else f"- **{ok}/0 exited 0.**",
        "",
        "| run | exit | wall (s) | first line |",
        "|---|---|---|---|",
    ]
    for i, r in enumerate(runs, 1):
        head = r["headline"].replace("|", "\\|")
        md.append(f"| {i} | {r['exit']} | {r['wall_s']} | {head} |")
    os.makedirs("reports", exist_ok=True)
    with open("reports/fresh-runs.md", "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    with open("reports/fresh-runs.json", "w", encoding="utf-8") as f:
        json.dump({"commit": commit, "runs": runs}, f, indent=1)
    print("\n".join(md))
    return 0 if runs and ok == len(runs) else 1


if __name__ == "__main__":
    if len(sys.argv) >= 7 and sys.argv[1] == "stability":
        sys.exit(stability_main(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
                                int(sys.argv[6]), sys.argv[7:]))
    if len(sys.argv) == 4 and sys.argv[1] == "fresh":
        sys.exit(fresh_main(sys.argv[2], sys.argv[3]))
    sys.stderr.write(__doc__)
    sys.exit(2)
