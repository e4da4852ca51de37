'use strict';
// Edge cases of the API (issue 14 §7): each test pins down a behaviour that
// used to lose data, hide part of an error, or let misuse through.
const test = require('node:test');
const assert = require('node:assert/strict');
const { evstore, waitFor, tick, assertNativeClean, throwsCode, collectUncaught } = require('./helpers');

const { Store, Worker, Observable, Subscription, RawStatus, nativeStats } = evstore;

test('paths and patterns with an unpaired surrogate are refused; keys never collide', async () => {
  const s = new Store();
  const seen = [];
  s.watch('/k/*').subscribe((e) => seen.push(e.path));
  // U+FFFD itself and a surrogate pair are well-formed: both are keys.
  s.set('/k/\uFFFD', 'replacement char');
  s.set('/k/\uD83D\uDE00', 'pair');
  // UTF-8 would turn each lone surrogate into U+FFFD: '/k/\uD800' would
  // overwrite '/k/\uFFFD', and '/k/\uD800' and '/k/\uDBFF' would be one key.
  const bad = ['/k/\uD800', '/k/\uDBFF', '/k/\uDC00', '/k/a\uDC00\uD800', '/k/\uD800x',
    '/k/\uDE00\uD83D'];
  for (const p of bad) {
    const idx = [...p].findIndex((c) => c.length === 1 && c >= '\uD800' && c <= '\uDFFF');
    const unit = p.charCodeAt(idx).toString(16).toUpperCase();
    const re = new RegExp(`"path".*unpaired UTF-16 surrogate \\(\\\\u${unit} at index ${idx}\\)`);
    throwsCode(() => s.set(p, 'forged'), RangeError, 'ERR_EVS_BAD_PATH', re);
    throwsCode(() => s.get(p), RangeError, 'ERR_EVS_BAD_PATH', re);
    throwsCode(() => s.delete(p), RangeError, 'ERR_EVS_BAD_PATH', re);
    throwsCode(() => s.watch(p), RangeError, 'ERR_EVS_BAD_PATTERN', /"pattern".*unpaired/);
    throwsCode(() => Worker.bootstrap(s, { namespace: p }), RangeError,
      'ERR_EVS_BAD_PATTERN', /"config.namespace".*unpaired/);
  }
  // The message shows the surrogate escaped, not as U+FFFD.
  throwsCode(() => s.set('/k/\uD800', 'x'), RangeError, 'ERR_EVS_BAD_PATH',
    /'\/k\/\\uD800'/);
  throwsCode(() => s.watch('/k/\uDBFF/**'), RangeError, 'ERR_EVS_BAD_PATTERN',
    /'\/k\/\\uDBFF\/\*\*'/);
  assert.equal(s.get('/k/\uFFFD'), 'replacement char');
  assert.equal(s.get('/k/\uD83D\uDE00'), 'pair');
  assert.equal(nativeStats().subscriptions, 1);
  s.set('/k/end', 'x');
  await waitFor(() => seen.length === 3);
  assert.deepEqual(seen, ['/k/\uFFFD', '/k/\uD83D\uDE00', '/k/end']);
  s.close();
  assertNativeClean();
});

test('error messages show the whole path, escaped', () => {
  const s = new Store();
  const cases = [
    ['/a\0b', "'/a\\0b'"],
    ['/a\0' + '1', "'/a\\x001'"], // \0 before a digit would read as another escape
    ['/a\x01b\x1f\x7f\x85//c', "'/a\\x01b\\x1F\\x7F\\x85//c'"], // '//': malformed
    ["/it's\\/\0", "'/it\\'s\\\\/\\0'"],
    ['/é/\0/☃', "'/é/\\0/☃'"],
  ];
  for (const [p, shown] of cases) {
    for (const [op, fn] of [['set', () => s.set(p, 'x')], ['get', () => s.get(p)],
      ['delete', () => s.delete(p)]]) {
      assert.throws(fn, (err) => {
        assert.ok(err instanceof RangeError);
        assert.equal(err.code, 'ERR_EVS_BAD_PATH');
        assert.ok(err.message.startsWith(`${op}(${shown})`), err.message);
        return true;
      }, `${op} ${JSON.stringify(p)}`);
    }
    assert.throws(() => s.watch(p), (err) => err.code === 'ERR_EVS_BAD_PATTERN' &&
      err.message.includes(`"pattern" argument ${shown} is malformed`));
    assert.throws(() => Worker.bootstrap(s, { namespace: p }), (err) =>
      err.code === 'ERR_EVS_BAD_PATTERN' &&
      err.message.includes(`"config.namespace" argument ${shown} is malformed`));
  }
  // An option string is compared whole: 'block\0x' is not 'block'.
  throwsCode(() => new Store({ overflow: 'block\0x' }), RangeError, 'ERR_EVS_BAD_OPTION',
    /received 'block\\0x'/);
  throwsCode(() => new Store({ overflow: 'drop\0' }), RangeError, 'ERR_EVS_BAD_OPTION');
  s.close();
  assertNativeClean();
});

test('values are stored losslessly', async () => {
  const s = new Store();
  const w = Worker.bootstrap(s, { namespace: '/v/**', capacity: 64 });
  const events = [];
  s.watch('/v/**').subscribe((e) => events.push(e.value));
  const values = [
    '\uD800', 'a\uDC00b', '\uDBFF\uD800', 'x'.repeat(100) + '\uDFFF', // unpaired surrogates
    '\uFFFD', '\uD83D\uDE00', '',
    Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, 0.1, -1e-300, 0,
    { '\uD800': ['\uDC00'], nested: { deep: [[], {}, [null, true, 'é']] } },
    [1, 'two', { three: 3 }],
    Buffer.from([0, 0xd8, 0xff]), new Uint8Array([1, 2]),
  ];
  values.forEach((v, i) => s.set(`/v/${i}`, v));
  await waitFor(() => events.length === values.length);
  const steps = w.pollStepEvents(64).map((e) => e.value);
  values.forEach((v, i) => {
    for (const [where, got] of [['get', s.get(`/v/${i}`)], ['event', events[i]],
      ['step event', steps[i]]]) {
      assert.deepStrictEqual(got, v, `${where} ${i}`);
      if (typeof v === 'number') assert.ok(Object.is(got, v), `${where} ${i}`);
      if (typeof v === 'string') assert.equal(got.length, v.length, `${where} ${i}`);
    }
  });
  w.stop();
  s.close();
  assertNativeClean();
});

test('values JSON would change are refused, naming where, and change nothing', async () => {
  const s = new Store();
  const events = [];
  s.watch('/r').subscribe((e) => events.push(e.value));
  s.set('/r', 'before');
  class Point { constructor() { this.x = 1; } }
  class Bytes extends Uint8Array {}
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const tagged = Object.assign([1, 2], { tag: 'x' });
  const V = 'ERR_INVALID_ARG_VALUE';
  const T = 'ERR_INVALID_ARG_TYPE';
  const cases = [
    [-0, V, /: value is -0 /],
    [NaN, V, /: value is NaN /],
    [Infinity, V, /: value is Infinity /],
    [-Infinity, V, /: value is -Infinity /],
    [{ a: { b: -0 } }, V, /: value\.a\.b is -0/],
    [[1, [2, NaN]], V, /: value\[1\]\[1\] is NaN/],
    [sparse, V, /: value\[1\] is an array hole/],
    [tagged, V, /: value has the property "tag", which is not an index/],
    [{ [Symbol('k')]: 1 }, V, /symbol-keyed property Symbol\(k\)/],
    [{ a: undefined }, T, /: value\.a is undefined/],
    [[undefined], T, /: value\[0\] is undefined/],
    [{ 'odd key': [{ f() {} }] }, T, /: value\["odd key"\]\[0\]\.f is function f/],
    [{ s: Symbol('s') }, T, /: value\.s is of type symbol/],
    [new Date(0), T, /: value is an instance of Date/],
    [{ when: new Date(0) }, T, /: value\.when is an instance of Date/],
    [new Map([[1, 2]]), T, /instance of Map/],
    [new Set([1]), T, /instance of Set/],
    [new Point(), T, /instance of Point/],
    [Object.create(null), T, /null prototype/],
    [{ b: Buffer.from('x') }, T, /: value\.b is an instance of Buffer/],
    [{ u: new Uint8Array(1) }, T, /: value\.u is an instance of Uint8Array/],
    [new String('x'), T, /instance of String/],
    [new Number(1), T, /instance of Number/],
    [new Bytes(2), T, /subclass/],
  ];
  for (const [v, code, re] of cases) {
    throwsCode(() => s.set('/r', v), TypeError, code, re);
  }
  assert.equal(s.get('/r'), 'before');
  s.set('/r', 'after');
  await waitFor(() => events.length === 2);
  assert.deepEqual(events, ['before', 'after']);
  s.close();
  assertNativeClean();
});

test('the constructors index.d.ts marks private are illegal', async () => {
  const s = new Store();
  const got = [];
  const victim = s.watch('/p').subscribe((e) => got.push(e.value));
  const { _slot: slot, _gen: gen } = victim;
  const attempts = {
    Subscription: () => new Subscription(s, slot, gen),
    'Subscription subclass': () => new (class extends Subscription {
      constructor() { super(s, slot, gen); }
    })(),
    Observable: () => new Observable(s, '/p', []),
    Worker: () => new Worker(s, {}),
    RawStatus: () => new RawStatus({}),
  };
  for (const [name, fn] of Object.entries(attempts)) {
    throwsCode(fn, TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', /^Illegal constructor$/, name);
  }
  // An object dressed up as the victim's subscription cannot detach it
  // either, nor free its slot for the next subscriber.
  const fake = Object.create(Subscription.prototype);
  Object.assign(fake, { _store: s, _slot: slot, _gen: gen, _closed: false, _teardowns: [] });
  fake.unsubscribe();
  s._detach(fake, true);
  const other = [];
  s.watch('/q').subscribe((e) => other.push(e.value));
  s.set('/p', 'still delivered');
  s.set('/q', 'q');
  await waitFor(() => got.length === 1 && other.length === 1);
  assert.deepEqual(got, ['still delivered']);
  assert.deepEqual(other, ['q']);
  assert.equal(victim.closed, false);
  assert.equal(nativeStats().subscriptions, 2);
  s.close();
  assertNativeClean();
});

test('completeStepEvent() refuses a result that is both ok and an error', () => {
  const s = new Store();
  const w = Worker.bootstrap(s, { namespace: '/j/**', capacity: 8 });
  s.set('/j/1', 'a');
  let evs = [];
  const deadline = Date.now() + 5000;
  while (evs.length === 0 && Date.now() < deadline) evs = w.pollStepEvents();
  assert.equal(evs.length, 1);
  const id = evs[0].id;
  for (const result of [{ ok: true, error: 'x' }, { ok: false, error: 'x' },
    { ok: true, error: '' }]) {
    throwsCode(() => w.completeStepEvent(id, result), TypeError, 'ERR_INVALID_ARG_VALUE',
      /not both/);
  }
  // Still in flight, neither completed nor failed.
  let st = w.status();
  assert.deepEqual([st.inFlight, st.completed, st.failed], [1, 0, 0]);
  w.completeStepEvent(id, { error: 'real failure' });
  st = w.status();
  assert.deepEqual([st.inFlight, st.completed, st.failed], [0, 0, 1]);
  w.stop();
  s.close();
  assertNativeClean();
});

test('numeric options below their minimum are refused, naming it', async () => {
  const B = 'ERR_EVS_BAD_OPTION';
  throwsCode(() => new Store({ queueSlots: 0 }), RangeError, B,
    /"options\.queueSlots".*at least 2 \(the minimum\).*received 0$/);
  throwsCode(() => new Store({ queueSlots: 1 }), RangeError, B, /at least 2 /);
  throwsCode(() => new Store({ queueSlots: -4 }), RangeError, B, /at least 2 .*received -4$/);
  throwsCode(() => new Store({ queueSlots: NaN }), RangeError, B, /received NaN$/);
  throwsCode(() => new Store({ valueRingBytes: 0 }), RangeError, B,
    /"options\.valueRingBytes".*at least 4096 \(the minimum\).*received 0$/);
  throwsCode(() => new Store({ valueRingBytes: 2048 }), RangeError, B, /at least 4096 /);
  assertNativeClean('after refused options');
  const s = new Store();
  throwsCode(() => Worker.bootstrap(s, { namespace: '/a', capacity: 0 }), RangeError, B,
    /"config\.capacity".*at least 1 \(the minimum\).*received 0$/);
  throwsCode(() => Worker.bootstrap(s, { namespace: '/a', capacity: -0 }), RangeError, B,
    /received -0$/);
  const w = Worker.bootstrap(s, { namespace: '/a', capacity: 1 });
  throwsCode(() => w.pollStepEvents(0), RangeError, 'ERR_OUT_OF_RANGE',
    /"max".*at least 1 \(the minimum\).*received 0$/);
  throwsCode(() => s.watch('/a').take(-1), RangeError, 'ERR_OUT_OF_RANGE', /"n".*>= 0/);
  throwsCode(() => s.watch('/a').debounce(-1), RangeError, 'ERR_OUT_OF_RANGE', /"ms".*>= 0/);
  // The minimums themselves are accepted.
  new Store({ queueSlots: 2, valueRingBytes: 4096 }).close();
  s.watch('/a').take(0).subscribe(() => {});
  s.watch('/a').debounce(0).subscribe(() => {}).unsubscribe();
  w.stop();
  s.close();
  await tick();
  assertNativeClean();
});

test('every error of subscribers that throw in one batch reaches the user, in order', async () => {
  const s = new Store();
  try {
    await collectUncaught(async (errors) => {
      const got = [];
      s.watch('/e/*').subscribe((e) => { throw new Error(`A${e.value}`); });
      s.watch('/e/*').map((e) => { throw new Error(`B${e.value}`); }).subscribe(() => {});
      s.watch('/e/*').subscribe((e) => got.push(e.value));
      s.watch('/e/*').subscribe((e) => { throw `C${e.value}`; }); // not an Error
      // Written in one go: they reach JS in one batch (or a few), and each
      // batch has several throwing subscribers.
      const N = 50;
      for (let i = 0; i < N; i++) s.set(`/e/${i % 3}`, `${i}`);
      // On a timeout the assertions below say what was missing.
      await waitFor(() => got.length === N && errors.length >= 3 * N, 3000)
        .catch(() => {});
      await tick();
      assert.equal(got.length, N);
      assert.equal(errors.length, 3 * N, 'one report per thrown error');
      const want = [];
      for (let i = 0; i < N; i++) want.push(`A${i}`, `B${i}`, `C${i}`);
      assert.deepEqual(errors.map((e) => (typeof e === 'string' ? e : e.message)), want);
    });
  } finally {
    s.close();
  }
  assertNativeClean();
});

test('strings of every UTF-16 shape and length round-trip as paths and values', async () => {
  // Paths and short string values are read as UTF-16 and encoded to UTF-8 by
  // the addon (src/utf8.c), longer values by Node-API: both must give V8's
  // bytes, on either side of the addon's 512-unit switch.
  const s = new Store();
  const seen = new Map();
  s.watch('/u/**').subscribe((e) => seen.set(e.path, e.value));
  const pieces = ['a', '~', '\x7f', '\x80', 'é', '\u07ff', '\u0800', '€', '\uFFFD', '\uFFFF',
    '\uD800\uDC00', '\uD83D\uDE00', '\uDBFF\uDFFF'];
  let seed = 12345;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  const make = (units) => {
    let str = '';
    while (str.length < units) str += pieces[rnd(pieces.length)];
    return str.length > units ? str.slice(0, units - 1) + 'z' : str;
  };
  const want = new Map();
  try {
    for (const units of [0, 1, 2, 7, 8, 9, 63, 64, 255, 509, 510, 511, 512, 513, 1024, 5000]) {
      for (let k = 0; k < 4; k++) {
        const v = make(units);
        const p = `/u/${units}/${k}/${make(1 + rnd(40))}`;
        if (Buffer.byteLength(p) > 255) continue;
        s.set(p, v);
        want.set(p, v);
        assert.equal(s.get(p), v, `value of ${units} units`);
      }
    }
    // Paths of up to 255 bytes, the limit counted in UTF-8 bytes whatever the
    // characters; over it, the message gives the exact byte length.
    for (let i = 0; i < 200; i++) {
      const p = '/' + make(40 + rnd(220));
      const bytes = Buffer.byteLength(p);
      if (bytes <= 255) {
        s.set(p, 'ok');
        assert.equal(s.get(p), 'ok');
        assert.equal(s.delete(p), true);
      } else {
        throwsCode(() => s.set(p, 'x'), RangeError, 'ERR_EVS_PATH_TOO_LONG',
          new RegExp(`is ${bytes} bytes long`));
      }
    }
    await waitFor(() => seen.size === want.size);
    for (const [p, v] of want) assert.equal(seen.get(p), v, `event value at ${p}`);
  } finally {
    s.close(); // a failed assertion must not leave the subscription running
  }
  assertNativeClean();
});
