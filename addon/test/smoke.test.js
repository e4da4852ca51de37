'use strict';
// A small end-to-end pass over the whole API (the valgrind smoke test: node
// under memcheck is slow, so this stays short).
const test = require('node:test');
const assert = require('node:assert/strict');
const { evstore, waitFor, assertNativeClean } = require('./helpers');

const { Store, Worker } = evstore;

test('smoke: store, events, operators, worker, raw status, close', async () => {
  const s = new Store({ queueSlots: 8, valueRingBytes: 4096 });
  const got = [];
  const firstTwo = [];
  const sub = s.watch('/s/**').subscribe((e) => got.push(e));
  s.watch('/s/*').map((e) => e.path).take(2).subscribe((p) => firstTwo.push(p));
  const w = Worker.bootstrap(s, { namespace: '/s/job/*', capacity: 4 });
  const values = ['text', Buffer.from([1, 2, 3]), new Uint8Array([4]), { o: [1] }];
  for (let i = 0; i < 40; i++) s.set(`/s/${i % 3}`, values[i % 4]);
  s.set('/s/job/1', 'work');
  assert.deepEqual(s.get('/s/1'), values[1]);
  assert.equal(s.delete('/s/0'), true);
  assert.throws(() => s.set('/' + 'x'.repeat(300), 'v'), { code: 'ERR_EVS_PATH_TOO_LONG' });
  assert.throws(() => s.set('/s/big', 'y'.repeat(3000)), { code: 'ERR_EVS_VALUE_TOO_LARGE' });
  await waitFor(() => got.length === 42, 60000);
  for (let i = 0; i < 40; i++) assert.deepEqual(got[i].value, values[i % 4]);
  assert.deepEqual(firstTwo, ['/s/0', '/s/1']);
  sub.unsubscribe();
  await waitFor(() => w.status().pendingCount === 1, 60000);
  const [job] = w.pollStepEvents(4);
  assert.equal(job.value, 'work');
  w.completeStepEvent(job.id, { ok: true });
  const raw = w.statusRaw();
  assert.equal(JSON.parse(raw.read()).completed, 1);
  raw.free();
  assert.throws(() => raw.free(), { code: 'ERR_EVS_FREED' });
  // Left for close() to clean up: a subscription, the worker, batches.
  s.set('/s/late', 'pending at close');
  s.close();
  s.close();
  assert.throws(() => s.get('/s/1'), { code: 'ERR_EVS_CLOSED' });
  assertNativeClean();
});
