'use strict';
// A producer that outruns JS: 'block' loses nothing, 'drop' counts what it
// refuses; in both the native memory stays bounded.
const test = require('node:test');
const assert = require('node:assert/strict');
// First: loads evstore from evstore_bench.node, which has the native writer.
const writer = require('../bench/writer');
const { evstore, waitFor, sleep, assertNativeClean } = require('./helpers');

const { Store, nativeStats } = evstore;

const N = 20000;
const VALUE = 'v'.repeat(4000); // 80 MB in total through a 64 KiB ring

function busy(us) {
  const end = process.hrtime.bigint() + BigInt(us * 1000);
  while (process.hrtime.bigint() < end) { /* slow consumer */ }
}

async function run(overflow) {
  const s = new Store({ queueSlots: 16, valueRingBytes: 65536, overflow });
  const base = nativeStats().mallocInUse;
  let peak = 0;
  let n = 0;
  let lastSeq = 0;
  let disorder = 0;
  s.watch('/slow/**').subscribe((e) => {
    if (e.seq <= lastSeq) disorder++;
    lastSeq = e.seq;
    if (e.value.length !== VALUE.length) disorder++;
    n++;
    if (n % 200 === 0) peak = Math.max(peak, nativeStats().mallocInUse - base);
    busy(20);
  });
  writer.benchWrite(s, N, ['/slow/a', '/slow/b/c'], [VALUE], true);
  let written = -1;
  // The writer finishes (block: once JS has caught up to within the bounds).
  await waitFor(() => {
    const st = s.getEventQueueStats();
    return st.processed + st.dropped >= N && st.pending === 0;
  }, 60000, 'the writer');
  written = writer.benchJoin(s);
  await waitFor(() => n + s.getEventQueueStats().dropped >= N, 60000, 'delivery');
  await sleep(5);
  const st = s.getEventQueueStats();
  s.close();
  assertNativeClean();
  if (process.env.EVS_TEST_VERBOSE) console.log(overflow, { n, written, dropped: st.dropped, peak, highWater: st.highWater });
  return { n, written, dropped: st.dropped, peak, disorder, highWater: st.highWater };
}

test("'block': every event is delivered, in order, with bounded memory", async () => {
  const r = await run('block');
  assert.equal(r.written, N);
  assert.equal(r.dropped, 0);
  assert.equal(r.n, N);
  assert.equal(r.disorder, 0);
  assert.ok(r.peak < 16 * 1024 * 1024, `native memory grew by ${r.peak} bytes`);
});

test("'drop': refused events are counted, the rest delivered in order", async () => {
  const r = await run('drop');
  assert.equal(r.written, N); // writes succeed: the map is updated
  assert.ok(r.dropped > 0, 'some events dropped');
  assert.equal(r.n + r.dropped, N);
  assert.equal(r.disorder, 0);
  assert.ok(r.peak < 16 * 1024 * 1024, `native memory grew by ${r.peak} bytes`);
});
