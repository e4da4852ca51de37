#!/usr/bin/env bash
# The one CI job script: GitHub Actions, GitLab CI and local runs all call it,
# so the pipeline logic lives here and nowhere else.
#
#   ci/job.sh shard VARIANT I N OUT   build what VARIANT needs, run shard I/N
#                                     of its scenarios, results in OUT
#   ci/job.sh merge OUT SHARD_DIR...  merge shard results into OUT, render the
#                                     reports, gate against reports/baseline.json
#   ci/job.sh local [N]               every default variant in N shards (default
#                                     2), merged, then compared verdict by
#                                     verdict with one unsharded run
#
# Exit codes are leakgate's: 0 pass, 1 a verdict or the gate failed, 2 usage
# or configuration error, 3 infrastructure error.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
leakgate="$root/build/release/harness/leakgate"

usage() {
  sed -n '4,12p' "$0" >&2
  exit 2
}

# The preset whose build directory a variant uses (variants are data in
# scenarios/manifest.json; 'debug' runs the valgrind build without valgrind).
preset_of() {
  case "$1" in
    release | asan | tsan | valgrind) echo "$1" ;;
    debug) echo valgrind ;;
    *) echo "ci/job.sh: unknown variant '$1'" >&2; exit 2 ;;
  esac
}

build() {
  ./scripts/setup
  for p in "$@"; do
    cmake --preset "$p" >/dev/null
    cmake --build --preset "$p" -j2 >/dev/null
  done
}

# Appends the Markdown summary to the CI system's step summary, if any.
publish_summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$1/summary.md" ]; then
    cat "$1/summary.md" >>"$GITHUB_STEP_SUMMARY"
  fi
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
case "$cmd" in
  shard)
    [ $# -eq 4 ] || usage
    variant=$1 i=$2 n=$3 out=$4
    build release "$(preset_of "$variant")"
    rc=0
    "$leakgate" run --variant "$variant" --shard "$i/$n" --jobs 2 --out "$out" || rc=$?
    # A failing verdict is the merge job's to report; only infrastructure or
    # configuration errors fail the shard job itself.
    [ "$rc" -le 1 ] || exit "$rc"
    ;;
  merge)
    [ $# -ge 2 ] || usage
    out=$1
    shift
    build release
    "$leakgate" merge "$@" --out "$out"
    rc=0
    "$leakgate" gate --baseline reports/baseline.json "$out" || rc=$?
    publish_summary "$out"
    echo "report: $out/report.html"
    exit "$rc"
    ;;
  local)
    n=${1:-2}
    # The manifest's default variants (those without "default": false).
    variants=$(python3 -c 'import json,sys; print(" ".join(v["name"] for v in json.load(open(sys.argv[1]))["variants"] if v.get("default", True)))' scenarios/manifest.json)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    shards=()
    for v in $variants; do
      for i in $(seq 1 "$n"); do
        "$0" shard "$v" "$i" "$n" "$tmp/shard-$v-$i"
        shards+=("$tmp/shard-$v-$i")
      done
    done
    rc=0
    "$0" merge "$tmp/merged" "${shards[@]}" || rc=$?
    "$leakgate" run --jobs 2 --out "$tmp/whole" >/dev/null || true
    # Same scenario x variant set and the same verdict for each.
    python3 "$root/ci/compare_verdicts.py" "$tmp/whole/results.json" "$tmp/merged/results.json"
    exit "$rc"
    ;;
  *) usage ;;
esac
