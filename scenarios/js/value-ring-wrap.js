'use strict';
// value-ring-wrap: Buffer values from 1 byte to 64 KiB, sized so they often
// straddle the end of the 1 MiB value ring, each checked against its
// expected content (a checksum carried in its first 4 bytes). Proves values
// arrive intact across many laps of the ring (no straddle corruption), none
// is lost, and memory (native and external) stays flat.
const { evstore, stats, expect, until } = require('./common');

const MAX = 64 * 1024;
let store;
let seen = 0;
let bad = 0;
let written = 0;

function fnv(buf, start) {
  let h = 0x811c9dc5;
  for (let k = start; k < buf.length; k++) h = Math.imul(h ^ buf[k], 16777619) >>> 0;
  return h;
}

function makeValue(n) {
  const len = n % 6 === 0 ? 5 + (n % 4) : ((n * 40503) % MAX) + 5;
  const buf = Buffer.allocUnsafe(len);
  for (let k = 4; k < len; k++) buf[k] = (n * 31 + k) & 0xff;
  buf.writeUInt32LE(fnv(buf, 4), 0);
  return buf;
}

module.exports = {
  name: 'value-ring-wrap',
  setup() {
    store = new evstore.Store({ valueRingBytes: 1 << 20 });
    store.watch('/blobs/*').subscribe((e) => {
      if (e.type === 'delete') return;
      const v = e.value;
      if (!Buffer.isBuffer(v) || v.readUInt32LE(0) !== fnv(v, 4)) bad++;
      seen++;
    });
  },
  async iterate(ctx, i) {
    for (let k = 0; k < 24; k++) {
      store.set('/blobs/x', makeValue(i * 24 + k));
      written++;
    }
    // Every sample then sees the same map: no value held between iterations.
    store.delete('/blobs/x');
    await until(() => seen, written, 'values');
    expect(bad === 0, `${bad} values corrupted`);
  },
  teardown() {
    const st = store.getEventQueueStats();
    expect(written < 100 || st.valueWraps > 0, `valueWraps ${st.valueWraps}`);
    store.close();
  },
  stats,
};
