'use strict';
// copy-churn: 200 native copies per iteration, all dropped; their finalizers
// free them when GC runs (the probe forces GC before every sample). Proves
// the addon frees what GC collects: flat mallocInUse and heapUsed.
const { textbuf, stats } = require('./common');

module.exports = {
  name: 'copy-churn',
  iterate(ctx, i) {
    for (let k = 0; k < 200; k++) {
      const t = textbuf.copy(`payload ${i} ${k} ${'x'.repeat(48)}`);
      if (textbuf.length(t) < 48) throw new Error('copy truncated');
    }
  },
  stats,
};
