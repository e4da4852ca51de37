#!/usr/bin/env python3
"""Tests of `scripts/bench --compare OLD --no-run NEW` (scripts/bench_compare.js)
on small hand-written reports: the new/old ratio of every benchmark in both
files, the medians of the core (not its other aggregates), and a one-line
error with exit 2 on bad input; and of scripts/bench_merge.js, which folds
the two-thread rows run one process per repetition into the core report.
Runs nothing else (no build, no benchmark)."""
import json
import os
import subprocess
import tempfile
import unittest

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench")
MERGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_merge.js")


def core(*rows):
    return {"benchmarks": [
        {"name": f"{n}_{agg}", "run_name": n, "run_type": "aggregate", "aggregate_name": agg,
         "repetitions": 7, "items_per_second": v} for n, agg, v in rows]}


def js(*rows):
    return {"benchmarks": [{"name": n, "items_per_second": v, "bytes_per_second": None,
                            "ratio": None, "ratio_label": None} for n, v in rows]}


OLD = {"generated": "x", "commit": "a", "core": core(("BM_Pipe/ring", "median", 1e6),
                                                      ("BM_Pipe/ring", "mean", 9e9),
                                                      ("BM_Gone", "median", 5.0)),
       "js": js(("EventEmitter.emit", 4e6), ("peer: ring", 2e6))}
NEW = {"generated": "y", "commit": "b", "core": core(("BM_Pipe/ring", "median", 2.5e6),
                                                      ("BM_New", "median", 7.0)),
       "js": js(("EventEmitter.emit", 3e6), ("peer: ring", 2e6))}


class InTmpDir(unittest.TestCase):
    """A test with a temporary directory to write its input files to."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, content):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content))
        return path


class Compare(InTmpDir):

    def run_compare(self, old, new):
        return subprocess.run([BENCH, "--compare", old, "--no-run", new], capture_output=True,
                              text=True, timeout=60)

    def test_ratios(self):
        p = self.run_compare(self.write("old.json", OLD), self.write("new.json", NEW))
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = {line.split("  ")[0].strip(): line.split()[-1] for line in p.stdout.splitlines()}
        self.assertEqual(rows["core: BM_Pipe/ring"], "2.50x")  # the median, not the mean
        self.assertEqual(rows["js: EventEmitter.emit"], "0.75x")
        self.assertEqual(rows["js: peer: ring"], "1.00x")
        self.assertNotIn("core: BM_Gone", rows)
        self.assertNotIn("core: BM_New", rows)
        self.assertIn("3 in both; only in old: 1; only in new: 1", p.stdout)

    def test_relative_paths_from_the_callers_directory(self):
        self.write("old.json", OLD)
        self.write("new.json", NEW)
        p = subprocess.run([BENCH, "--compare", "old.json", "--no-run", "new.json"], cwd=self.dir.name,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2.50x", p.stdout)

    def test_bad_input(self):
        new = self.write("new.json", NEW)
        cases = {
            "missing": (os.path.join(self.dir.name, "nope.json"), "no such file"),
            "not json": (self.write("bad.json", "{not json"), "is not JSON"),
            "array": (self.write("arr.json", [1, 2]), "is not a scripts/bench report"),
            "no sections": (self.write("empty.json", {"x": 1}), "is not a scripts/bench report"),
            "benchmarks not a list": (self.write("shape.json", {"core": {"benchmarks": 3}, "js": None}),
                                      '"core" has no "benchmarks" array'),
            "rate not a number": (self.write("rate.json", {"js": js(("a", "fast"))}),
                                  "items_per_second is not a number"),
        }
        for what, (old, message) in cases.items():
            with self.subTest(what):
                p = self.run_compare(old, new)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stdout, "")
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertIn(message, p.stderr)
        with self.subTest("bad new file"):
            p = self.run_compare(new, os.path.join(self.dir.name, "nope.json"))
            self.assertEqual((p.returncode, len(p.stderr.splitlines())), (2, 1))

    def test_usage_errors(self):
        for args in (["--no-run", "x.json"], ["--compare"], ["--compare", "a.json", "--no-run"]):
            with self.subTest(args):
                p = subprocess.run([BENCH, *args], capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)


def run(name, items, **extra):
    return {"name": name, "run_name": name, "run_type": "iteration", "repetitions": 1,
            "repetition_index": 0, "time_unit": "ms", "items_per_second": items, **extra}


class Merge(InTmpDir):
    def merge(self, *files):
        return subprocess.run(["node", MERGE, *files], capture_output=True, text=True, timeout=60)

    def test_median_over_processes(self):
        main = self.write("core.json", core(("BM_Other", "median", 3.0)))
        pipes = [self.write(f"pipe.{i}.json", {"benchmarks": [
            run("BM_Pipeline2T/ring", v, index_lines_per_ev=l),
            run("BM_Pipeline2T/mutex", 1.0)]})
            for i, (v, l) in enumerate([(30e6, 0.1), (20e6, 0.3), (22e6, 0.2)])]
        pipes.append(self.write("pipe.err.json", {"benchmarks": [
            run("BM_Pipeline2T/ring", 0, error_occurred=True, error_message="lost events")]}))
        p = self.merge(main, *pipes)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(main) as f:
            got = json.load(f)["benchmarks"]
        ring = [b for b in got if b.get("aggregate_name") == "median" and b["run_name"] == "BM_Pipeline2T/ring"]
        self.assertEqual(len(ring), 1)
        self.assertEqual(ring[0]["items_per_second"], 22e6)
        self.assertEqual(ring[0]["index_lines_per_ev"], 0.2)
        self.assertEqual(sorted(ring[0]["per_process"]), [20e6, 22e6, 30e6])
        self.assertEqual(ring[0]["repetitions"], 3)
        self.assertEqual(ring[0]["time_unit"], "ms")
        self.assertIn("BM_Other", [b["run_name"] for b in got])
        self.assertEqual([b["error_message"] for b in got if b.get("error_occurred")], ["lost events"])

    def test_bad_input(self):
        good = self.write("core.json", core(("BM_Other", "median", 3.0)))
        for what, files in (("usage", [good]),
                            ("missing", [good, os.path.join(self.dir.name, "nope.json")]),
                            ("not json", [good, self.write("bad.json", "{")]),
                            ("no benchmarks", [good, self.write("odd.json", {"x": 1})])):
            with self.subTest(what):
                p = self.merge(*files)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)


if __name__ == "__main__":
    unittest.main()
