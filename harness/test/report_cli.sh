#!/bin/sh
# End-to-end check of `leakgate report`, `gate` and `merge` over results.json
# files a run did not write: partial (selftest cells and gate rows without
# their optional fields), with XML-illegal code points and escape sequences
# in scenario text, with a top-level key this version does not know, and
# with a wrong type. Usage: report_cli.sh LEAKGATE TMPDIR
set -u
LG=$1
T=$2
rm -rf "$T" && mkdir -p "$T/in" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$T/in/results.json" <<'JSON'
{"schema": "leakgate-results", "schema_version": 1, "exit_code": 1,
 "tolerance": {"slope_rel": 0.5},
 "runs": [
  {"scenario": "sub|churn", "variant": "asan", "verdict": "ERROR",
   "evidence": "scenario said \u001b[31mred\u001b[0m \ufffe\uffff <script>",
   "findings": [{"message": "bad \u0001 byte", "stacks": [{"frames": [{}]}]}]},
  {"scenario": "clean", "variant": "asan", "verdict": "PASS"}],
 "selftest": {"cells": [{}, {"designated": true}]},
 "gate": {"rows": [{}, {"status": "regression"}]}}
JSON
cp "$T/in/results.json" "$T/orig.json"

"$LG" report "$T/in" >"$T/out.txt" 2>"$T/err.txt"
rc=$?
[ $rc -eq 0 ] || fail "report exited $rc: $(cat "$T/err.txt")"
cmp -s "$T/in/results.json" "$T/orig.json" || fail "report rewrote its input"
xmllint --noout "$T/in/junit.xml" || fail "junit.xml is not well-formed"
xmllint --noout "$T/in/report.html" || fail "report.html is not well-formed"
# A gate row without a status reads as a regression (never a silent pass).
head -n 1 "$T/in/summary.md" | grep -q '^# leakgate FAIL: 2 gate regressions' ||
  fail "summary.md does not start with the cause: $(head -n 1 "$T/in/summary.md")"
grep -Eq '(^|[^\\])<script' "$T/in/summary.md" && fail "summary.md passes <script> through"
grep -q '\\<script\\>' "$T/in/summary.md" || fail "summary.md does not escape <script>"
grep -q "$(printf '\033')" "$T/in/summary.md" "$T/out.txt" &&
  fail "control bytes reach summary.md or the terminal"

# A different --out gets a copy of results.json that keeps unknown keys.
"$LG" report "$T/in" --out "$T/copy" >/dev/null 2>&1 || fail "report --out"
grep -q '"tolerance"' "$T/copy/results.json" || fail "--out dropped 'tolerance'"
xmllint --noout "$T/copy/junit.xml" "$T/copy/report.html" || fail "--out XML"

# gate and merge read the same file without crashing (exit 0 or 1).
mkdir -p "$T/cur" && cp "$T/orig.json" "$T/cur/results.json"
"$LG" gate --baseline "$T/orig.json" "$T/cur" >"$T/gate.txt" 2>&1
rc=$?
[ $rc -le 1 ] || fail "gate exited $rc"
grep -q "$(printf '\033')" "$T/gate.txt" && fail "control bytes reach the gate's terminal output"
grep -q '"tolerance"' "$T/cur/results.json" || fail "gate dropped 'tolerance'"
xmllint --noout "$T/cur/junit.xml" "$T/cur/report.html" || fail "gate XML"
"$LG" merge "$T/in" --out "$T/merged" >/dev/null 2>&1
rc=$?
[ $rc -le 1 ] || fail "merge exited $rc"

# A wrong type: exit 2, naming the key.
mkdir -p "$T/bad"
printf '{"schema":"leakgate-results","schema_version":1,"runs":[],"gate":{"rows":[{"note":7}]}}' \
  >"$T/bad/results.json"
"$LG" report "$T/bad" >/dev/null 2>"$T/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "wrong type: exit $rc, expected 2"
grep -q "gate.rows\[0\].note': expected a string, found a number" "$T/bad.err" ||
  fail "wrong type not named: $(cat "$T/bad.err")"
echo "report_cli: ok"
