'use strict';
// Subscriptions: ordering, patterns, several subscribers of one event,
// nothing delivered after unsubscribe, the operators.
const test = require('node:test');
const assert = require('node:assert/strict');
// First: loads evstore from evstore_bench.node, which has the native writer.
const writer = require('../bench/writer');
const { evstore, waitFor, sleep, tick, assertNativeClean, collectUncaught } = require('./helpers');

const { Store, nativeStats } = evstore;

test('events arrive in sequence order with type, path, value, seq', async () => {
  const s = new Store({ queueSlots: 64 });
  const got = [];
  s.watch('/o/**').subscribe((e) => got.push(e));
  const N = 5000;
  for (let i = 0; i < N; i++) s.set(`/o/${i % 13}/x`, `v${i}`);
  s.set('/o/0/x', { done: true });
  s.delete('/o/1/x');
  await waitFor(() => got.length === N + 2);
  for (let i = 0; i < N; i++) {
    assert.equal(got[i].type, 'set');
    assert.equal(got[i].path, `/o/${i % 13}/x`);
    assert.equal(got[i].value, `v${i}`);
    if (i > 0) assert.equal(got[i].seq, got[i - 1].seq + 1);
  }
  assert.deepEqual(got[N], { type: 'set', path: '/o/0/x', value: { done: true }, seq: got[N - 1].seq + 1 });
  assert.deepEqual(got[N + 1], { type: 'delete', path: '/o/1/x', value: undefined, seq: got[N].seq + 1 });
  s.close();
  assertNativeClean();
});

test('a batch reaches JS once the queue drains, even if no later event matches', async () => {
  // Small batches are handed over when the dispatcher has drained the core
  // queue, not per event: the last matching event must not wait for another.
  const s = new Store({ queueSlots: 64 });
  const got = [];
  s.watch('/a/**').subscribe((e) => got.push(e.value));
  s.set('/a/1', 'first');
  for (let i = 0; i < 500; i++) s.set('/b/1', i); // more than the queue holds
  await waitFor(() => got.length === 1, 5000, 'the /a event');
  s.set('/b/2', 'x');
  s.set('/a/2', 'second');
  s.set('/b/3', 'y');
  await waitFor(() => got.length === 2, 5000, 'the second /a event');
  assert.deepEqual(got, ['first', 'second']);
  s.close();
  assertNativeClean();
});

test('interned paths and values stay exact when the caches evict', async () => {
  // More distinct paths and short values than the intern caches hold, mixed
  // with hot ones, so entries are evicted and defined again mid-stream.
  const { PATH_CACHE, VALUE_CACHE } = evstore._internal.native;
  const s = new Store({ queueSlots: 256 });
  const a = [];
  const b = [];
  s.watch('/c/**').subscribe((e) => a.push(e));
  s.watch('/c/**').subscribe((e) => b.push(e));
  const N = 4 * PATH_CACHE;
  const pathOf = (i) => (i % 4 === 0 ? `/c/hot/${i % 5}` : `/c/p/${(i * 7919) % (3 * PATH_CACHE)}`);
  const valueOf = (i) => `w${(i * 31) % (2 * VALUE_CACHE)}`;
  for (let i = 0; i < N; i++) s.set(pathOf(i), valueOf(i));
  await waitFor(() => b.length === N);
  for (let i = 0; i < N; i++) {
    assert.equal(a[i].path, pathOf(i), `event ${i}`);
    assert.equal(a[i].value, valueOf(i), `event ${i}`);
    assert.equal(b[i].path, pathOf(i), `event ${i}`);
    assert.equal(b[i].value, valueOf(i), `event ${i}`);
  }
  s.close();
  assertNativeClean();
});

test('patterns: exact, * and trailing **; only newer events', async () => {
  const s = new Store();
  s.set('/users/0', 'before'); // written before subscribing: not replayed
  const exact = [];
  const star = [];
  const deep = [];
  s.watch('/users/1').subscribe((e) => exact.push(e.path));
  s.watch('/users/*').subscribe((e) => star.push(e.path));
  s.watch('/users/**').subscribe((e) => deep.push(e.path));
  for (const p of ['/users', '/users/1', '/users/2', '/users/1/name', '/other/1']) s.set(p, 'x');
  await waitFor(() => deep.length === 4);
  await tick();
  assert.deepEqual(exact, ['/users/1']);
  assert.deepEqual(star, ['/users/1', '/users/2']);
  assert.deepEqual(deep, ['/users', '/users/1', '/users/2', '/users/1/name']);
  s.close();
});

test('several subscribers of one event each get their own value object', async () => {
  const s = new Store();
  const a = [];
  const b = [];
  const c = [];
  // a mutates what it receives; b and c must not see it.
  s.watch('/m/**').subscribe((e) => { a.push(e); if (typeof e.value === 'object' && e.value) { if (e.value instanceof Uint8Array) e.value[0] = 99; else e.value.x = 'mutated'; } });
  s.watch('/m/*').subscribe((e) => b.push(e));
  s.watch('/m/**').subscribe((e) => c.push(e));
  const vals = [Buffer.from([1, 2]), new Uint8Array([3, 4]), { x: 'orig' }, 'short', 'long'.repeat(40)];
  vals.forEach((v, i) => s.set(`/m/${i}`, v));
  await waitFor(() => c.length === vals.length);
  for (let i = 0; i < vals.length; i++) {
    assert.equal(a[i].seq, b[i].seq);
    assert.equal(b[i].seq, c[i].seq);
    assert.deepEqual(b[i].value, vals[i], `b ${i}`);
    assert.deepEqual(c[i].value, vals[i], `c ${i}`);
    assert.equal(Buffer.isBuffer(c[i].value), Buffer.isBuffer(vals[i]));
  }
  assert.notEqual(a[0].value, b[0].value);
  s.close();
});

test('repeats across chunk boundaries keep values (many subscribers, big batch)', async () => {
  const s = new Store({ queueSlots: 1024 });
  const K = 5;
  const got = Array.from({ length: K }, () => []);
  for (let k = 0; k < K; k++) s.watch('/r/**').subscribe((e) => got[k].push(e));
  const N = 6000;
  const blob = 'z'.repeat(300);
  for (let i = 0; i < N; i++) {
    if (i % 3 === 0) s.set(`/r/${i % 50}`, Buffer.from(`${i}`));
    else if (i % 3 === 1) s.set(`/r/${i % 50}`, `${blob}${i}`);
    else s.set(`/r/${i % 50}`, { i });
  }
  await waitFor(() => got[K - 1].length === N);
  for (let k = 0; k < K; k++) {
    assert.equal(got[k].length, N);
    for (let i = 0; i < N; i += 1) {
      const v = got[k][i].value;
      if (i % 3 === 0) assert.equal(v.toString(), `${i}`);
      else if (i % 3 === 1) assert.equal(v, `${blob}${i}`);
      else assert.deepEqual(v, { i });
    }
  }
  s.close();
});

test('nothing is delivered after unsubscribe(), even already batched events', async () => {
  const s = new Store();
  let a = 0;
  let b = 0;
  let afterB = 0;
  let subB = null;
  // A unsubscribes B in the middle of a batch that holds more events for B.
  s.watch('/u/**').subscribe((e) => { a++; if (e.value === 'stop') subB.unsubscribe(); });
  subB = s.watch('/u/**').subscribe(() => { b++; if (subB.closed) afterB++; });
  for (let i = 0; i < 100; i++) s.set('/u/x', i === 10 ? 'stop' : `${i}`);
  await waitFor(() => a === 100);
  await sleep(10);
  assert.equal(afterB, 0);
  assert.ok(b <= 10, `b got ${b} events`); // order between A and B per event: A first
  assert.equal(subB.closed, true);
  subB.unsubscribe(); // idempotent
  subB.unsubscribe();
  assert.equal(nativeStats().subscriptions, 1);
  s.close();
  assertNativeClean();
});

test('unsubscribe from a native writer mid-stream stops delivery at once', async () => {
  const s = new Store({ queueSlots: 256 });
  let n = 0;
  let late = 0;
  const sub = s.watch('/w/**').subscribe(() => { if (sub.closed) late++; n++; if (n === 1000) sub.unsubscribe(); });
  writer.benchWrite(s, 200000, ['/w/a', '/w/b'], ['1', '22'], true);
  await waitFor(() => n >= 1000);
  assert.equal(writer.benchJoin(s), 200000);
  await sleep(20);
  assert.equal(n, 1000);
  assert.equal(late, 0);
  s.close();
  assertNativeClean();
});

test('take(n) delivers n events then unsubscribes itself', async () => {
  const s = new Store();
  const got = [];
  const sub = s.watch('/t/*').take(3).subscribe((e) => got.push(e.value));
  for (let i = 0; i < 10; i++) s.set(`/t/${i}`, `${i}`);
  await waitFor(() => sub.closed);
  await sleep(5);
  assert.deepEqual(got, ['0', '1', '2']);
  assert.equal(nativeStats().subscriptions, 0);
  const zero = s.watch('/t/*').take(0).subscribe(() => assert.fail('take(0) delivered'));
  assert.equal(zero.closed, true);
  s.set('/t/x', 'y');
  await sleep(5);
  s.close();
  assertNativeClean();
});

test('filter and map compose in order', async () => {
  const s = new Store();
  const got = [];
  const sub = s.watch('/f/*')
    .filter((e) => e.type === 'set' && Number(e.value) % 2 === 0)
    .map((e) => Number(e.value) * 10)
    .filter((x) => x !== 40)
    .map((x) => `#${x}`)
    .take(3)
    .subscribe((x) => got.push(x));
  for (let i = 0; i < 20; i++) s.set(`/f/${i % 4}`, `${i}`);
  await waitFor(() => sub.closed);
  assert.deepEqual(got, ['#0', '#20', '#60']);
  s.close();
  assertNativeClean();
});

test('debounce(ms) emits the newest event after a quiet period', async () => {
  const s = new Store();
  const got = [];
  s.watch('/d').debounce(30).subscribe((e) => got.push(e.value));
  for (let i = 0; i < 5; i++) s.set('/d', `${i}`);
  await sleep(10);
  assert.deepEqual(got, []);
  await waitFor(() => got.length === 1);
  assert.deepEqual(got, ['4']);
  s.set('/d', 'again');
  await waitFor(() => got.length === 2);
  assert.deepEqual(got, ['4', 'again']);
  s.close();
  assertNativeClean();
});

test('debounce then take: take counts debounced emissions', async () => {
  const s = new Store();
  const got = [];
  const sub = s.watch('/dt').debounce(5).map((e) => e.value).take(2).subscribe((v) => got.push(v));
  s.set('/dt', 'a'); s.set('/dt', 'b');
  await waitFor(() => got.length === 1);
  s.set('/dt', 'c');
  await waitFor(() => sub.closed);
  assert.deepEqual(got, ['b', 'c']);
  s.close();
});

test('take then debounce: completion flushes the pending event', async () => {
  const s = new Store();
  const got = [];
  const sub = s.watch('/td').take(2).debounce(10000).subscribe((e) => got.push(e.value));
  s.set('/td', 'a'); s.set('/td', 'b'); s.set('/td', 'c');
  await waitFor(() => sub.closed);
  assert.deepEqual(got, ['b']);
  s.close();
});

test('unsubscribe and close cancel a pending debounce (no timer left)', async () => {
  const s = new Store();
  const got = [];
  const sub = s.watch('/x').debounce(20).subscribe((e) => got.push(e));
  const sub2 = s.watch('/x').debounce(20).subscribe((e) => got.push(e));
  s.set('/x', '1');
  await waitFor(() => s.getEventQueueStats().processed === 1);
  await sleep(2);
  sub.unsubscribe();
  s.close();
  assert.equal(sub2.closed, true);
  await sleep(40);
  assert.deepEqual(got, []);
  assertNativeClean();
});

test('a throwing subscriber does not stop the others; the error is uncaught', async () => {
  const s = new Store();
  try {
    await collectUncaught(async (errors) => {
      const got = [];
      s.watch('/e').subscribe((e) => { if (e.value === '1') throw new Error('boom'); });
      s.watch('/e').subscribe((e) => got.push(e.value));
      for (let i = 0; i < 3; i++) s.set('/e', `${i}`);
      await waitFor(() => got.length === 3 && errors.length === 1);
      assert.deepEqual(got, ['0', '1', '2']);
      assert.equal(errors[0].message, 'boom');
    });
  } finally {
    s.close();
  }
});

test('a subscriber may write to the store (events follow in order)', async () => {
  const s = new Store({ queueSlots: 4 });
  const got = [];
  s.watch('/chain/*').subscribe((e) => {
    got.push(Number(e.value));
    const n = Number(e.value);
    if (n < 200) s.set(`/chain/${n % 3}`, `${n + 1}`);
  });
  s.set('/chain/0', '0');
  await waitFor(() => got.length === 201);
  assert.deepEqual(got, Array.from({ length: 201 }, (_, i) => i));
  s.close();
});

test('subscription slots are reused without crosstalk', async () => {
  const s = new Store();
  for (let round = 0; round < 50; round++) {
    const mine = [];
    const sub = s.watch(`/s/${round}`).subscribe((e) => mine.push(e.path));
    s.set(`/s/${round}`, 'x');
    s.set(`/s/${round + 1}`, 'y');
    await waitFor(() => mine.length === 1);
    sub.unsubscribe();
    assert.deepEqual(mine, [`/s/${round}`]);
  }
  assert.equal(nativeStats().subscriptions, 0);
  s.close();
  assertNativeClean();
});
