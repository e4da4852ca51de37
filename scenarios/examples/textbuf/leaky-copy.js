'use strict';
// leaky-copy (negative control): one native copy per iteration whose
// pointer the addon drops. The harness must report LEAK on mallocInUse.
const { textbuf, stats } = require('./common');

module.exports = {
  name: 'leaky-copy',
  iterate(ctx, i) {
    textbuf.leakyCopy(`lost ${i} ${'y'.repeat(1000)}`); // ~1 KiB per iteration
  },
  stats,
};
