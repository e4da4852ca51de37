'use strict';
// Scenario for preload_js.js: native memory that only liblgheap.so can see
// (no addon, no stats()). setup keeps 16 buffers of 1 MiB; each iteration
// keeps one more of 100000 bytes; teardown drops them all. Buffers made by
// allocUnsafeSlow are not pooled: each is one malloc of exactly its size.
let kept = [];
module.exports = {
  name: 'native-buffers',
  async setup() {
    for (let k = 0; k < 16; k++) kept.push(Buffer.allocUnsafeSlow(1 << 20).fill(k));
  },
  iterate(ctx, i) {
    kept.push(Buffer.allocUnsafeSlow(100000).fill(i & 0xff));
  },
  async teardown() {
    kept = [];
  },
};
