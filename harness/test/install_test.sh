#!/bin/sh
# leakgate as a user gets it: installs the build tree BUILD into a fresh
# prefix under OUT, moves the prefix (an install must not depend on where it
# was made), then runs the installed textbuf example from outside the
# checkout SRC with nothing pointing back at it. The clean scenario must pass
# and the planted leak must be caught (exit 0), and no path of the checkout
# or the build tree may appear in the results.
# usage: install_test.sh BUILD OUT SRC   (OUT records where the work went;
# the work itself is in a fresh directory under /tmp, away from both trees)
set -eu
build=$1 src=$3
mkdir -p "$2"
out=$(mktemp -d /tmp/leakgate-install-test.XXXXXX)
echo "$out" >"$2/workdir"
cmake --install "$build" --prefix "$out/staged" >/dev/null
mv "$out/staged" "$out/prefix"
p=$out/prefix
cd "$out"
env -u LEAKGATE_ROOT -u LEAKGATE_BUILD "$p/bin/leakgate" \
  --manifest "$p/share/leakgate/examples/textbuf/manifest.json" \
  run --variant release --quiet --out "$out/report"
if grep -F -e "$src" -e "$build" "$out/report/results.json" >/dev/null; then
  echo "install_test: the results name the checkout or the build tree:" >&2
  grep -o -F -e "$src" -e "$build" "$out/report/results.json" | sort | uniq -c >&2
  exit 1
fi
grep -q '"verdict": "PASS"' "$out/report/results.json"
# The planted leak is attributed to its function with no sanitizer and no
# figure exported by the addon (liblgheap.so sampling, libdw names).
grep -q 'allocation sites of the growth over iterations [0-9.]* (sampled): [0-9]*% from copy_arg (textbuf.c:[0-9]*) <- textbuf_leaky_copy' "$out/report/results.json" || {
  echo "install_test: the leak is not attributed to copy_arg <- textbuf_leaky_copy" >&2
  exit 1
}
echo "install_test: installed leakgate ran the textbuf example from $p: PASS"
rm -rf "$out"
