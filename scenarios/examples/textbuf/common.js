'use strict';
// Loads the example addon from the build directory leakgate runs (it sets
// LEAKGATE_BUILD to the variant's build directory).
const path = require('path');

const build = process.env.LEAKGATE_BUILD;
if (!build) throw new Error('LEAKGATE_BUILD is not set: run this under leakgate');
const textbuf = require(path.resolve(build, 'scenarios/examples/textbuf.node'));

/**
 * Extra metrics for the probe. The manifest does not depend on them: the
 * variants preload leakgate's liblgheap.so, which gives the probe
 * mallocInUse / mallocBlocks for any addon. The addon's own figure (glibc's
 * mallinfo2) is kept under another name, recorded beside the preload's
 * for comparison (and not judged in the asan variant, where mallinfo2 reads
 * zero and LeakSanitizer judges).
 */
function stats() {
  return { addonMallocInUse: textbuf.mallocInUse() };
}

module.exports = { textbuf, stats };
