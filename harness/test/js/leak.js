'use strict';
// e2e scenario: retains one 100-element array per iteration (~0.9 KB of heap
// each); must be LEAK on heapUsed.
const retained = [];
module.exports = {
  name: 'js-leak',
  async setup() {},
  iterate(ctx, i) {
    retained.push(new Array(100).fill(i + 0.5));
  },
  async teardown() {},
  stats() { return { retained: retained.length }; },
};
