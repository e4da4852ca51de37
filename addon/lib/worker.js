'use strict';
/* The pull-model Worker, its step-event decoder (wire format,
 * addon/src/wire.h) and RawStatus, the manual C-string handoff. */

const { native } = require('./native');
const {
  TYPE_SET, TYPE_NAMES, BYTE_MASK, STEP_ID_LO, STEP_ID_HI, STEP_SEQ_LO,
  STEP_SEQ_HI, STEP_TYPE, STEP_META, STEP_PATH_LEN, STEP_VALUE_LEN,
  STEP_WORDS, STEP_ASCII,
} = require('./wire');
const { decodeValue } = require('./values');
const { makeError, invalidType, INTERNAL, illegalConstructor } =
  require('./errors');
const { Store } = require('./store');

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
    const type = u32[i + STEP_TYPE];
    const kind = u32[i + STEP_META] & BYTE_MASK;
    const ascii = (u32[i + STEP_META] & STEP_ASCII) !== 0;
    const plen = u32[i + STEP_PATH_LEN];
    const vlen = u32[i + STEP_VALUE_LEN];
    const pstart = (i + STEP_WORDS) << 2;
    const vstart = pstart + ((plen + 3) & ~3);
    out.push({
      id: u32[i + STEP_ID_LO] + u32[i + STEP_ID_HI] * 4294967296,
      seq: u32[i + STEP_SEQ_LO] + u32[i + STEP_SEQ_HI] * 4294967296,
      type: TYPE_NAMES[type],
      path: buf.toString('utf8', pstart, pstart + plen),
      value: type === TYPE_SET ? decodeValue(kind, ascii, buf, vstart, vstart + vlen)
        : undefined,
    });
    i = (vstart + ((vlen + 3) & ~3)) >>> 2;
  }
  return out;
}

module.exports = { Worker, RawStatus };
