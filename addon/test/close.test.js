'use strict';
// Lifetimes: close with events in flight, close inside a callback, close
// twice, stores collected without close(), and the handle counts after.
const test = require('node:test');
const assert = require('node:assert/strict');
// First: loads evstore from evstore_bench.node, which has the native writer.
const writer = require('../bench/writer');
const { evstore, waitFor, sleep, tick, assertNativeClean } = require('./helpers');

const { Store, Worker, nativeStats } = evstore;

test('close() with a native writer and batches in flight', async () => {
  for (let round = 0; round < 5; round++) {
    const s = new Store({ queueSlots: 64 });
    let n = 0;
    s.watch('/**').subscribe(() => { n++; });
    writer.benchWrite(s, 1e9, ['/a/b', '/c'], ['x', 'y'.repeat(100)], true);
    await waitFor(() => n > 1000 * (round + 1));
    s.close(); // stops and joins the writer, joins the dispatcher
    const seen = n;
    await sleep(5);
    assert.equal(n, seen, 'no delivery after close()');
    s.close();
    assertNativeClean(`round ${round}`);
  }
});

test('close() with a large backlog in the native batch', async () => {
  const s = new Store({ queueSlots: 1024 });
  let n = 0;
  s.watch('/**').subscribe(() => { n++; });
  // Written on the JS thread: everything lands in the batch before JS runs.
  assert.equal(writer.benchWrite(s, 50000, ['/p/q'], ['v'.repeat(50)], false), 50000);
  s.close();
  await sleep(5);
  assert.equal(n, 0, 'undelivered events are discarded by close()');
  assertNativeClean();
});

test('close() inside a callback stops the batch being delivered', async () => {
  const s = new Store();
  const seen = [];
  const other = [];
  s.watch('/**').subscribe((e) => {
    seen.push(e.value);
    if (e.value === '5') {
      s.close();
      s.close();
    }
  });
  s.watch('/**').subscribe((e) => other.push(e.value));
  for (let i = 0; i < 20; i++) s.set('/k', `${i}`);
  await waitFor(() => s.closed);
  await sleep(5);
  assert.deepEqual(seen, ['0', '1', '2', '3', '4', '5']);
  assert.deepEqual(other, ['0', '1', '2', '3', '4']);
  assert.throws(() => s.set('/k', 'x'), { code: 'ERR_EVS_CLOSED' });
  await tick();
  assertNativeClean();
});

test('close() while the dispatcher waits on a full batch (block policy)', async () => {
  const s = new Store({ queueSlots: 8, overflow: 'block' });
  let n = 0;
  s.watch('/**').subscribe(() => { n++; });
  // The writer thread outruns JS: batch over its cap, the queue full, the
  // writer blocked. Keep the JS thread busy so nothing drains.
  writer.benchWrite(s, 1e9, ['/z'], ['q'.repeat(200)], true);
  const until = Date.now() + 100;
  while (Date.now() < until) { /* busy: no delivery */ }
  s.close();
  assertNativeClean();
  assert.equal(n, 0);
});

test('stores collected without close() are closed by their finaliser', { skip: typeof global.gc !== 'function' && 'needs --expose-gc' }, async () => {
  const before = nativeStats().stores;
  (function make() {
    for (let i = 0; i < 20; i++) {
      const s = new Store();
      s.set('/a', 'b');
    }
  })();
  assert.equal(nativeStats().stores, before + 20);
  for (let i = 0; i < 50 && nativeStats().stores > 0; i++) {
    global.gc();
    await sleep(5);
  }
  assert.equal(nativeStats().stores, 0);
  assertNativeClean();
});

test('the write functions bound to a store outlive it safely', { skip: typeof global.gc !== 'function' && 'needs --expose-gc' }, async () => {
  // Store keeps native functions bound to its store (no handle per call);
  // each holds a reference on the native store, so one kept past close() or
  // past the Store's collection throws instead of touching freed memory.
  const closed = new Store();
  const setClosed = closed._setString;
  closed.close();
  assert.throws(() => setClosed('/a', 'x'), { code: 'ERR_EVS_CLOSED' });
  const setCollected = (function make() {
    const s = new Store();
    s.set('/a', 'b');
    return s._setJson;
  })();
  for (let i = 0; i < 50 && nativeStats().stores > 0; i++) {
    global.gc();
    await sleep(5);
  }
  assert.equal(nativeStats().stores, 0);
  assert.throws(() => setCollected('/a', '1'), { code: 'ERR_EVS_CLOSED' });
  assertNativeClean();
});

test('a value larger than the JS transfer buffer is delivered intact', async () => {
  const s = new Store({ valueRingBytes: 1 << 21 });
  const got = [];
  s.watch('/big/*').subscribe((e) => got.push(e.value));
  s.watch('/big/*').subscribe((e) => got.push(e.value)); // repeat record
  const a = Buffer.alloc(700 * 1024);
  for (let i = 0; i < a.length; i++) a[i] = (i * 7) & 0xff;
  const b = 'é'.repeat(300 * 1024);
  s.set('/big/a', a);
  s.set('/big/b', b);
  await waitFor(() => got.length === 4);
  assert.ok(got[0].equals(a));
  assert.ok(got[1].equals(a));
  assert.notEqual(got[0], got[1]);
  assert.equal(got[2], b);
  assert.equal(got[3], b);
  s.close();
  assertNativeClean();
});

test('a burst of mixed sizes arrives in order across batch blocks', async () => {
  // Handoffs land in blocks of 64 KiB; larger ones get a block of their
  // own, which fits the 256 KiB transfer buffer (copied whole) or not (cut
  // at record headers, a record over 256 KiB in an ArrayBuffer of its own).
  const s = new Store({ valueRingBytes: 1 << 21 });
  const got = [];
  s.watch('/mix/**').subscribe((e) => got.push(e));
  const sizes = [];
  for (let i = 0; i < 3000; i++) {
    if (i % 500 === 250) sizes.push(100 * 1024); // block over 64 KiB
    else if (i % 1000 === 999) sizes.push(300 * 1024); // over the buffer
    else sizes.push((i * 37) % 700);
  }
  const valueOf = (i) => {
    const b = Buffer.alloc(sizes[i]);
    for (let j = 0; j < b.length; j += 97) b[j] = (i + j) & 0xff;
    return b;
  };
  for (let i = 0; i < sizes.length; i++) s.set(`/mix/${i % 40}`, valueOf(i));
  await waitFor(() => got.length === sizes.length);
  for (let i = 0; i < sizes.length; i++) {
    assert.equal(got[i].path, `/mix/${i % 40}`, `path ${i}`);
    assert.ok(got[i].value.equals(valueOf(i)), `value ${i}`);
    if (i > 0) assert.equal(got[i].seq, got[i - 1].seq + 1, `seq ${i}`);
  }
  s.close();
  assertNativeClean();
});

test('slot ring and value ring wrap many times; contents intact', async () => {
  const s = new Store({ queueSlots: 16, valueRingBytes: 65536 });
  let bad = 0;
  let n = 0;
  let bytes = 0;
  s.watch('/ring/**').subscribe((e) => {
    const v = e.value;
    const seed = v[0];
    for (let j = 1; j < v.length; j++) if (v[j] !== ((seed + j * 31) & 0xff)) { bad++; break; }
    if (!e.path.endsWith(`/${v.length}`)) bad++;
    n++;
    bytes += v.length;
  });
  const N = 3000;
  for (let i = 0; i < N; i++) {
    // 1 B .. 32 KiB (the maximum for this ring is 32767 + tag)
    const len = 1 + ((i * 7919) % 32766);
    const v = Buffer.alloc(len);
    v[0] = i & 0xff;
    for (let j = 1; j < len; j++) v[j] = (v[0] + j * 31) & 0xff;
    const depth = '/seg'.repeat(i % 40);
    s.set(`/ring${depth}/${len}`, v);
  }
  await waitFor(() => n === N);
  assert.equal(bad, 0);
  const st = s.getEventQueueStats();
  assert.ok(st.slotWraps >= 100, `slotWraps ${st.slotWraps}`);
  assert.ok(st.valueWraps >= 100, `valueWraps ${st.valueWraps}`);
  assert.equal(st.dropped, 0);
  s.close();
  assertNativeClean();
});

test('workers are stopped by close() and refuse calls afterwards', () => {
  const s = new Store();
  const w = Worker.bootstrap(s, { namespace: '/j/**', capacity: 4 });
  s.set('/j/1', 'a');
  s.close();
  const st = w.status();
  assert.equal(st.running, false);
  assert.throws(() => w.pollStepEvents(1), { code: 'ERR_EVS_CLOSED' });
  assert.throws(() => w.completeStepEvent(1, { ok: true }), { code: 'ERR_EVS_CLOSED' });
  assert.throws(() => w.statusRaw(), { code: 'ERR_EVS_CLOSED' });
  w.stop();
  assertNativeClean();
});
