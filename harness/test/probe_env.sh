#!/bin/sh
# Both probes read the protocol's counts the same way: digits only; anything
# else ("-5", " 7", "2e3", "12x", "3.0", a count past 2^64) is the default, never a
# huge or truncated count. Usage: probe_env.sh C_SCENARIO PROBE_JS JS_SCENARIO TMPDIR
set -u
C=$1
PJS=$2
JS=$3
T=$4
rm -rf "$T" && mkdir -p "$T" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

# iterations LANG VALUE: the "iterations" of the meta record the probe
# writes with LEAKGATE_ITERATIONS=VALUE (the scenario runs 0 iterations of
# its own: the meta record is written first, then the run is cut off).
iterations() {
  f="$T/$1.jsonl"
  rm -f "$f"
  if [ "$1" = c ]; then
    LEAKGATE_PROBE=$f LEAKGATE_ITERATIONS=$2 LEAKGATE_SAMPLE_EVERY=1000000 \
      timeout 20 "$C" >/dev/null 2>&1
  else
    LEAKGATE_PROBE=$f LEAKGATE_ITERATIONS=$2 LEAKGATE_SAMPLE_EVERY=1000000 \
      timeout 20 node --expose-gc "$PJS" "$JS" >/dev/null 2>&1
  fi
  head -n 1 "$f" | sed -n 's/.*"iterations":\([0-9]*\).*/\1/p'
}

for lang in c js; do
  got=$(iterations $lang 37)
  [ "$got" = 37 ] || fail "$lang probe: LEAKGATE_ITERATIONS=37 read as '$got'"
  for bad in -5 " 7" 2e3 12x 3.0 99999999999999999999999 ""; do
    got=$(iterations $lang "$bad")
    [ "$got" = 1000 ] ||
      fail "$lang probe: LEAKGATE_ITERATIONS='$bad' read as '$got', not the default 1000"
  done
done
echo "ok: both probes read bad counts as the default"
