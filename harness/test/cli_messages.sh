#!/bin/sh
# The command line names what the user got wrong: an unknown short option
# inside a group, a --manifest whose folder does not exist, a run that two
# merge inputs both hold (with its fault). Usage: cli_messages.sh LEAKGATE TMPDIR
set -u
LG=$1
T=$2
rm -rf "$T" && mkdir -p "$T" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect WANT CMD...: CMD exits 2 and its stderr contains WANT.
expect() {
  want=$1
  shift
  "$@" >"$T/out.txt" 2>"$T/err.txt"
  rc=$?
  [ $rc -eq 2 ] || fail "$* exited $rc, not 2: $(cat "$T/err.txt")"
  grep -qF -- "$want" "$T/err.txt" ||
    fail "$*: stderr lacks \"$want\": $(cat "$T/err.txt")"
}

expect "unknown option '-x'" "$LG" run -xy
expect "unknown option '--bogus'" "$LG" run --bogus
expect "--manifest $T/none/x.json: no such file" \
  "$LG" --manifest "$T/none/x.json" list
grep -q "no manifest:" "$T/err.txt" && fail "says 'no manifest' though --manifest was given"

for d in a b; do
  mkdir -p "$T/$d"
  cat >"$T/$d/results.json" <<'JSON'
{"schema": "leakgate-results", "schema_version": 1, "exit_code": 0,
 "runs": [{"scenario": "s", "variant": "asan", "fault": "f", "verdict": "PASS"}]}
JSON
done
expect "s@f/asan appears in more than one input" \
  "$LG" merge --out "$T/m" "$T/a" "$T/b"
echo "cli_messages: ok"
