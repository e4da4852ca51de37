'use strict';
// e2e scenario: LEAK on heapUsed like heap-growth.js, and hostile to the
// heap attribution. The first run leaves victim.txt in its run directory;
// the re-run (LEAKGATE_HEAPSNAP set, working directory <run>/heapsnap) puts
// a link heapdiff.json -> ../victim.txt and a FIFO heapdiff.log where the
// harness writes heapdiff's output. The harness must neither write through
// the link nor block on the FIFO (test_e2e.c, js_heap_hostile).
const fs = require('fs');
const { execFileSync } = require('child_process');

const keep = [];

module.exports = {
  name: 'js-heap-hostile',
  setup() {
    if (process.env.LEAKGATE_HEAPSNAP) {
      fs.symlinkSync('../victim.txt', 'heapdiff.json');
      execFileSync('mkfifo', ['heapdiff.log']);
    } else {
      fs.writeFileSync('victim.txt', 'victim\n');
    }
  },
  iterate(ctx, i) {
    keep.push({ i, a: i, b: i, c: i, data: new Array(100).fill(i + 0.5) });
  },
};
