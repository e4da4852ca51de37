#!/usr/bin/env python3
"""Tests of scripts/tally.py: the evidence tallies count what they claim, on
fixture results built here. The first bug they guard against was real: a
self-test cell "n/a (also caught)" was counted as a missed cell."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tally  # noqa: E402


def suite(verdicts, gate_ok=True, rows=()):
    return {"runs": [{"scenario": s, "variant": v, "verdict": d, "evidence": "ev " + s}
                     for s, v, d in verdicts],
            "gate": {"ok": gate_ok, "rows": [dict(zip(("scenario", "variant", "what", "status"), r))
                                             for r in rows]}}


def selftest(statuses, ok=True):
    return {"selftest": {"ok": ok, "cells": [
        {"defect": f"d{i}", "variant": "asan", "column": "asan", "status": st}
        for i, st in enumerate(statuses)]}}


class Stability(unittest.TestCase):
    def test_clean(self):
        t = tally.stability(
            [suite([("a.c", "release", "PASS")], rows=[("a.c", "release", "verdict", "ok"),
                                                       ("b.c", "asan", "verdict", "missing"),
                                                       ("c.c", "release", "verdict", "new"),
                                                       ("a.c", "release", "x", "improvement")])],
            [selftest(["caught", "n/a", "n/a (also caught)"])], [(0, 190, "leakgate PASS")], True)
        self.assertEqual((t["false_verdicts"], t["false_gate_failures"], t["missed_cells"],
                          t["main_fail"]), (0, 0, 0, 0))

    def test_false_results_counted(self):
        t = tally.stability(
            [suite([("a.c", "release", "LEAK"), ("b.js", "release", "PASS")], gate_ok=False,
                   rows=[("b.js", "release", "threads peak growth", "regression")]),
             None],  # a suite run that left no results
            [selftest(["missed", "caught"], ok=False), selftest([], ok=False), None],
            [(1, 400, "leakgate FAIL"), (0, 190, "leakgate PASS")], True)
        self.assertEqual(t["false_verdicts"], 2)  # the LEAK and the missing run
        self.assertEqual(t["false_gate_failures"], 1)
        self.assertEqual(dict(t["gate_rows"]), {"b.js/release threads peak growth: regression": 1})
        # one missed cell, one failed self-test without cells, one without results
        self.assertEqual(t["missed_cells"], 3)
        self.assertEqual(t["main_fail"], 1)

    def test_ungated(self):
        t = tally.stability([suite([("a.c", "release", "PASS")], gate_ok=False)], [], [], False)
        self.assertEqual((t["gate_runs"], t["false_gate_failures"]), (0, 0))


class Commands(unittest.TestCase):
    def run_tally(self, *args, cwd):
        here = os.path.dirname(os.path.abspath(__file__))
        return subprocess.run([sys.executable, os.path.join(here, "tally.py"), *args], cwd=cwd,
                              capture_output=True, text=True)

    def test_fresh(self):
        with tempfile.TemporaryDirectory() as d:
            tsv = os.path.join(d, "runs.tsv")
            with open(tsv, "w") as f:
                f.write("0\t192\tleakgate PASS | x\n0\t190\tleakgate PASS\n3\t60\tINFRA\n")
            p = self.run_tally("fresh", "abc1234", tsv, cwd=d)
            self.assertEqual(p.returncode, 1)  # one run did not exit 0
            with open(os.path.join(d, "reports/fresh-runs.md")) as f:
                md = f.read()
            self.assertIn("**2/3 exited 0.** Wall time median 190 s, min 60 s, max 192 s.", md)
            self.assertIn("leakgate PASS \\| x", md)  # a table cell cannot break the table

    def test_stability_files(self):
        import json
        with tempfile.TemporaryDirectory() as d:
            res = os.path.join(d, "release-1.json")
            with open(res, "w") as f:
                json.dump(suite([("a.c", "release", "PASS")]), f)
            st = os.path.join(d, "selftest-1.json")
            with open(st, "w") as f:
                json.dump(selftest(["caught", "n/a (also caught)"]), f)
            mains = os.path.join(d, "mains.tsv")
            with open(mains, "w") as f:
                f.write("0\t412\tleakgate PASS\n")
            p = self.run_tally("stability", "abc1234", "--cpu 2", "reports/baseline.json", mains,
                               "1", res, st, cwd=d)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(os.path.join(d, "reports/stability.json")) as f:
                j = json.load(f)
            self.assertEqual((j["suite_runs"], j["false_verdicts"], j["missed_cells"],
                              j["main_jobs"]), (1, 0, 0, [{"exit": 0, "wall_s": 412}]))


if __name__ == "__main__":
    unittest.main()
