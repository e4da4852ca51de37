#!/usr/bin/env bash
# CTest's native memcheck works and its defect count fails the run: in a
# fault-enabled build, core.worker passes on its own with the planted
# use-after-free-event (a silent read of freed memory), passes
# `ctest -T memcheck` without the fault, and fails it with the fault.
# usage: check-memcheck.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
cmake -S "$src" -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEVS_FAULTS=ON \
  -DEVS_BUILD_ADDON=OFF -DEVS_BUILD_HARNESS=OFF -DEVS_BUILD_BENCH=OFF >/dev/null
cmake --build "$work" --target test_worker >/dev/null
cd "$work"
EVS_FAULT=use-after-free-event ./core/test/test_worker >/dev/null 2>&1 ||
  { echo "the planted defect is no longer silent without valgrind" >&2; exit 1; }
ctest -T memcheck -R '^core\.worker$' >clean.log 2>&1 ||
  { cat clean.log >&2; echo "memcheck failed on the clean build" >&2; exit 1; }
if EVS_FAULT=use-after-free-event ctest -T memcheck -R '^core\.worker$' >fault.log 2>&1; then
  cat fault.log >&2
  echo "memcheck passed with a use-after-free planted" >&2
  exit 1
fi
grep -q 'Defects: [1-9]' fault.log || { cat fault.log >&2; exit 1; }
echo "ctest -T memcheck: clean passes; planted use-after-free fails ($(grep -o 'Defects: [0-9]*' fault.log))"
