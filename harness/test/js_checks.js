'use strict';
// The checks of the node test scripts (heap_scenarios.js, heapdiff_test.js):
// check() runs one at once and prints "ok   NAME" or "FAIL NAME: why";
// finish() prints the count of failed checks and sets the exit code (0 when
// every check held, 1 otherwise).

const failures = [];

function check(name, fn) {
  try {
    fn();
    process.stdout.write(`ok   ${name}\n`);
  } catch (err) {
    failures.push(name);
    process.stdout.write(`FAIL ${name}: ${err.message}\n`);
  }
}

function finish() {
  process.stdout.write(failures.length ? `${failures.length} check(s) failed\n` : 'all checks passed\n');
  process.exitCode = failures.length ? 1 : 0;
}

module.exports = { check, finish };
