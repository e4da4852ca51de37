'use strict';
// raw-handoff: the manual pattern from JS. Each iteration takes the
// worker's status as a raw C string handle, reads it, frees it, and checks
// that misuse (read after free, double free) throws ERR_EVS_FREED instead of
// crashing. Proves the handoff leaks nothing (flat memory, exact counters).
// Catches double-free-string.
const { evstore, stats, expect, expectThrows } = require('./common');

let store;
let worker;

module.exports = {
  name: 'raw-handoff',
  setup() {
    store = new evstore.Store();
    worker = evstore.Worker.bootstrap(store, { namespace: '/jobs/**', capacity: 8 });
  },
  iterate() {
    for (let k = 0; k < 4; k++) {
      const raw = worker.statusRaw();
      const s = JSON.parse(raw.read());
      expect(s.running === true, `status ${raw}`);
      raw.free();
      if (k === 0) {
        expectThrows(() => raw.read(), Error, 'ERR_EVS_FREED');
        expectThrows(() => raw.free(), Error, 'ERR_EVS_FREED');
      }
    }
  },
  teardown() {
    worker.stop();
    store.close();
  },
  stats,
};
