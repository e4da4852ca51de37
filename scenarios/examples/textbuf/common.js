'use strict';
// Loads the example addon from the build directory leakgate runs (it sets
// LEAKGATE_BUILD to the variant's build directory).
const path = require('path');

const build = process.env.LEAKGATE_BUILD;
if (!build) throw new Error('LEAKGATE_BUILD is not set: run this under leakgate');
const textbuf = require(path.resolve(build, 'scenarios/examples/textbuf.node'));

/** Extra metrics for the probe: native malloc in use. */
function stats() {
  return { mallocInUse: textbuf.mallocInUse() };
}

module.exports = { textbuf, stats };
