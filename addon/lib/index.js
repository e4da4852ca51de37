'use strict';
/**
 * evstore: JavaScript API over evstore.node, the Node-API binding of the
 * evstore C event store.
 *
 * Events reach JavaScript in batches: the store's dispatcher thread encodes
 * them into one buffer of fixed-layout records (paths and short string values
 * interned), and one threadsafe function per store hands each batch to
 * `deliver()` below, which decodes the records and calls the subscribers in
 * sequence order.
 *
 * @module evstore
 */

const fs = require('node:fs');
const path = require('node:path');

/**
 * Locates and loads the native module: `EVSTORE_ADDON` (an explicit file),
 * else `build/${EVSTORE_VARIANT || 'release'}/addon/evstore.node` under the
 * repository root, else a prebuilt `evstore.node` next to the package.
 * @returns {object}
 */
function loadNative() {
  const tried = [];
  const explicit = process.env.EVSTORE_ADDON;
  let file = null;
  if (explicit) {
    const p = path.resolve(explicit);
    tried.push(`${p} (EVSTORE_ADDON)`);
    if (fs.existsSync(p)) file = p;
  } else {
    const variant = process.env.EVSTORE_VARIANT || 'release';
    const candidates = [
      [path.resolve(__dirname, '..', '..', 'build', variant, 'addon',
        'evstore.node'), `build of variant '${variant}'`],
      [path.resolve(__dirname, '..', 'evstore.node'), 'prebuilt'],
    ];
    for (const [p, what] of candidates) {
      tried.push(`${p} (${what})`);
      if (fs.existsSync(p)) { file = p; break; }
    }
  }
  if (file === null) {
    const err = new Error(
      'evstore: cannot find the native module evstore.node; tried:\n  ' +
      tried.join('\n  ') +
      '\nBuild it with `cmake --preset release && cmake --build --preset ' +
      'release`, or set EVSTORE_ADDON to the file (EVSTORE_VARIANT selects ' +
      'the build directory).');
    err.code = 'ERR_EVS_ADDON_NOT_FOUND';
    throw err;
  }
  return require(file);
}

const native = loadNative();

const OP_PATH = 1;
const OP_VALUE = 2;
const OP_EVENT = 3;
const OP_REPEAT = 4;
const NO_VALUE = 0xffffffff;
const KIND_STRING = 0;
const KIND_BUFFER = 1;
const KIND_UINT8ARRAY = 2;
const KIND_JSON = 3;
const TYPE_NAMES = [undefined, 'set', 'delete'];

/* Planted defect `retain-js-events` (fault builds, EVS_FAULT): every event
 * object delivered is kept here forever, so heapUsed grows. */
const RETAIN_EVENTS = native.faultNamed('retain-js-events');
const retainedEvents = [];

const hasSlices = typeof Buffer.prototype.latin1Slice === 'function' &&
  typeof Buffer.prototype.utf8Slice === 'function';

function textOf(buf, ascii, start, end) {
  if (hasSlices) {
    return ascii ? buf.latin1Slice(start, end) : buf.utf8Slice(start, end);
  }
  return buf.toString(ascii ? 'latin1' : 'utf8', start, end);
}

/* Decodes value bytes [start, end) of `buf` according to `kind`. */
function decodeValue(kind, ascii, buf, start, end) {
  switch (kind) {
    case KIND_STRING:
      return textOf(buf, ascii, start, end);
    case KIND_BUFFER: {
      const b = Buffer.allocUnsafe(end - start);
      buf.copy(b, 0, start, end);
      return b;
    }
    case KIND_UINT8ARRAY:
      return new Uint8Array(buf.buffer.slice(buf.byteOffset + start,
        buf.byteOffset + end));
    case KIND_JSON:
      return JSON.parse(textOf(buf, ascii, start, end));
    default:
      return undefined;
  }
}

/* A private, immutable-by-us form of a value, from which each further
 * subscriber of the same event gets its own object. */
function masterOf(kind, ascii, buf, start, end) {
  if (kind === KIND_STRING || kind === KIND_JSON) {
    return textOf(buf, ascii, start, end);
  }
  if (kind === KIND_BUFFER || kind === KIND_UINT8ARRAY) {
    return new Uint8Array(buf.buffer.slice(buf.byteOffset + start,
      buf.byteOffset + end));
  }
  return undefined;
}

function valueFromMaster(kind, master) {
  switch (kind) {
    case KIND_STRING: return master;
    case KIND_BUFFER: return Buffer.from(master);
    case KIND_UINT8ARRAY: return master.slice();
    case KIND_JSON: return JSON.parse(master);
    default: return undefined;
  }
}

/* One store's decoding state: its subscriber tables (shared with the
 * Store), the interned paths and values, and the last EVENT record of the
 * previous chunk (REPEAT records may refer to it after the shared buffer was
 * overwritten). The hot functions below are shared by every store, so V8
 * optimises them once per process, not once per store. */
class DecodeState {
  constructor(table) {
    this.subs = table.subs;
    this.gens = table.gens;
    this.paths = new Array(native.PATH_CACHE).fill('');
    this.values = new Array(native.VALUE_CACHE).fill('');
    this.ab = null;
    this.u32 = null;
    this.buf = null;
    this.cur = 0; // word index of the record being delivered
    this.last = -1; // word index of the last EVENT record in this chunk
    this.cType = 0;
    this.cPath = '';
    this.cSeq = 0;
    this.cKind = 0;
    this.cMaster = undefined;
  }
}

/* The value of the EVENT record at word `i`, as a fresh object for one
 * subscriber. */
function eventValue(st, u32, i) {
  const valueId = u32[i + 7];
  if (valueId !== NO_VALUE) return st.values[valueId];
  const meta = u32[i + 6];
  const start = (i + 9) << 2;
  return decodeValue((meta >>> 8) & 0xff, (meta & 0x10000) !== 0, st.buf,
    start, start + u32[i + 8]);
}

/* The event of the EVENT record at word `i`, for one subscriber. */
function eventAt(st, u32, i) {
  const type = u32[i + 6] & 0xff;
  return {
    type: type === 1 ? 'set' : 'delete',
    path: st.paths[u32[i + 3]],
    value: type === 1 ? eventValue(st, u32, i) : undefined,
    seq: u32[i + 4] + u32[i + 5] * 4294967296,
  };
}

/* Keeps what a REPEAT record in the next chunk needs of the EVENT record at
 * word `i` (its bytes will be overwritten). */
function carry(st, u32, i) {
  const meta = u32[i + 6];
  st.cType = meta & 0xff;
  st.cPath = st.paths[u32[i + 3]];
  st.cSeq = u32[i + 4] + u32[i + 5] * 4294967296;
  st.cKind = (meta >>> 8) & 0xff;
  if (st.cType !== 1) {
    st.cMaster = undefined;
  } else if (u32[i + 7] !== NO_VALUE) {
    st.cKind = KIND_STRING;
    st.cMaster = st.values[u32[i + 7]];
  } else {
    const start = (i + 9) << 2;
    st.cMaster = masterOf(st.cKind, (meta & 0x10000) !== 0, st.buf, start,
      start + u32[i + 8]);
  }
}

/* Delivers records [from, end) of the current chunk; returns `end`. A
 * subscriber's exception propagates (deliverChunk() resumes after st.cur). */
function runRecords(st, from, end) {
  const u32 = st.u32;
  const subs = st.subs;
  const gens = st.gens;
  let i = from;
  while (i < end) {
    const w0 = u32[i];
    const op = w0 & 15;
    if (op === OP_EVENT) {
      st.last = i;
      st.cur = i;
      const slot = u32[i + 1];
      const cb = subs[slot];
      if (cb !== undefined && gens[slot] === u32[i + 2]) {
        const ev = eventAt(st, u32, i);
        if (RETAIN_EVENTS) retainedEvents.push(ev);
        cb(ev);
      }
    } else if (op === OP_PATH) {
      const start = (i + 3) << 2;
      st.paths[u32[i + 1]] = textOf(st.buf, false, start, start + u32[i + 2]);
    } else if (op === OP_VALUE) {
      const start = (i + 3) << 2;
      const lenw = u32[i + 2];
      st.values[u32[i + 1]] = textOf(st.buf, (lenw & 0x80000000) !== 0, start,
        start + (lenw & 0x7fffffff));
    } else if (op === OP_REPEAT) {
      st.cur = i;
      const slot = u32[i + 1];
      const cb = subs[slot];
      if (cb !== undefined && gens[slot] === u32[i + 2]) {
        const ev = st.last >= 0 ? eventAt(st, u32, st.last) : {
          type: TYPE_NAMES[st.cType],
          path: st.cPath,
          value: st.cType === 1 ? valueFromMaster(st.cKind, st.cMaster) :
            undefined,
          seq: st.cSeq,
        };
        if (RETAIN_EVENTS) retainedEvents.push(ev);
        cb(ev);
      }
    } else {
      st.cur = -1;
      throw new Error(`evstore: corrupt delivery record (op ${op})`);
    }
    i += w0 >>> 4;
  }
  return i;
}

/* Delivers the records in the first `nbytes` of `arrayBuffer`. An exception
 * thrown by a subscriber does not stop the chunk: every one is kept, in
 * delivery order, and the array of them is returned (null when none threw),
 * so the native side reports each as its own uncaught exception once the
 * chunk is delivered (addon_call_decoder). Returning them, rather than
 * throwing one, is what lets a second error in the same chunk reach the
 * user; the records cost nothing more while nobody throws. */
function deliverChunk(st, arrayBuffer, nbytes) {
  if (arrayBuffer !== st.ab) {
    st.ab = arrayBuffer;
    st.u32 = new Uint32Array(arrayBuffer);
    st.buf = Buffer.from(arrayBuffer);
  }
  const end = nbytes >>> 2;
  let i = 0;
  let errors = null;
  st.last = -1;
  while (i < end) {
    try {
      i = runRecords(st, i, end);
    } catch (err) {
      // A subscriber (or a value's decoding) threw: keep the error, go on
      // with the next record. A corrupt record ends the chunk.
      if (errors === null) errors = [];
      errors.push(err);
      if (st.cur < 0) return errors;
      i = st.cur + (st.u32[st.cur] >>> 4);
    }
  }
  if (st.last >= 0) carry(st, st.u32, st.last);
  return errors;
}

/**
 * Builds the batch decoder of one store: the function its threadsafe
 * function calls with each chunk. It holds the subscriber tables only (never
 * the Store), so an unreferenced store without subscriptions can be
 * collected and its finaliser can close it.
 * @param {{subs: Array<Function|undefined>, gens: number[]}} table
 * @returns {(ab: ArrayBuffer, nbytes: number) => Array<unknown>|null} the
 *   exceptions subscribers threw, in order, or null
 */
function makeDecoder(table) {
  const st = new DecodeState(table);
  return (arrayBuffer, nbytes) => deliverChunk(st, arrayBuffer, nbytes);
}

function makeError(Ctor, code, message) {
  const err = new Ctor(message);
  err.code = code;
  return err;
}

function describe(v) {
  if (v === null) return 'null';
  if (typeof v === 'function') return `function ${v.name || '<anonymous>'}`;
  if (typeof v === 'object') {
    return `an instance of ${v.constructor ? v.constructor.name : 'Object'}`;
  }
  let s = String(v);
  if (s.length > 28) s = s.slice(0, 25) + '...';
  return `type ${typeof v} (${typeof v === 'string' ? `'${s}'` : s})`;
}

function invalidType(name, expected, actual) {
  return makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
    `The "${name}" argument must be ${expected}. Received ${describe(actual)}`);
}

/* Passed by this module to the constructors that index.d.ts marks private.
 * User code cannot obtain it, so it cannot build a Subscription naming
 * another subscriber's slot (and detach it), an Observable on an unchecked
 * pattern, or a Worker or RawStatus around a foreign handle. */
const INTERNAL = Symbol('evstore.internal');

function illegalConstructor() {
  return makeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
}

function closedError(what) {
  return makeError(Error, 'ERR_EVS_CLOSED', `${what}: the store is closed`);
}

function checkPositiveInt(name, v, max, allowZero) {
  if (typeof v !== 'number') {
    throw invalidType(name, 'of type number', v);
  }
  const min = allowZero ? 0 : 1;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw makeError(RangeError, 'ERR_OUT_OF_RANGE',
      `The value of "${name}" is out of range. It must be an integer >= ` +
      `${min} and <= ${max}. Received ${v}`);
  }
}

/**
 * @typedef {'block'|'drop'} OverflowPolicy
 * @typedef {{queueSlots?: number, valueRingBytes?: number,
 *   overflow?: OverflowPolicy}} StoreOptions
 * @typedef {string|Buffer|Uint8Array|object|number|boolean|null} Value
 * @typedef {{type: 'set'|'delete', path: string, value: Value|undefined,
 *   seq: number}} StoreEvent
 * @typedef {{pending: number, processed: number, dropped: number,
 *   highWater: number, slotWraps: number, valueWraps: number,
 *   valueBytesInUse: number}} QueueStats
 */

/** A live subscription; see {@link Observable#subscribe}. */
class Subscription {
  /**
   * Not for user code: throws TypeError 'Illegal constructor' (code
   * ERR_ILLEGAL_CONSTRUCTOR). Subscriptions come from subscribe().
   * @private
   */
  constructor(token, store, slot, gen) {
    if (token !== INTERNAL) throw illegalConstructor();
    /** @private */ this._store = store;
    /** @private */ this._slot = slot;
    /** @private */ this._gen = gen;
    /** @private */ this._closed = false;
    /** @private @type {Array<() => void>} */ this._teardowns = [];
  }

  /** True once unsubscribed (explicitly, by take(), or by close()). */
  get closed() {
    return this._closed;
  }

  /**
   * Stops delivery to this subscriber. Idempotent. After it returns the
   * callback is never called again, not even for events already batched.
   */
  unsubscribe() {
    if (this._closed) return;
    this._store._detach(this, true);
  }
}

/**
 * A stream of store events matching a pattern, with operators. Each
 * subscribe() creates one core subscription; operators run in JavaScript.
 */
class Observable {
  /**
   * Not for user code: throws TypeError 'Illegal constructor' (code
   * ERR_ILLEGAL_CONSTRUCTOR). Observables come from watch() and operators.
   * @private
   */
  constructor(token, store, pattern, ops) {
    if (token !== INTERNAL) throw illegalConstructor();
    /** @private */ this._store = store;
    /** @private */ this._pattern = pattern;
    /** @private */ this._ops = ops;
  }

  /**
   * Calls `fn` with each matching event, in sequence order. An exception
   * thrown by `fn` (or by an operator's function) stops nothing: the other
   * subscribers and the later events are delivered, and every exception is
   * reported as its own 'uncaughtException', in delivery order, once the
   * batch being delivered is done (so without a handler the process ends at
   * the first, as with an EventEmitter listener's).
   * @param {(event: StoreEvent) => void} fn
   * @returns {Subscription}
   */
  subscribe(fn) {
    if (typeof fn !== 'function') {
      throw invalidType('fn', 'of type function', fn);
    }
    return this._store._attach(this._pattern, this._ops, fn);
  }

  /**
   * Delivers at most `n` events, then unsubscribes by itself.
   * @param {number} n integer >= 0
   * @returns {Observable}
   */
  take(n) {
    checkPositiveInt('n', n, Number.MAX_SAFE_INTEGER, true);
    return this._with({ op: 'take', n });
  }

  /**
   * Emits an event only after `ms` milliseconds without a newer one (the
   * newest wins).
   * @param {number} ms integer >= 0
   * @returns {Observable}
   */
  debounce(ms) {
    checkPositiveInt('ms', ms, 2147483647, true);
    return this._with({ op: 'debounce', ms });
  }

  /**
   * Keeps the events for which `pred` returns a truthy value.
   * @param {(event: any) => unknown} pred
   * @returns {Observable}
   */
  filter(pred) {
    if (typeof pred !== 'function') {
      throw invalidType('pred', 'of type function', pred);
    }
    return this._with({ op: 'filter', fn: pred });
  }

  /**
   * Replaces each event by `fn(event)`.
   * @param {(event: any) => any} fn
   * @returns {Observable}
   */
  map(fn) {
    if (typeof fn !== 'function') {
      throw invalidType('fn', 'of type function', fn);
    }
    return this._with({ op: 'map', fn });
  }

  /** @private */
  _with(op) {
    return new Observable(INTERNAL, this._store, this._pattern,
      [...this._ops, op]);
  }
}

/* Builds the operator chain of one subscription, last operator first. Each
 * stage is {next(ev), complete()}; complete() flushes a pending debounce
 * before take() unsubscribes. */
function buildChain(ops, fn, sub) {
  let stage = { next: fn, complete() {} };
  for (let k = ops.length - 1; k >= 0; k--) {
    const op = ops[k];
    const down = stage;
    switch (op.op) {
      case 'map':
        stage = { next: (ev) => down.next(op.fn(ev)), complete: down.complete };
        break;
      case 'filter':
        stage = {
          next: (ev) => { if (op.fn(ev)) down.next(ev); },
          complete: down.complete,
        };
        break;
      case 'take': {
        let left = op.n;
        stage = {
          next: (ev) => {
            if (left <= 0) return;
            left--;
            down.next(ev);
            if (left === 0) { down.complete(); sub.unsubscribe(); }
          },
          complete: down.complete,
        };
        if (left === 0) sub._takeZero = true;
        break;
      }
      case 'debounce': {
        let timer = null;
        let pending = false;
        let last;
        let due = 0;
        const fire = () => {
          const wait = due - Date.now();
          if (wait > 0) { timer = setTimeout(fire, wait); return; }
          timer = null;
          if (!pending) return;
          pending = false;
          const ev = last;
          last = undefined;
          down.next(ev);
        };
        stage = {
          next: (ev) => {
            last = ev;
            pending = true;
            due = Date.now() + op.ms;
            if (timer === null) timer = setTimeout(fire, op.ms);
          },
          complete: () => {
            if (timer !== null) { clearTimeout(timer); timer = null; }
            if (pending) {
              pending = false;
              const ev = last;
              last = undefined;
              down.next(ev);
            }
            down.complete();
          },
        };
        sub._teardowns.push(() => {
          if (timer !== null) { clearTimeout(timer); timer = null; }
          pending = false;
          last = undefined;
        });
        break;
      }
      default:
        throw new Error(`evstore: unknown operator ${op.op}`);
    }
  }
  return stage.next;
}

/** An evstore store: a path-keyed map whose writes become events. */
class Store {
  /**
   * Opens a store and starts its dispatcher thread.
   * @param {StoreOptions} [options]
   */
  constructor(options) {
    if (options !== undefined &&
        (options === null || typeof options !== 'object')) {
      throw invalidType('options', 'of type object', options);
    }
    const opts = options || {};
    for (const key of ['queueSlots', 'valueRingBytes']) {
      if (opts[key] !== undefined && typeof opts[key] !== 'number') {
        throw invalidType(`options.${key}`, 'of type number', opts[key]);
      }
    }
    if (opts.overflow !== undefined && typeof opts.overflow !== 'string') {
      throw invalidType('options.overflow', "'block' or 'drop'",
        opts.overflow);
    }
    /** @private */ this._table = { subs: [], gens: [] };
    /** @private */ this._free = [];
    /** @private @type {Set<Subscription>} */ this._active = new Set();
    /** @private */ this._closed = false;
    /** @private */ this._h = native.storeOpen(opts, makeDecoder(this._table),
      new ArrayBuffer(native.JS_BUFFER_BYTES));
  }

  /** True once close() ran (or the environment closed the store). */
  get closed() {
    return this._closed || !native.storeIsOpen(this._h);
  }

  /** @private */
  _check(what) {
    if (this._closed) throw closedError(what);
  }

  /**
   * Stores `value` at `path` and emits a 'set' event. A value is stored
   * losslessly or refused: get() and events return a value deep-equal to it
   * (same kind, prototype, keys and numbers). Strings (any, unpaired
   * surrogates included), Buffers and plain Uint8Arrays are stored as they
   * are; null, booleans, finite numbers other than -0, plain objects and
   * dense arrays of those as JSON. Anything JSON would change is refused
   * with a TypeError naming where it is: code ERR_INVALID_ARG_VALUE for
   * NaN, Infinity, -0, array holes and properties JSON drops, code
   * ERR_INVALID_ARG_TYPE for undefined, functions, symbols, BigInts and
   * objects that are not plain (Date, Map, class instances, nested Buffers).
   * @param {string} path '/'-separated, at most 255 bytes of UTF-8, no
   *   unpaired surrogate (RangeError ERR_EVS_BAD_PATH)
   * @param {Value} value
   */
  set(path, value) {
    this._check('set()');
    if (typeof path !== 'string') throw invalidType('path', 'of type string', path);
    if (typeof value === 'string') {
      if (isWellFormed(value)) {
        native.storeSet(this._h, path, value, KIND_STRING);
      } else {
        // UTF-8 cannot hold an unpaired surrogate (it would come back as
        // U+FFFD); JSON text escapes it as \uXXXX and parses back exactly.
        native.storeSet(this._h, path, JSON.stringify(value), KIND_JSON);
      }
    } else if (value instanceof Uint8Array) {
      const proto = Object.getPrototypeOf(value);
      if (proto === Buffer.prototype) {
        native.storeSet(this._h, path, value, KIND_BUFFER);
      } else if (proto === Uint8Array.prototype) {
        native.storeSet(this._h, path, value, KIND_UINT8ARRAY);
      } else {
        // A subclass would come back as its base class.
        throw lossError(TypeError, 'ERR_INVALID_ARG_TYPE', 'value',
          `is ${describe(value)}, a subclass (it would come back as a ` +
          'plain Buffer or Uint8Array)');
      }
    } else {
      native.storeSet(this._h, path, toJson(value), KIND_JSON);
    }
  }

  /**
   * Returns the value at `path` (a copy), or undefined.
   * @param {string} path
   * @returns {Value|undefined}
   */
  get(path) {
    this._check('get()');
    if (typeof path !== 'string') throw invalidType('path', 'of type string', path);
    return native.storeGet(this._h, path);
  }

  /**
   * Removes the value at `path`; emits a 'delete' event if there was one.
   * @param {string} path
   * @returns {boolean} whether a value was removed
   */
  delete(path) {
    this._check('delete()');
    if (typeof path !== 'string') throw invalidType('path', 'of type string', path);
    return native.storeDelete(this._h, path);
  }

  /**
   * Events whose path matches `pattern` ('*' one segment, trailing '**' any
   * depth).
   * @param {string} pattern
   * @returns {Observable}
   */
  watch(pattern) {
    this._check('watch()');
    if (typeof pattern !== 'string') {
      throw invalidType('pattern', 'of type string', pattern);
    }
    native.patternValidate(pattern);
    return new Observable(INTERNAL, this, pattern, []);
  }

  /** @returns {QueueStats} */
  getEventQueueStats() {
    this._check('getEventQueueStats()');
    return native.storeStats(this._h);
  }

  /**
   * Closes the store: every subscription ends, undelivered events are
   * discarded (no callback runs after close() returns), workers stop, the
   * dispatcher thread is joined. Idempotent; afterwards every other method
   * throws an Error with code 'ERR_EVS_CLOSED'. Allowed inside a callback.
   */
  close() {
    if (this._closed) return;
    this._closed = true;
    for (const sub of this._active) this._detach(sub, false);
    native.storeClose(this._h);
  }

  /** @private */
  _attach(pattern, ops, fn) {
    this._check('subscribe()');
    const table = this._table;
    const slot = this._free.length > 0 ? this._free.pop() : table.subs.length;
    const gen = ((table.gens[slot] || 0) + 1) >>> 0;
    const sub = new Subscription(INTERNAL, this, slot, gen);
    const sink = ops.length === 0 ? fn : buildChain(ops, fn, sub);
    if (sub._takeZero) {
      // take(0): complete at once, without a core subscription.
      sub._closed = true;
      this._free.push(slot);
      return sub;
    }
    try {
      native.storeSubscribe(this._h, pattern, slot, gen);
    } catch (err) {
      this._free.push(slot);
      throw err;
    }
    if (slot === table.subs.length) {
      table.subs.push(sink);
      table.gens.push(gen);
    } else {
      table.subs[slot] = sink;
      table.gens[slot] = gen;
    }
    this._active.add(sub);
    return sub;
  }

  /** @private */
  _detach(sub, native_) {
    // Only a live subscription of this store: anything else (a detached one,
    // an object dressed up as one) must not free a slot another subscriber
    // holds, nor push a slot onto the free list twice.
    if (!this._active.has(sub)) return;
    sub._closed = true;
    this._table.subs[sub._slot] = undefined;
    this._active.delete(sub);
    for (const t of sub._teardowns) t();
    sub._teardowns.length = 0;
    if (native_ && !this._closed) {
      native.storeUnsubscribe(this._h, sub._slot, sub._gen);
    }
    this._free.push(sub._slot);
  }
}

/* Whether a string has no unpaired surrogate (String#isWellFormed, node 20;
 * a regular expression on older versions). */
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = typeof String.prototype.isWellFormed === 'function' ?
  (str) => str.isWellFormed() : (str) => !LONE_SURROGATE.test(str);

function lossError(Ctor, code, where, what) {
  return makeError(Ctor, code,
    `The "value" argument cannot be stored without loss: ${where} ${what}`);
}

function numberText(n) {
  return Object.is(n, -0) ? '-0' : String(n);
}

/* Why JSON.parse(JSON.stringify(v)) would not be deep-equal to `v`, or null
 * when it would be. `v` was accepted by JSON.stringify, so it is acyclic.
 * The answer is {Ctor, code, what, keys}, `keys` innermost first; it is
 * built only on failure, so an accepted value costs one walk and no
 * strings. */
function jsonLoss(v) {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      if (v - v === 0 && (v !== 0 || 1 / v > 0)) return null;
      return { Ctor: TypeError, code: 'ERR_INVALID_ARG_VALUE', keys: [],
        what: `is ${numberText(v)} (JSON has no NaN, Infinity or -0)` };
    case 'object': {
      if (v === null) return null;
      const proto = Object.getPrototypeOf(v);
      let keys;
      if (proto === Array.prototype) {
        const n = v.length;
        for (let i = 0; i < n; i++) {
          if (!(i in v)) {
            return { Ctor: TypeError, code: 'ERR_INVALID_ARG_VALUE', keys: [i],
              what: 'is an array hole (JSON would make it null)' };
          }
          const r = jsonLoss(v[i]);
          if (r !== null) { r.keys.push(i); return r; }
        }
        keys = Object.keys(v);
        if (keys.length !== n) {
          const extra = keys.find((k) => !(String(k >>> 0) === k && (k >>> 0) < n));
          return { Ctor: TypeError, code: 'ERR_INVALID_ARG_VALUE', keys: [],
            what: `has the property ${JSON.stringify(extra)}, which is not ` +
              'an index (JSON drops it)' };
        }
      } else if (proto === Object.prototype) {
        keys = Object.keys(v);
        for (let i = 0; i < keys.length; i++) {
          const r = jsonLoss(v[keys[i]]);
          if (r !== null) { r.keys.push(keys[i]); return r; }
        }
      } else {
        return { Ctor: TypeError, code: 'ERR_INVALID_ARG_TYPE', keys: [],
          what: `is ${proto === null ? 'an object with a null prototype' :
            describe(v)} (only plain objects and arrays are stored as JSON)` };
      }
      const syms = Object.getOwnPropertySymbols(v);
      for (let i = 0; i < syms.length; i++) {
        if (Object.prototype.propertyIsEnumerable.call(v, syms[i])) {
          return { Ctor: TypeError, code: 'ERR_INVALID_ARG_VALUE', keys: [],
            what: `has the symbol-keyed property ${String(syms[i])} ` +
              '(JSON drops it)' };
        }
      }
      return null;
    }
    default: // undefined, function, symbol, bigint
      return { Ctor: TypeError, code: 'ERR_INVALID_ARG_TYPE', keys: [],
        what: `is ${typeof v === 'function' ? describe(v) : typeof v === 'undefined' ?
          'undefined' : `of type ${typeof v}`} (JSON drops or refuses it)` };
  }
}

/* 'value', then .name or ["odd key"] or [index] for each key, outermost
 * first. */
function wherePath(keys) {
  let where = 'value';
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i];
    if (typeof k === 'number') where += `[${k}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(k)) where += `.${k}`;
    else where += `[${JSON.stringify(k)}]`;
  }
  return where;
}

/* The JSON text of a value set() stores as JSON; throws unless the text
 * parses back to a deep-equal value. */
function toJson(value) {
  const t = typeof value;
  if (t === 'undefined' || t === 'function' || t === 'symbol' ||
      t === 'bigint' || ArrayBuffer.isView(value) ||
      value instanceof ArrayBuffer) {
    throw invalidType('value',
      'a string, Buffer, Uint8Array or JSON-able value', value);
  }
  let json;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    const err = makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "value" argument is not JSON-able: ${cause.message}`);
    err.cause = cause;
    throw err;
  }
  if (json === undefined) {
    throw invalidType('value', 'JSON-able (JSON.stringify returned undefined)',
      value);
  }
  const loss = jsonLoss(value);
  if (loss !== null) {
    throw lossError(loss.Ctor, loss.code, wherePath(loss.keys), loss.what);
  }
  return json;
}

/**
 * @typedef {{namespace: string, capacity?: number}} WorkerConfig
 * @typedef {{running: boolean, pendingCount: number, inFlight: number,
 *   completed: number, failed: number, dropped: number}} WorkerStatus
 * @typedef {{id: number, seq: number, type: 'set'|'delete', path: string,
 *   value: Value|undefined}} StepEvent
 */

/** The C string returned by the manual status handoff (statusRaw()). */
class RawStatus {
  /**
   * Not for user code: throws TypeError 'Illegal constructor' (code
   * ERR_ILLEGAL_CONSTRUCTOR). RawStatus handles come from statusRaw().
   * @private
   */
  constructor(token, handle) {
    if (token !== INTERNAL) throw illegalConstructor();
    /** @private */ this._h = handle;
  }

  /**
   * Copies the C string into a JS string. Throws code 'ERR_EVS_FREED' after
   * free().
   * @returns {string}
   */
  read() {
    return native.rawRead(this._h);
  }

  /**
   * Releases the C string (evs_string_free). A second call throws code
   * 'ERR_EVS_FREED' instead of freeing twice.
   */
  free() {
    native.rawFree(this._h);
  }
}

/** A pull-model worker: matching events become step events with ids. */
class Worker {
  /**
   * Not for user code: throws TypeError 'Illegal constructor' (code
   * ERR_ILLEGAL_CONSTRUCTOR). Workers come from Worker.bootstrap().
   * @private
   */
  constructor(token, store, handle) {
    if (token !== INTERNAL) throw illegalConstructor();
    /** @private */ this._store = store;
    /** @private */ this._h = handle;
  }

  /**
   * Starts a worker on an open store.
   * @param {Store} store
   * @param {WorkerConfig} config namespace pattern; capacity (default 1024)
   *   bounds pending + in-flight step events (further ones are dropped)
   * @returns {Worker}
   */
  static bootstrap(store, config) {
    if (!(store instanceof Store)) {
      throw invalidType('store', 'an instance of Store', store);
    }
    if (config === null || typeof config !== 'object') {
      throw invalidType('config', 'of type object', config);
    }
    if (typeof config.namespace !== 'string') {
      throw invalidType('config.namespace', 'of type string', config.namespace);
    }
    const capacity = config.capacity === undefined ? 1024 : config.capacity;
    if (typeof capacity !== 'number') {
      throw invalidType('config.capacity', 'of type number', capacity);
    }
    store._check('Worker.bootstrap()');
    return new Worker(INTERNAL, store,
      native.workerBootstrap(store._h, config.namespace, capacity));
  }

  /**
   * Counters; after stop() (or the store's close) the final ones, with
   * running false.
   * @returns {WorkerStatus}
   */
  status() {
    return native.workerStatus(this._h);
  }

  /**
   * Takes up to `max` pending step events (oldest first); they become in
   * flight until completed.
   * @param {number} [max=256] integer in [1, 16777216]
   * @returns {StepEvent[]}
   */
  pollStepEvents(max) {
    const ab = native.workerPoll(this._h, max === undefined ? 256 : max);
    return ab === undefined ? [] : decodeStepEvents(ab);
  }

  /**
   * Acknowledges an in-flight step event.
   * @param {number} id
   * @param {{ok: true}|{error: string}} result exactly one of the two:
   *   an object with both `ok` and `error` throws TypeError
   *   ERR_INVALID_ARG_VALUE
   */
  completeStepEvent(id, result) {
    if (typeof id !== 'number') throw invalidType('id', 'of type number', id);
    if (result === null || typeof result !== 'object') {
      throw invalidType('result', "{ ok: true } or { error: 'message' }",
        result);
    }
    let error = null;
    if (result.error !== undefined && result.ok !== undefined) {
      // {ok: true, error: 'x'}: success or failure? Refused, not guessed.
      throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE',
        "The \"result\" argument must be { ok: true } or { error: 'message' }" +
        ', not both: it has ok and error');
    }
    if (result.error !== undefined) {
      if (typeof result.error !== 'string') {
        throw invalidType('result.error', 'of type string', result.error);
      }
      error = result.error;
    } else if (result.ok !== true) {
      throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE',
        "The \"result\" argument must be { ok: true } or { error: 'message' }");
    }
    native.workerComplete(this._h, id, error);
  }

  /**
   * Stops the worker and releases its native state; step events still
   * pending or in flight are discarded. Idempotent. Afterwards status()
   * returns the final counters and the other methods throw code
   * 'ERR_EVS_WORKER_STOPPED'.
   */
  stop() {
    native.workerStop(this._h);
  }

  /**
   * The manual pattern: a handle to a C string holding the status as JSON.
   * The caller must free() it exactly once (a forgotten one is released
   * when the handle is garbage collected).
   * @returns {RawStatus}
   */
  statusRaw() {
    return new RawStatus(INTERNAL, native.workerStatusRaw(this._h));
  }
}

function decodeStepEvents(ab) {
  const u32 = new Uint32Array(ab);
  const buf = Buffer.from(ab);
  const out = [];
  const end = ab.byteLength >>> 2;
  let i = 0;
  while (i < end) {
    const type = u32[i + 4];
    const kind = u32[i + 5] & 0xff;
    const ascii = (u32[i + 5] & 0x100) !== 0;
    const plen = u32[i + 6];
    const vlen = u32[i + 7];
    const pstart = (i + 8) << 2;
    const vstart = pstart + ((plen + 3) & ~3);
    out.push({
      id: u32[i] + u32[i + 1] * 4294967296,
      seq: u32[i + 2] + u32[i + 3] * 4294967296,
      type: TYPE_NAMES[type],
      path: buf.toString('utf8', pstart, pstart + plen),
      value: type === 1 ? decodeValue(kind, ascii, buf, vstart, vstart + vlen)
        : undefined,
    });
    i = (vstart + ((vlen + 3) & ~3)) >>> 2;
  }
  return out;
}

/**
 * @typedef {{liveBytes: number, liveBlocks: number, peakBytes: number,
 *   stores: number, subscriptions: number, tsfns: number, workers: number,
 *   threads: number, mallocInUse: number}} NativeStats
 */

/**
 * Process-wide counters for leak checks: the core's allocation counters and
 * threads, the addon's live handles (open stores, native subscriptions,
 * unreleased threadsafe functions, live workers) and the C heap in use.
 * @returns {NativeStats}
 */
function nativeStats() {
  return native.nativeStats();
}

module.exports = { Store, Worker, Observable, Subscription, RawStatus,
  nativeStats };
/* Internal, for addon/bench and tests only: not part of the API. */
Object.defineProperty(module.exports, '_internal', {
  enumerable: false,
  value: {
    native,
    benchWrite: (store, count, paths, values, threaded) =>
      native._benchWrite(store._h, count, paths, values, threaded),
    benchJoin: (store) => native._benchJoin(store._h),
    retainedEvents,
  },
});
