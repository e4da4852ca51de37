'use strict';
// Store basics: values of every kind round-trip, every error path throws the
// right class and code and changes nothing, close() is idempotent and final.
const test = require('node:test');
const assert = require('node:assert/strict');
const { evstore, throwsCode, assertNativeClean, tick } = require('./helpers');

const { Store, Worker, nativeStats } = evstore;

test('values keep their kind through set/get', () => {
  const s = new Store();
  const cases = [
    ['/k/str', 'hello wörld ☃'],
    ['/k/empty', ''],
    ['/k/buf', Buffer.from([0, 1, 2, 255])],
    ['/k/emptybuf', Buffer.alloc(0)],
    ['/k/u8', new Uint8Array([9, 8, 7])],
    ['/k/obj', { a: 1, b: [true, null, 'x'], c: { d: 'é' } }],
    ['/k/arr', [1, 2, 3]],
    ['/k/num', 42.5],
    ['/k/bool', false],
    ['/k/null', null],
  ];
  for (const [p, v] of cases) s.set(p, v);
  for (const [p, v] of cases) {
    const got = s.get(p);
    assert.deepEqual(got, v, p);
    if (Buffer.isBuffer(v)) assert.ok(Buffer.isBuffer(got), `${p} is a Buffer`);
    else if (v instanceof Uint8Array) {
      assert.ok(!Buffer.isBuffer(got) && got instanceof Uint8Array, `${p} is a plain Uint8Array`);
    }
  }
  // get() returns copies.
  const b = s.get('/k/buf');
  b[0] = 77;
  assert.equal(s.get('/k/buf')[0], 0);
  assert.equal(s.get('/k/missing'), undefined);
  s.close();
  assertNativeClean();
});

test('overwrite and delete', () => {
  const s = new Store();
  s.set('/a', 'one');
  s.set('/a', Buffer.from('two'));
  assert.deepEqual(s.get('/a'), Buffer.from('two'));
  assert.equal(s.delete('/a'), true);
  assert.equal(s.delete('/a'), false);
  assert.equal(s.get('/a'), undefined);
  s.close();
});

test('wrong types throw TypeError with code, and change nothing', () => {
  const s = new Store();
  // A subscription, so that writes are queued and counted (a store with none
  // numbers its writes without queueing them).
  const sub = s.watch('/unrelated').subscribe(() => {});
  s.set('/keep', 'v');
  const before = nativeStats();
  for (const bad of [undefined, null, 1, {}, Symbol('x'), ['a']]) {
    throwsCode(() => s.set(bad, 'x'), TypeError, 'ERR_INVALID_ARG_TYPE', /"path"/);
    throwsCode(() => s.get(bad), TypeError, 'ERR_INVALID_ARG_TYPE', /"path"/);
    throwsCode(() => s.delete(bad), TypeError, 'ERR_INVALID_ARG_TYPE', /"path"/);
    throwsCode(() => s.watch(bad), TypeError, 'ERR_INVALID_ARG_TYPE', /"pattern"/);
  }
  for (const bad of [undefined, () => 1, Symbol('s'), 10n, new Float32Array(2),
    new ArrayBuffer(4), new DataView(new ArrayBuffer(2))]) {
    throwsCode(() => s.set('/x', bad), TypeError, 'ERR_INVALID_ARG_TYPE', /"value"/);
  }
  const circ = {};
  circ.self = circ;
  throwsCode(() => s.set('/x', circ), TypeError, 'ERR_INVALID_ARG_TYPE', /JSON/);
  throwsCode(() => s.set('/x', { toJSON: () => undefined }), TypeError,
    'ERR_INVALID_ARG_TYPE');
  throwsCode(() => s.watch('/x').subscribe('nope'), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => s.watch('/x').filter(1), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => s.watch('/x').map(null), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => s.watch('/x').take('3'), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => s.watch('/x').debounce('3'), TypeError, 'ERR_INVALID_ARG_TYPE');
  assert.equal(s.get('/x'), undefined);
  assert.equal(s.get('/keep'), 'v');
  const after = nativeStats();
  assert.equal(after.liveBlocks, before.liveBlocks);
  assert.equal(after.subscriptions, before.subscriptions);
  assert.equal(s.getEventQueueStats().processed + s.getEventQueueStats().pending, 1);
  sub.unsubscribe();
  s.close();
});

test('out-of-range input throws RangeError naming the limit', () => {
  const s = new Store({ valueRingBytes: 8192 });
  const before = nativeStats();
  throwsCode(() => s.set('/' + 'a'.repeat(255), 'x'), RangeError,
    'ERR_EVS_PATH_TOO_LONG', /"path".*256 bytes.*limit is 255/);
  // Multi-byte characters count in UTF-8 bytes.
  throwsCode(() => s.set('/' + '€'.repeat(85), 'x'), RangeError,
    'ERR_EVS_PATH_TOO_LONG', /256 bytes/);
  s.set('/' + 'a'.repeat(254), 'fits'); // exactly 255 bytes
  assert.equal(s.get('/' + 'a'.repeat(254)), 'fits');
  throwsCode(() => s.get('/' + 'b'.repeat(300)), RangeError, 'ERR_EVS_PATH_TOO_LONG');
  throwsCode(() => s.delete('/' + 'b'.repeat(300)), RangeError, 'ERR_EVS_PATH_TOO_LONG');
  for (const bad of ['', 'a', '/', '/a//b', '/a/', '/a/*', '/a/**', '/a\0b']) {
    throwsCode(() => s.set(bad, 'x'), RangeError, 'ERR_EVS_BAD_PATH');
  }
  // Values: the limit is half the value ring minus the one-byte kind tag.
  throwsCode(() => s.set('/v', 'x'.repeat(4096)), RangeError,
    'ERR_EVS_VALUE_TOO_LARGE', /4096 bytes.*limit is 4095/);
  throwsCode(() => s.set('/v', Buffer.alloc(4096)), RangeError,
    'ERR_EVS_VALUE_TOO_LARGE', /limit is 4095/);
  throwsCode(() => s.set('/v', new Uint8Array(100000)), RangeError,
    'ERR_EVS_VALUE_TOO_LARGE');
  throwsCode(() => s.set('/v', { big: 'y'.repeat(5000) }), RangeError,
    'ERR_EVS_VALUE_TOO_LARGE', /JSON/);
  s.set('/v', 'x'.repeat(4095));
  assert.equal(s.get('/v').length, 4095);
  s.set('/v2', Buffer.alloc(4095, 1));
  // A large string takes the slow path of the encoder (scratch regrowth).
  const s2 = new Store({ valueRingBytes: 1 << 20 });
  const big = 'é'.repeat(200000);
  s2.set('/big', big);
  assert.equal(s2.get('/big'), big);
  s2.close();
  // Patterns.
  for (const bad of ['', 'x', '/a/b*', '/**/a', '/a//b', '/' + 'p'.repeat(300)]) {
    assert.throws(() => s.watch(bad), (err) => err instanceof RangeError &&
      (err.code === 'ERR_EVS_BAD_PATTERN' || err.code === 'ERR_EVS_PATH_TOO_LONG'), bad);
  }
  throwsCode(() => s.watch('/a/b*'), RangeError, 'ERR_EVS_BAD_PATTERN', /"pattern".*255 bytes/);
  throwsCode(() => s.watch('/x').take(-1), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => s.watch('/x').take(1.5), RangeError, 'ERR_OUT_OF_RANGE');
  throwsCode(() => s.watch('/x').debounce(-5), RangeError, 'ERR_OUT_OF_RANGE');
  const after = nativeStats();
  assert.equal(after.subscriptions, before.subscriptions);
  assert.equal(s.get('/v2').length, 4095);
  s.close();
  assertNativeClean();
});

test('constructor options are validated', () => {
  throwsCode(() => new Store(5), TypeError, 'ERR_INVALID_ARG_TYPE', /"options"/);
  throwsCode(() => new Store(null), TypeError, 'ERR_INVALID_ARG_TYPE');
  throwsCode(() => new Store({ queueSlots: '8' }), TypeError, 'ERR_INVALID_ARG_TYPE', /queueSlots/);
  throwsCode(() => new Store({ overflow: 1 }), TypeError, 'ERR_INVALID_ARG_TYPE', /overflow/);
  throwsCode(() => new Store({ queueSlots: 1000 }), RangeError, 'ERR_EVS_BAD_OPTION',
    /queueSlots.*power of two.*1000/);
  throwsCode(() => new Store({ queueSlots: 1 }), RangeError, 'ERR_EVS_BAD_OPTION');
  throwsCode(() => new Store({ queueSlots: 1 << 25 }), RangeError, 'ERR_EVS_BAD_OPTION', /16777216/);
  throwsCode(() => new Store({ queueSlots: -2 }), RangeError, 'ERR_EVS_BAD_OPTION');
  throwsCode(() => new Store({ queueSlots: 2.5 }), RangeError, 'ERR_EVS_BAD_OPTION');
  throwsCode(() => new Store({ valueRingBytes: 1024 }), RangeError, 'ERR_EVS_BAD_OPTION',
    /valueRingBytes.*4096/);
  throwsCode(() => new Store({ valueRingBytes: 5000 }), RangeError, 'ERR_EVS_BAD_OPTION');
  throwsCode(() => new Store({ overflow: 'spill' }), RangeError, 'ERR_EVS_BAD_OPTION',
    /'block' or 'drop'.*spill/);
  assertNativeClean('after failed constructors');
  const s = new Store({ queueSlots: 2, valueRingBytes: 4096, overflow: 'drop' });
  s.set('/a', 'b');
  assert.equal(s.get('/a'), 'b');
  s.close();
  new Store({}).close();
  new Store({ overflow: undefined }).close();
  assertNativeClean();
});

test('close() is idempotent; afterwards every call throws ERR_EVS_CLOSED', async () => {
  const s = new Store();
  s.set('/a', 'b');
  const sub = s.watch('/**').subscribe(() => {});
  assert.equal(s.closed, false);
  s.close();
  s.close();
  assert.equal(s.closed, true);
  assert.equal(sub.closed, true);
  sub.unsubscribe(); // still harmless
  const calls = {
    set: () => s.set('/a', 'c'),
    get: () => s.get('/a'),
    delete: () => s.delete('/a'),
    watch: () => s.watch('/**'),
    getEventQueueStats: () => s.getEventQueueStats(),
    bootstrap: () => Worker.bootstrap(s, { namespace: '/**', capacity: 4 }),
  };
  for (const [name, fn] of Object.entries(calls)) {
    throwsCode(fn, Error, 'ERR_EVS_CLOSED', /closed/, name);
  }
  await tick();
  assertNativeClean();
});

test('an Observable made before close() cannot subscribe after it', () => {
  const s = new Store();
  const obs = s.watch('/a');
  s.close();
  throwsCode(() => obs.subscribe(() => {}), Error, 'ERR_EVS_CLOSED');
  assertNativeClean();
});

test('getEventQueueStats() reports the queue', async () => {
  const s = new Store({ queueSlots: 16 });
  let n = 0;
  s.watch('/**').subscribe(() => { n++; });
  for (let i = 0; i < 40; i++) s.set(`/p/${i % 7}`, 'v'.repeat(i));
  const { waitFor } = require('./helpers');
  await waitFor(() => n === 40);
  const st = s.getEventQueueStats();
  assert.deepEqual(Object.keys(st).sort(), ['consumerPolls', 'consumerSleeps',
    'dropped', 'highWater', 'pending', 'processed', 'producerPolls',
    'producerSleeps', 'slotWraps', 'valueBytesInUse', 'valueWraps']);
  // The dispatcher found the 40 events by re-reading the queue or after
  // sleeping; every handover counter is a count.
  assert.ok(st.consumerPolls + st.consumerSleeps >= 1);
  for (const k of ['consumerPolls', 'consumerSleeps', 'producerPolls', 'producerSleeps']) {
    assert.ok(Number.isSafeInteger(st[k]) && st[k] >= 0, k);
  }
  assert.equal(st.processed, 40);
  assert.equal(st.pending, 0);
  assert.equal(st.dropped, 0);
  assert.ok(st.slotWraps >= 2, `slotWraps ${st.slotWraps}`);
  assert.ok(st.highWater >= 1 && st.highWater <= 16);
  s.close();
  assertNativeClean();
});

test('nativeStats() has every field and counts handles', () => {
  const keys = ['liveBytes', 'liveBlocks', 'peakBytes', 'stores', 'subscriptions',
    'tsfns', 'workers', 'threads', 'mallocInUse'];
  const s0 = nativeStats();
  assert.deepEqual(Object.keys(s0).sort(), [...keys].sort());
  for (const k of keys) assert.equal(typeof s0[k], 'number', k);
  const a = new Store();
  const b = new Store();
  const sub = a.watch('/**').subscribe(() => {});
  const w = Worker.bootstrap(b, { namespace: '/j/**', capacity: 8 });
  const s1 = nativeStats();
  assert.equal(s1.stores, 2);
  assert.equal(s1.tsfns, 2);
  assert.equal(s1.threads, 2);
  assert.equal(s1.subscriptions, 1);
  assert.equal(s1.workers, 1);
  assert.ok(s1.liveBlocks > 0 && s1.liveBytes > 0 && s1.peakBytes >= s1.liveBytes);
  assert.ok(s1.mallocInUse > 0);
  sub.unsubscribe();
  assert.equal(nativeStats().subscriptions, 0);
  w.stop();
  assert.equal(nativeStats().workers, 0);
  a.close();
  b.close();
  assertNativeClean();
});

test('setMany() writes every entry in order, as set() would', async () => {
  const s = new Store();
  const seen = [];
  s.watch('/**').subscribe((e) => seen.push([e.path, e.value]));
  const entries = [
    ['/m/str', 'hello wörld ☃'], ['/m/empty', ''], ['/m/lone', 'a\ud800b'],
    ['/m/buf', Buffer.from([0, 1, 255])], ['/m/u8', new Uint8Array([9, 8])],
    ['/m/obj', { a: [true, null, 'é'] }], ['/m/num', 42.5], ['/m/null', null],
    ['/m/str', 'again'],
  ];
  s.setMany([]);
  s.setMany(entries);
  // More than one native call (4096 entries each) and lock run (64).
  const many = Array.from({ length: 9000 }, (_, i) => [`/n/${i % 300}`, `v${i}`]);
  s.setMany(many);
  await tick();
  while (seen.length < entries.length + many.length) await tick();
  assert.deepEqual(seen.slice(0, entries.length), entries);
  assert.deepEqual(seen.slice(entries.length), many);
  assert.equal(s.get('/m/str'), 'again');
  assert.equal(s.get('/m/lone'), 'a\ud800b');
  assert.ok(Buffer.isBuffer(s.get('/m/buf')));
  assert.ok(!Buffer.isBuffer(s.get('/m/u8')));
  assert.equal(s.get('/n/299'), 'v8999');
  s.close();
  throwsCode(() => s.setMany([['/a', 1]]), Error, 'ERR_EVS_CLOSED');
  assertNativeClean();
});

test('setMany(): a bad entry throws with its index; those before it are written', async () => {
  const s = new Store({ valueRingBytes: 8192 });
  class Sub extends Uint8Array {}
  const bads = [
    [7, TypeError, 'ERR_INVALID_ARG_TYPE', /"entries\[3\]"/],
    [[1, 'v'], TypeError, 'ERR_INVALID_ARG_TYPE', /"path"/],
    [['no-slash', 'v'], RangeError, 'ERR_EVS_BAD_PATH', /set\('no-slash'\)/],
    [['/a//b', 'v'], RangeError, 'ERR_EVS_BAD_PATH'],
    [['/x/*', 'v'], RangeError, 'ERR_EVS_BAD_PATH'],
    [['/\ud800', 'v'], RangeError, 'ERR_EVS_BAD_PATH', /unpaired/],
    [[`/${'x'.repeat(300)}`, 'v'], RangeError, 'ERR_EVS_PATH_TOO_LONG'],
    [['/v', NaN], TypeError, 'ERR_INVALID_ARG_VALUE'],
    [['/v', undefined], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [['/v', new Sub(1)], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [['/v', 'x'.repeat(5000)], RangeError, 'ERR_EVS_VALUE_TOO_LARGE'],
    [['/v', Buffer.alloc(5000)], RangeError, 'ERR_EVS_VALUE_TOO_LARGE'],
  ];
  let round = 0;
  let events = 0;
  s.watch('/**').subscribe(() => { events++; });
  for (const [bad, Ctor, code, re] of bads) {
    round++;
    const entries = [0, 1, 2].map((i) => [`/r${round}/${i}`, i]);
    entries.push(bad, [`/r${round}/after`, 'x']);
    let caught = null;
    throwsCode(() => {
      try {
        s.setMany(entries);
      } catch (err) {
        caught = err;
        throw err;
      }
    }, Ctor, code, re);
    assert.equal(caught.index, 3, `index of ${caught.message}`);
    for (const i of [0, 1, 2]) assert.equal(s.get(`/r${round}/${i}`), i);
    assert.equal(s.get(`/r${round}/after`), undefined);
  }
  // Past a native call's boundary: the first 5000 are written.
  const big = Array.from({ length: 6000 }, (_, i) => [`/big/${i}`, i]);
  big[5000] = ['/big/bad/', 0];
  let caught = null;
  try {
    s.setMany(big);
  } catch (err) {
    caught = err;
  }
  assert.equal(caught && caught.code, 'ERR_EVS_BAD_PATH');
  assert.equal(caught.index, 5000);
  assert.equal(s.get('/big/4999'), 4999);
  assert.equal(s.get('/big/5001'), undefined);
  for (const notArray of [undefined, null, 'x', { length: 1, 0: ['/a', 1] }]) {
    throwsCode(() => s.setMany(notArray), TypeError, 'ERR_INVALID_ARG_TYPE', /"entries"/);
  }
  while (events < 3 * bads.length + 5000) await tick();
  await tick();
  assert.equal(events, 3 * bads.length + 5000);
  s.close();
  assertNativeClean();
});

test('batches mixing large and small records are cut into JS chunks intact', async () => {
  const s = new Store({ valueRingBytes: 1 << 21 });
  const got = [];
  s.watch('/cut/**').subscribe((e) => got.push(e.value));
  const want = [];
  const entries = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 5000; i++) entries.push([`/cut/s/${i % 97}`, `v${round}-${i}`]);
    entries.push([`/cut/big/${round}`, String(round).repeat(300 * 1024)]);
  }
  for (const [, v] of entries) want.push(v);
  s.setMany(entries);
  while (got.length < want.length) await tick();
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) assert.fail(`event ${i}: ${String(got[i]).slice(0, 20)}`);
  }
  s.close();
  assertNativeClean();
});
