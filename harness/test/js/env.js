'use strict';
// e2e scenario for batched runs (runner_batch.c): whether it runs in a
// process of its own or in a batch, it must see exactly a run of its own:
// its module loaded fresh, its own run directory as working directory, its
// own LEAKGATE_* settings and argv. Throws (ERROR) otherwise.
const path = require('path');

let setups = 0; // module state: a module shared between scenarios sees 2

function check(ctx) {
  const env = process.env;
  const problems = [];
  if (!env.LG_WRAPPED) problems.push('LG_WRAPPED, set by the wrapper, is missing');
  if (setups !== 1) problems.push(`module state shared: ${setups} setups`);
  if (path.basename(process.cwd()) !== env.LEAKGATE_SCENARIO) problems.push(`cwd ${process.cwd()}`);
  if (env.LEAKGATE_PROBE !== path.join(process.cwd(), 'probe.jsonl')) problems.push(`LEAKGATE_PROBE ${env.LEAKGATE_PROBE}`);
  if (env.LEAKGATE_ITERATIONS !== String(ctx.iterations)) problems.push(`LEAKGATE_ITERATIONS ${env.LEAKGATE_ITERATIONS}`);
  if (process.argv[2] !== __filename || process.argv[3] !== env.LEAKGATE_SCENARIO) problems.push(`argv ${process.argv.slice(2)}`);
  if (problems.length) throw new Error(problems.join('; '));
}

module.exports = {
  name: 'js-env',
  setup(ctx) {
    setups++;
    check(ctx);
  },
  iterate() {},
  teardown(ctx) { check(ctx); },
};
