#!/bin/sh
# usage: lsan-retry.sh LIBASAN CMD...
# Runs CMD (one addon test under ASan) with LD_PRELOAD=LIBASAN (for CMD
# only: not for this script's own sh, grep and cat). When it fails because
# LeakSanitizer's own tracer crashed at exit ("LeakSanitizer has encountered
# a fatal error": no leak check was made, so there is no finding; seen with
# node's threads about once in a few hundred runs), it runs once more, as
# leakgate re-runs a scenario in that case (harness/README.md, "Detector
# crash"). Any other failure, and a second crash, stand.
asan=$1
shift
out=$(mktemp) || exit 1
LD_PRELOAD=$asan "$@" >"$out" 2>&1
rc=$?
cat "$out"
if [ "$rc" -ne 0 ] && grep -q "LeakSanitizer has encountered a fatal error" "$out"; then
  rm -f "$out"
  echo "lsan-retry: LeakSanitizer's tracer crashed at exit; running once more" >&2
  LD_PRELOAD=$asan "$@"
  exit $?
fi
rm -f "$out"
exit "$rc"
