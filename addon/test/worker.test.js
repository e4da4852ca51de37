'use strict';
// Worker: bootstrap/poll/complete/status/stop and the raw status handle,
// including every misuse path.
const test = require('node:test');
const assert = require('node:assert/strict');
const { evstore, waitFor, throwsCode, assertNativeClean } = require('./helpers');

const { Store, Worker, nativeStats } = evstore;

test('poll, complete and status', async () => {
  const s = new Store();
  const w = Worker.bootstrap(s, { namespace: '/jobs/**', capacity: 8 });
  assert.deepEqual(w.pollStepEvents(4), []);
  s.set('/jobs/1', { task: 'a' });
  s.set('/other', 'ignored');
  s.set('/jobs/2/x', Buffer.from('bin'));
  s.delete('/jobs/1');
  await waitFor(() => w.status().pendingCount === 3);
  assert.deepEqual(w.status(), { running: true, pendingCount: 3, inFlight: 0, completed: 0, failed: 0, dropped: 0 });
  const evs = w.pollStepEvents(2);
  assert.equal(evs.length, 2);
  assert.deepEqual(evs[0], { id: 1, seq: 1, type: 'set', path: '/jobs/1', value: { task: 'a' } });
  assert.equal(evs[1].id, 2);
  assert.equal(evs[1].path, '/jobs/2/x');
  assert.ok(Buffer.isBuffer(evs[1].value) && evs[1].value.toString() === 'bin');
  const rest = w.pollStepEvents();
  assert.deepEqual(rest, [{ id: 3, seq: 4, type: 'delete', path: '/jobs/1', value: undefined }]);
  assert.equal(w.status().inFlight, 3);
  w.completeStepEvent(1, { ok: true });
  w.completeStepEvent(2, { error: 'failed on purpose' });
  w.completeStepEvent(3, { ok: true });
  assert.deepEqual(w.status(), { running: true, pendingCount: 0, inFlight: 0, completed: 2, failed: 1, dropped: 0 });
  w.stop();
  s.close();
  assertNativeClean();
});

test('capacity bounds pending + in flight; extra events are dropped', async () => {
  const s = new Store();
  const w = Worker.bootstrap(s, { namespace: '/q/*', capacity: 3 });
  for (let i = 0; i < 10; i++) s.set(`/q/${i}`, `${i}`);
  await waitFor(() => s.getEventQueueStats().processed === 10);
  const st = w.status();
  assert.equal(st.pendingCount, 3);
  assert.equal(st.dropped, 7);
  assert.deepEqual(w.pollStepEvents(10).map((e) => e.value), ['0', '1', '2']);
  w.stop();
  s.close();
});

test('misuse throws with codes and changes nothing', async () => {
  const s = new Store();
  throwsCode(() => Worker.bootstrap({}, { namespace: '/a' }), TypeError, 'ERR_INVALID_ARG_TYPE', /"store"/);
  throwsCode(() => Worker.bootstrap(s), TypeError, 'ERR_INVALID_ARG_TYPE', /"config"/);
  throwsCode(() => Worker.bootstrap(s, { namespace: 5 }), TypeError, 'ERR_INVALID_ARG_TYPE', /namespace/);
  throwsCode(() => Worker.bootstrap(s, { namespace: '/a', capacity: '1' }), TypeError, 'ERR_INVALID_ARG_TYPE', /capacity/);
  throwsCode(() => Worker.bootstrap(s, { namespace: '/a', capacity: 0 }), RangeError, 'ERR_EVS_BAD_OPTION', /capacity.*16777216/);
  throwsCode(() => Worker.bootstrap(s, { namespace: '/a', capacity: 2 ** 25 }), RangeError, 'ERR_EVS_BAD_OPTION');
  throwsCode(() => Worker.bootstrap(s, { namespace: '/a/**/b' }), RangeError, 'ERR_EVS_BAD_PATTERN');
  throwsCode(() => Worker.bootstrap(s, { namespace: '/' + 'n'.repeat(300) }), RangeError, 'ERR_EVS_PATH_TOO_LONG');
  assert.equal(nativeStats().workers, 0);

  const w = Worker.bootstrap(s, { namespace: '/m/**' });
  throwsCode(() => w.pollStepEvents(0), RangeError, 'ERR_OUT_OF_RANGE', /"max"/);
  throwsCode(() => w.pollStepEvents(1.5), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => w.pollStepEvents('3'), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => w.completeStepEvent('1', { ok: true }), TypeError, 'ERR_INVALID_ARG_TYPE', /"id"/);
  throwsCode(() => w.completeStepEvent(0, { ok: true }), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => w.completeStepEvent(1, null), TypeError, 'ERR_INVALID_ARG_TYPE', /"result"/);
  throwsCode(() => w.completeStepEvent(1, {}), TypeError, 'ERR_INVALID_ARG_VALUE');
  throwsCode(() => w.completeStepEvent(1, { ok: false }), TypeError, 'ERR_INVALID_ARG_VALUE');
  throwsCode(() => w.completeStepEvent(1, { error: 7 }), TypeError, 'ERR_INVALID_ARG_TYPE', /result.error/);
  // Unknown, never polled, or already completed ids.
  throwsCode(() => w.completeStepEvent(99, { ok: true }), RangeError, 'ERR_EVS_UNKNOWN_ID', /99/);
  s.set('/m/1', 'x');
  await waitFor(() => w.status().pendingCount === 1);
  throwsCode(() => w.completeStepEvent(1, { ok: true }), RangeError, 'ERR_EVS_UNKNOWN_ID'); // not polled
  const [e] = w.pollStepEvents(5);
  w.completeStepEvent(e.id, { ok: true });
  throwsCode(() => w.completeStepEvent(e.id, { ok: true }), RangeError, 'ERR_EVS_UNKNOWN_ID');
  assert.deepEqual(w.status(), { running: true, pendingCount: 0, inFlight: 0, completed: 1, failed: 0, dropped: 0 });

  w.stop();
  w.stop(); // idempotent
  assert.equal(w.status().running, false);
  assert.equal(w.status().completed, 1);
  throwsCode(() => w.pollStepEvents(1), Error, 'ERR_EVS_WORKER_STOPPED');
  throwsCode(() => w.completeStepEvent(1, { ok: true }), Error, 'ERR_EVS_WORKER_STOPPED');
  throwsCode(() => w.statusRaw(), Error, 'ERR_EVS_WORKER_STOPPED');
  s.close();
  assertNativeClean();
});

test('stop() discards pending and in-flight step events', async () => {
  const s = new Store();
  const w = Worker.bootstrap(s, { namespace: '/**', capacity: 100 });
  for (let i = 0; i < 10; i++) s.set(`/p/${i}`, 'v'.repeat(100));
  await waitFor(() => w.status().pendingCount === 10);
  w.pollStepEvents(4);
  const live = nativeStats().liveBlocks;
  w.stop();
  assert.ok(nativeStats().liveBlocks < live);
  assert.deepEqual(w.status(), { running: false, pendingCount: 6, inFlight: 4, completed: 0, failed: 0, dropped: 0 });
  s.close();
  assertNativeClean();
});

test('statusRaw(): read copies, free releases; misuse throws ERR_EVS_FREED', async () => {
  const s = new Store();
  const w = Worker.bootstrap(s, { namespace: '/r/**', capacity: 4 });
  s.set('/r/1', 'x');
  await waitFor(() => w.status().pendingCount === 1);
  const blocks = nativeStats().liveBlocks;
  const raw = w.statusRaw();
  assert.equal(nativeStats().liveBlocks, blocks + 1);
  const text = raw.read();
  assert.deepEqual(JSON.parse(text), { running: true, pending: 1, inFlight: 0, completed: 0, failed: 0, dropped: 0 });
  assert.equal(raw.read(), text);
  raw.free();
  assert.equal(nativeStats().liveBlocks, blocks);
  throwsCode(() => raw.read(), Error, 'ERR_EVS_FREED', /already freed/);
  throwsCode(() => raw.free(), Error, 'ERR_EVS_FREED', /double free/);
  throwsCode(() => raw.free(), Error, 'ERR_EVS_FREED');
  // Handles survive their worker and store.
  const raw2 = w.statusRaw();
  w.stop();
  s.close();
  assert.equal(JSON.parse(raw2.read()).pending, 1);
  raw2.free();
  assertNativeClean();
});

test('many raw handles and polls stay flat', async () => {
  const s = new Store();
  const w = Worker.bootstrap(s, { namespace: '/f/**', capacity: 1000 });
  const base = nativeStats().liveBlocks;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 20; i++) s.set(`/f/${i}`, `${round}`);
    await waitFor(() => w.status().pendingCount === 20);
    const evs = w.pollStepEvents(100);
    assert.equal(evs.length, 20);
    for (const e of evs) w.completeStepEvent(e.id, round % 2 ? { ok: true } : { error: 'e' });
    const r = w.statusRaw();
    JSON.parse(r.read());
    r.free();
  }
  assert.equal(w.status().completed + w.status().failed, 1000);
  // The map holds the 20 paths; everything else is back.
  assert.ok(nativeStats().liveBlocks <= base + 40, `${nativeStats().liveBlocks} vs ${base}`);
  w.stop();
  s.close();
  assertNativeClean();
});
