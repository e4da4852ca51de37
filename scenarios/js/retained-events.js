'use strict';
// retained-events (negative control): the subscriber keeps every event
// object it receives, a JS-side leak the native counters cannot see. The
// harness must report LEAK on heapUsed; if it does not,
// EXPECTED-LEAK-MISSED.
const { evstore, stats, until } = require('./common');

let store;
const kept = [];

module.exports = {
  name: 'retained-events',
  setup() {
    store = new evstore.Store();
    store.watch('/feed/**').subscribe((e) => kept.push(e));
  },
  async iterate(ctx, i) {
    const want = kept.length + 4;
    for (let k = 0; k < 4; k++) store.set(`/feed/${k}`, { i, k, text: 'x'.repeat(256) });
    await until(() => kept.length, want, 'events');
  },
  teardown() {
    store.close();
  },
  stats,
};
