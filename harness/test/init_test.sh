#!/bin/sh
# `leakgate init` as a new user meets it: on the textbuf addon's .node file
# (an addon exporting no heap figure of its own is judged the same way),
# the written manifest must run green as written; the skeleton, filled in
# with a leaking call, must run red (LEAK, exit 1); init must refuse to
# overwrite (exit 2, files unchanged) and refuse what is not an addon.
# Then the CI templates' script, ci/addon-gate.sh, builds and installs the
# harness on its own and runs the green manifest: exit 0.
# usage: init_test.sh LEAKGATE ADDON OUT SRC
set -eu
lg=$1 addon=$2 out=$3 src=$4
rm -rf "$out"
mkdir -p "$out"
cd "$out"
"$lg" init "$addon" --dir green >/dev/null
"$lg" --manifest green/manifest.json run --variant release --quiet --out green-report
sum=$(cksum green/manifest.json)
if "$lg" init "$addon" --dir green 2>err.txt; then
  echo "init_test: init overwrote an existing directory" >&2; exit 1
fi
grep -q "exists; nothing was written" err.txt
[ "$(cksum green/manifest.json)" = "$sum" ]
if "$lg" init "$out/err.txt" --dir bad 2>err2.txt; then
  echo "init_test: init accepted a text file as an addon" >&2; exit 1
fi
grep -q "is not a .node file" err2.txt
[ ! -e bad/manifest.json ]
"$lg" init "$addon" --dir red >/dev/null
sed -i "s|    // e.g. ctx.last = addon.someFunction('x'.repeat(64));|    addon.leakyCopy('x'.repeat(1000));|" red/calls.js
grep -q "addon.leakyCopy" red/calls.js
rc=0
"$lg" --manifest red/manifest.json run --variant release --quiet --out red-report || rc=$?
[ "$rc" -eq 1 ]
grep -q '"scenario": "calls", "variant": "release".*"verdict": "LEAK"' red-report/results.json ||
  python3 -c "import json,sys; r=json.load(open('red-report/results.json')); sys.exit(0 if [x['verdict'] for x in r['runs'] if x['scenario']=='calls'] == ['LEAK'] else 1)"
LEAKGATE_WORK=$out/addon-gate sh "$src/ci/addon-gate.sh" green/manifest.json \
  "$out/addon-gate-report" release >/dev/null
echo "init_test: green as written, LEAK with a leaking call, no overwrite, no non-addon; ci/addon-gate.sh green"
