'use strict';
/* The batch decoder: turns the records of one delivery batch (wire format,
 * addon/src/wire.h) into events and calls the subscribers in sequence
 * order. */

const { native } = require('./native');
const {
  OP_PATH, OP_VALUE, OP_EVENT, OP_REPEAT, OP_MASK, SIZE_SHIFT, BYTE_MASK,
  KIND_STRING, TYPE_SET, TYPE_NAMES, NO_VALUE_ID, DEF_ID, DEF_LEN, DEF_WORDS,
  DEF_ASCII, DEF_LEN_MASK, EV_SLOT, EV_GEN, EV_PATH_ID, EV_SEQ_LO, EV_SEQ_HI,
  EV_META, EV_VALUE_ID, EV_VALUE_LEN, EVENT_WORDS, META_KIND_SHIFT,
  META_ASCII, REPEAT_SLOT, REPEAT_GEN,
} = require('./wire');
const { textOf, decodeValue, masterOf, valueFromMaster } = require('./values');

/* Planted defect `retain-js-events` (fault builds, EVS_FAULT): every event
 * object delivered is kept here forever, so heapUsed grows. */
const RETAIN_EVENTS = native.faultNamed('retain-js-events');
const retainedEvents = [];

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
  const valueId = u32[i + EV_VALUE_ID];
  if (valueId !== NO_VALUE_ID) return st.values[valueId];
  const meta = u32[i + EV_META];
  const start = (i + EVENT_WORDS) << 2;
  return decodeValue((meta >>> META_KIND_SHIFT) & BYTE_MASK,
    (meta & META_ASCII) !== 0, st.buf, start, start + u32[i + EV_VALUE_LEN]);
}

/* The event of the EVENT record at word `i`, for one subscriber. */
function eventAt(st, u32, i) {
  const type = u32[i + EV_META] & BYTE_MASK;
  return {
    type: type === TYPE_SET ? 'set' : 'delete',
    path: st.paths[u32[i + EV_PATH_ID]],
    value: type === TYPE_SET ? eventValue(st, u32, i) : undefined,
    seq: u32[i + EV_SEQ_LO] + u32[i + EV_SEQ_HI] * 4294967296,
  };
}

/* Keeps what a REPEAT record in the next chunk needs of the EVENT record at
 * word `i` (its bytes will be overwritten). */
function carry(st, u32, i) {
  const meta = u32[i + EV_META];
  st.cType = meta & BYTE_MASK;
  st.cPath = st.paths[u32[i + EV_PATH_ID]];
  st.cSeq = u32[i + EV_SEQ_LO] + u32[i + EV_SEQ_HI] * 4294967296;
  st.cKind = (meta >>> META_KIND_SHIFT) & BYTE_MASK;
  if (st.cType !== TYPE_SET) {
    st.cMaster = undefined;
  } else if (u32[i + EV_VALUE_ID] !== NO_VALUE_ID) {
    st.cKind = KIND_STRING;
    st.cMaster = st.values[u32[i + EV_VALUE_ID]];
  } else {
    const start = (i + EVENT_WORDS) << 2;
    st.cMaster = masterOf(st.cKind, (meta & META_ASCII) !== 0, st.buf, start,
      start + u32[i + EV_VALUE_LEN]);
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
    const op = w0 & OP_MASK;
    if (op === OP_EVENT) {
      st.last = i;
      st.cur = i;
      const slot = u32[i + EV_SLOT];
      const cb = subs[slot];
      if (cb !== undefined && gens[slot] === u32[i + EV_GEN]) {
        const ev = eventAt(st, u32, i);
        if (RETAIN_EVENTS) retainedEvents.push(ev);
        cb(ev);
      }
    } else if (op === OP_PATH) {
      const start = (i + DEF_WORDS) << 2;
      st.paths[u32[i + DEF_ID]] = textOf(st.buf, false, start,
        start + u32[i + DEF_LEN]);
    } else if (op === OP_VALUE) {
      const start = (i + DEF_WORDS) << 2;
      const lenw = u32[i + DEF_LEN];
      st.values[u32[i + DEF_ID]] = textOf(st.buf, (lenw & DEF_ASCII) !== 0,
        start, start + (lenw & DEF_LEN_MASK));
    } else if (op === OP_REPEAT) {
      st.cur = i;
      const slot = u32[i + REPEAT_SLOT];
      const cb = subs[slot];
      if (cb !== undefined && gens[slot] === u32[i + REPEAT_GEN]) {
        const ev = st.last >= 0 ? eventAt(st, u32, st.last) : {
          type: TYPE_NAMES[st.cType],
          path: st.cPath,
          value: st.cType === TYPE_SET ? valueFromMaster(st.cKind, st.cMaster) :
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
    i += w0 >>> SIZE_SHIFT;
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
      i = st.cur + (st.u32[st.cur] >>> SIZE_SHIFT);
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

module.exports = { makeDecoder, retainedEvents };
