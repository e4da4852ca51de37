#!/bin/sh
# leakgate for another repository's addon, the one script behind action.yml
# (GitHub) and ci/leakgate-addon.gitlab-ci.yml (GitLab): builds leakgate's
# harness from this checkout on its own (no evstore, no node headers needed),
# installs it into a prefix, and runs the caller's manifest.
#   ci/addon-gate.sh MANIFEST OUT [VARIANT...]    (default variants: the manifest's)
# Needs cmake, a C compiler, pkg-config, libjansson-dev, libexpat1-dev, libdw-dev and
# node (valgrind for the valgrind preset). Exit code: leakgate's (0 green,
# 1 a verdict failed, 2 configuration, 3 infrastructure).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 MANIFEST OUT [VARIANT...]" >&2; exit 2; }
manifest=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
work=${LEAKGATE_WORK:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leakgate}
gen=
command -v ninja >/dev/null 2>&1 && gen="-G Ninja"
# shellcheck disable=SC2086 # $gen is one option or none
cmake -S "$here/harness" -B "$work/build" $gen -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$work/build" >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null
variants=
for v in "$@"; do variants="$variants --variant $v"; done
# shellcheck disable=SC2086 # variant names are plain words (manifest rule)
exec "$work/prefix/bin/leakgate" --manifest "$manifest" run --out "$out" $variants
