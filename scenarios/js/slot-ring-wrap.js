'use strict';
// slot-ring-wrap: a store with a 64-slot queue takes 10x its slot count in
// writes per iteration, with path lengths from 2 to 255 bytes. Proves that
// across many laps of the slot ring no event is lost, reordered or altered
// on its way to JavaScript (seq strictly increasing, value names its path)
// and that memory stays flat.
const { evstore, stats, expect, until } = require('./common');

const SLOTS = 64;
let store;
let seen = 0;
let lastSeq = 0;
let bad = 0;
let written = 0;

function pathOfLength(len) {
  let p = '/';
  while (p.length < len) p += (p.length % 16 === 0 ? '/' : 'a');
  return p.endsWith('/') ? p.slice(0, -1) + 'b' : p;
}
const paths = [];
for (let len = 2; len <= 255; len++) paths.push(pathOfLength(len));

module.exports = {
  name: 'slot-ring-wrap',
  setup() {
    store = new evstore.Store({ queueSlots: SLOTS });
    store.watch('/**').subscribe((e) => {
      if (e.seq <= lastSeq || e.value !== e.path) bad++;
      lastSeq = e.seq;
      seen++;
    });
  },
  async iterate(ctx, i) {
    for (let k = 0; k < SLOTS * 10; k++) {
      const p = paths[(i * 7 + k * 13) % paths.length];
      store.set(p, p);
      written++;
    }
    await until(() => seen, written, 'events');
    expect(bad === 0, `${bad} events out of order or altered`);
  },
  teardown() {
    const st = store.getEventQueueStats();
    expect(st.dropped === 0, `dropped ${st.dropped} under the block policy`);
    expect(st.slotWraps >= Math.floor(written / SLOTS) - 1, `slotWraps ${st.slotWraps}`);
    store.close();
  },
  stats,
};
