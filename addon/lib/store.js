'use strict';
/* The Store class: set/get/delete, watch() and subscriptions, close(). */

const { native } = require('./native');
const { KIND_STRING, KIND_BUFFER, KIND_UINT8ARRAY, KIND_JSON } =
  require('./wire');
const { makeDecoder } = require('./decoder');
const { describe, invalidType, INTERNAL, closedError } = require('./errors');
const { Subscription, Observable, buildChain } = require('./operators');
const { isWellFormed, lossError, toJson } = require('./json');

/**
 * @typedef {'block'|'drop'} OverflowPolicy
 * @typedef {{queueSlots?: number, valueRingBytes?: number,
 *   overflow?: OverflowPolicy}} StoreOptions
 * @typedef {string|Buffer|Uint8Array|object|number|boolean|null} Value
 * @typedef {{type: 'set'|'delete', path: string, value: Value|undefined,
 *   seq: number}} StoreEvent
 * @typedef {{pending: number, processed: number, dropped: number,
 *   highWater: number, slotWraps: number, valueWraps: number,
 *   valueBytesInUse: number, consumerPolls: number, consumerSleeps: number,
 *   producerPolls: number, producerSleeps: number}} QueueStats
 */

function subclassError(value) {
  // A subclass would come back as its base class.
  return lossError(TypeError, 'ERR_INVALID_ARG_TYPE', 'value',
    `is ${describe(value)}, a subclass (it would come back as a ` +
    'plain Buffer or Uint8Array)');
}

/* kindOf's answer for a string with an unpaired surrogate: stored as
 * KIND_JSON (UTF-8 cannot hold the surrogate; JSON text escapes it as
 * \uXXXX and parses back exactly). */
const KIND_LONE_SURROGATES = -1;

/* setMany() hands at most this many entries to one native call, and ends a
 * call's text (its paths and string values) once it reaches MANY_UNITS
 * UTF-16 units: bounds on the native side's copy of the text. */
const MANY_ENTRIES = 4096;
const MANY_UNITS = 1 << 20;

/* The setter kind set() and setMany() store `value` with: KIND_STRING,
 * KIND_BUFFER, KIND_UINT8ARRAY (the value as it is), KIND_JSON or
 * KIND_LONE_SURROGATES (jsonOf's text). Throws for a Buffer or Uint8Array
 * subclass. */
function kindOf(value) {
  if (typeof value === 'string') {
    return isWellFormed(value) ? KIND_STRING : KIND_LONE_SURROGATES;
  }
  if (value instanceof Uint8Array) {
    const proto = Object.getPrototypeOf(value);
    if (proto === Buffer.prototype) return KIND_BUFFER;
    if (proto === Uint8Array.prototype) return KIND_UINT8ARRAY;
    throw subclassError(value);
  }
  return KIND_JSON;
}

/* The JSON text stored for a value of kind KIND_JSON or
 * KIND_LONE_SURROGATES; throws what toJson throws for what JSON would
 * change. */
function jsonOf(kind, value) {
  return kind === KIND_LONE_SURROGATES ? JSON.stringify(value) : toJson(value);
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
    // The write functions bound to this store (no handle to pass and check).
    const bound = native.storeBind(this._h);
    /** @private */ this._setString = bound.setters[KIND_STRING];
    /** @private */ this._setJson = bound.setters[KIND_JSON];
    /** @private */ this._setBuffer = bound.setters[KIND_BUFFER];
    /** @private */ this._setUint8Array = bound.setters[KIND_UINT8ARRAY];
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
    const kind = kindOf(value);
    switch (kind) {
      case KIND_STRING: this._setString(path, value); break;
      case KIND_BUFFER: this._setBuffer(path, value); break;
      case KIND_UINT8ARRAY: this._setUint8Array(path, value); break;
      default: this._setJson(path, jsonOf(kind, value));
    }
  }

  /**
   * Writes every [path, value] pair of `entries` in order, as that many
   * set() calls would (same checks, same stored values, one 'set' event per
   * entry, in order), in fewer native calls and store-lock holds: for
   * batches of writes made from JavaScript. Entries are not atomic: the
   * first bad entry (an entry that is not an array, a path that is not a
   * string or that the store refuses, a value set() refuses) throws the
   * error set() would throw, with `index` set to its position in
   * `entries`; every entry before it has been written (and its event
   * emitted), it and every entry after it have not. An empty array writes
   * nothing.
   * @param {Array<[string, Value]>} entries
   */
  setMany(entries) {
    this._check('setMany()');
    if (!Array.isArray(entries)) {
      throw invalidType('entries', 'an array of [path, value] pairs', entries);
    }
    const n = entries.length;
    // Per native call (at most MANY_ENTRIES entries): every path and string
    // value concatenated into one string (one Node-API read instead of two
    // per entry), meta = [path units, kind, value units or index in bufs]
    // per entry, bufs = the binary values.
    let meta = null;
    let text = '';
    let bufs = [];
    let first = 0;
    let i = 0;
    let bad = null;
    for (; i < n; i++) {
      if (i - first === MANY_ENTRIES || text.length >= MANY_UNITS) {
        native.storeSetMany(this._h, text, meta, bufs, i - first, entries, first);
        text = '';
        bufs = [];
        first = i;
      }
      const e = entries[i];
      if (!Array.isArray(e)) {
        bad = invalidType(`entries[${i}]`, 'a [path, value] array', e);
        break;
      }
      const path = e[0];
      const value = e[1];
      if (typeof path !== 'string') {
        bad = invalidType('path', 'of type string', path);
        break;
      }
      let kind;
      let str;
      try {
        kind = kindOf(value);
        str = kind === KIND_STRING ? value
          : kind === KIND_BUFFER || kind === KIND_UINT8ARRAY ? null
            : jsonOf(kind, value);
      } catch (err) {
        bad = err;
        break;
      }
      if (meta === null) meta = new Uint32Array(3 * Math.min(n, MANY_ENTRIES));
      const k = 3 * (i - first);
      meta[k] = path.length;
      text += path;
      if (str === null) {
        meta[k + 1] = kind;
        meta[k + 2] = bufs.length;
        bufs.push(value);
      } else {
        meta[k + 1] = kind === KIND_STRING ? KIND_STRING : KIND_JSON;
        meta[k + 2] = str.length;
        text += str;
      }
    }
    // Writes entries [first, i); throws (with `index`) at the first one the
    // store refuses.
    if (i > first) native.storeSetMany(this._h, text, meta, bufs, i - first, entries, first);
    if (bad !== null) {
      if (typeof bad === 'object') bad.index = i;
      throw bad;
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

module.exports = { Store };
