#!/usr/bin/env bash
# Installs this build into a temporary prefix, then configures, builds and
# runs the consumer project against it with find_package(evstore).
set -euo pipefail
build_dir=$1
src_dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build_dir" --prefix "$tmp/prefix" --component Unspecified >/dev/null
cmake -S "$src_dir" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
out=$("$tmp/build/consumer")
[ "$out" = "consumer: ok" ] || { echo "unexpected output: $out" >&2; exit 1; }
test -f "$tmp/prefix/include/evstore/store.h"
echo "find_package(evstore) consumer: $out"
