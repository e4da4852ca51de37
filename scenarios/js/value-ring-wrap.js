'use strict';
// value-ring-wrap: Buffer values from 5 B to 64 KiB, sized so they often
// straddle the end of the 1 MiB value ring, each checked byte for byte
// against its expected content. Proves values arrive intact and in order
// across many laps of the ring (no straddle corruption), none is lost, and
// memory (native and external) stays flat.
const { evstore, stats, expect, until } = require('./common');

const MAX = 64 * 1024;
let store;
let seen = 0;
let bad = 0;
let written = 0;

// Value n is its number (4 bytes) and then a window of NOISE chosen by n:
// pseudo-random bytes, so a byte out of place (a straddle copied in the
// wrong order, a stale or shifted chunk) cannot match. Building and checking
// a value are native copies and compares: the scenario's CPU goes to the
// store, not to a checksum loop in JS.
const NOISE = Buffer.alloc(2 * MAX);
for (let k = 0, x = 0x9e3779b9; k < NOISE.length; k++) {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  NOISE[k] = x & 0xff;
}

function shape(n) {
  const len = n % 6 === 0 ? 5 + (n % 4) : ((n * 40503) % MAX) + 5;
  return { len, off: (n * 7919) % MAX };
}

function makeValue(n) {
  const { len, off } = shape(n);
  const buf = Buffer.allocUnsafe(len);
  buf.writeUInt32LE(n, 0);
  NOISE.copy(buf, 4, off, off + len - 4);
  return buf;
}

function intact(v, n) {
  const { len, off } = shape(n);
  return Buffer.isBuffer(v) && v.length === len && v.readUInt32LE(0) === n &&
    NOISE.compare(v, 4, len, off, off + len - 4) === 0;
}

module.exports = {
  name: 'value-ring-wrap',
  setup() {
    store = new evstore.Store({ valueRingBytes: 1 << 20 });
    store.watch('/blobs/*').subscribe((e) => {
      if (e.type === 'delete') return;
      if (!intact(e.value, seen)) bad++;
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
