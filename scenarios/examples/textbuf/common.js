'use strict';
// Loads the example addon: beside these scripts where leakgate installed the
// example (<prefix>/share/leakgate/examples/textbuf/textbuf.node), else from
// the build of the variant being run in the leakgate checkout these scripts
// sit in (<checkout>/build/<variant>/scenarios/examples/textbuf.node;
// leakgate sets LEAKGATE_VARIANT).
const fs = require('fs');
const path = require('path');

const variant = process.env.LEAKGATE_VARIANT || 'release';
const candidates = [
  path.join(__dirname, 'textbuf.node'),
  path.join(__dirname, '../../../build', variant, 'scenarios/examples/textbuf.node'),
];
const found = candidates.find((p) => fs.existsSync(p));
if (!found) throw new Error(`textbuf.node not found (looked at ${candidates.join(', ')})`);
const textbuf = require(found);

/**
 * Extra metrics for the probe. The manifest does not depend on them: the
 * variants preload leakgate's liblgheap.so, which gives the probe
 * mallocInUse / mallocBlocks for any addon. The addon's own figure (glibc's
 * mallinfo2) is kept under another name, recorded beside the preload's
 * for comparison (and not judged in the asan variant, where mallinfo2 reads
 * zero and LeakSanitizer judges). An addon without such an export: leave
 * stats out.
 */
function stats() {
  return typeof textbuf.mallocInUse === 'function'
    ? { addonMallocInUse: textbuf.mallocInUse() } : {};
}

module.exports = { textbuf, stats };
