#!/bin/sh
# Early stop in both probes (docs/probe-protocol.md, "Early stop"): with
# LEAKGATE_STOP naming a file that exists, the iterate phase ends at the
# first sample from the judged window's 15th on, and teardown, the final
# sample and the end record ("stopped": true, i = iterations done) still
# come; a stop path that does not exist changes nothing. The JS probe's
# batch mode gives each run its own stop path.
# Usage: probe_stop.sh C_SCENARIO PROBE_JS JS_SCENARIO TMPDIR
set -u
C=$1
PJS=$2
JS=$(cd "$(dirname "$3")" && pwd)/$(basename "$3") # batch runs chdir
T=$4
rm -rf "$T" && mkdir -p "$T" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

# 200 iterations, a sample every 5, warm-up 20: the window starts at 20 and
# its 15th sample is at 20 + 14 * 5 = 90.
export LEAKGATE_ITERATIONS=200 LEAKGATE_SAMPLE_EVERY=5 LEAKGATE_WARMUP=20
: >"$T/stop"

# check FILE WANT_I STOPPED(0/1): the stream's last iterate sample, the
# teardown sample and the end record are at WANT_I; the end says stopped
# exactly when asked.
check() {
  f=$1
  last=$(grep '"phase":"iterate"' "$f" | tail -n 1 | sed -n 's/.*"i":\([0-9]*\).*/\1/p')
  [ "$last" = "$2" ] || fail "$f: last iterate sample at '$last', want $2"
  grep -q "\"type\":\"sample\",\"phase\":\"teardown\",\"i\":$2[,}]" "$f" ||
    grep -q "\"type\":\"sample\".*\"phase\":\"teardown\".*\"i\":$2[,}]" "$f" ||
    fail "$f: no teardown sample at $2"
  end=$(tail -n 1 "$f")
  case $end in *'"type":"end"'*'"status":"ok"'*) ;; *) fail "$f: last line is not an ok end record: $end" ;; esac
  case $end in *"\"i\":$2,"*) ;; *) fail "$f: end record not at $2: $end" ;; esac
  case $end in
    *'"stopped":true'*) [ "$3" = 1 ] || fail "$f: end says stopped: $end" ;;
    *) [ "$3" = 0 ] || fail "$f: end does not say stopped: $end" ;;
  esac
}

LEAKGATE_PROBE=$T/c.jsonl LEAKGATE_STOP=$T/stop timeout 20 "$C" >/dev/null 2>&1 ||
  fail "C probe exited non-zero"
check "$T/c.jsonl" 90 1
LEAKGATE_PROBE=$T/c-full.jsonl LEAKGATE_STOP=$T/none timeout 20 "$C" >/dev/null 2>&1 ||
  fail "C probe exited non-zero"
check "$T/c-full.jsonl" 200 0

LEAKGATE_PROBE=$T/js.jsonl LEAKGATE_STOP=$T/stop \
  timeout 60 node --expose-gc "$PJS" "$JS" >/dev/null 2>&1 || fail "JS probe exited non-zero"
check "$T/js.jsonl" 90 1
LEAKGATE_PROBE=$T/js-full.jsonl LEAKGATE_STOP=$T/none \
  timeout 60 node --expose-gc "$PJS" "$JS" >/dev/null 2>&1 || fail "JS probe exited non-zero"
check "$T/js-full.jsonl" 200 0

# Batch: the first run's stop file exists, the second's does not, the
# third's does again (each run reads its own LEAKGATE_STOP).
mkdir -p "$T/b0" "$T/b1" "$T/b2"
cat >"$T/batch.json" <<JSON
{"batch": 1, "runs": [
 {"scenario": "a", "argv": ["$JS"], "cwd": "$T/b0", "env": {"LEAKGATE_PROBE": "$T/b0/p.jsonl", "LEAKGATE_STOP": "$T/stop"}, "unset": []},
 {"scenario": "b", "argv": ["$JS"], "cwd": "$T/b1", "env": {"LEAKGATE_PROBE": "$T/b1/p.jsonl", "LEAKGATE_STOP": "$T/b1/stop"}, "unset": []},
 {"scenario": "c", "argv": ["$JS"], "cwd": "$T/b2", "env": {"LEAKGATE_PROBE": "$T/b2/p.jsonl", "LEAKGATE_STOP": "$T/stop"}, "unset": []}
]}
JSON
LEAKGATE_PROBE=$T/batch.jsonl timeout 120 node --expose-gc "$PJS" --batch "$T/batch.json" \
  >/dev/null 2>&1 || fail "batch exited non-zero: $(cat "$T/batch.jsonl")"
check "$T/b0/p.jsonl" 90 1
check "$T/b1/p.jsonl" 200 0
check "$T/b2/p.jsonl" 90 1
tail -n 1 "$T/batch.jsonl" | grep -q '"type":"end","status":"ok"' || fail "batch did not end ok"
echo "ok: both probes stop at the first sample from the window's 15th, end-of-run records intact"
