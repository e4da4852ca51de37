'use strict';
/*
 * The peers of evstore's "native writer -> JS" delivery in bench/pipeline.js:
 * what a user would pick instead of evstore to get events produced off the
 * JS thread into a JS callback. Each run delivers the same events as
 * evstore's bench writer (event i = PATHS[i % NPATHS], VALUES[i % NPATHS]),
 * as a {type, path, value, seq} object to the same subscriber (common.js
 * makeSink), is timed over the same last three quarters of its events, and
 * fails unless the subscriber got exactly the n expected events (count,
 * checksum of paths and values, sampled contents, last seq). Each resolves
 * to {rate, cpuNs} (common.js Window).
 *
 *  tsfnRun(n)        native writer thread, one napi_call_threadsafe_function
 *                    per event (bench/peers.c), queue of TSFN_QUEUE events
 *                    (evstore's bench store has 4096 queue slots).
 *  postRun(n, batch) a Worker posts the events: one message per event
 *                    (batch 1) or POST_BATCH events per message; at most
 *                    POST_WINDOW events (at least 4 messages) in flight.
 *  ringRun(n)        a Worker writes encoded events into an SPSC ring in a
 *                    SharedArrayBuffer; the main thread drains it (below).
 *
 * And the Node-API floor of store.set() (not a peer; bench/peers.c):
 *  floorRun(n, fn)   calls/s of floorNoop / floorArgs / floorStrings(path,
 *                    value) on the JS thread, in the same loop as
 *                    pipeline.js setRun, resolving to a rate (calls/s).
 *
 * The ring: a header of two cache lines, then RING_BYTES of 4-byte words.
 * Producer's line: W (bytes written, published with Atomics.store every
 * RING_PUBLISH events and whenever it must wait for room) and PWAIT (it
 * sleeps in Atomics.wait on R). Consumer's line: R (bytes read, released
 * every RING_RELEASE events and at the end of each pass) and CWAIT (it may be
 * sleeping in Atomics.waitAsync on W). Each side stores its index, then reads
 * the other's flag, and calls Atomics.notify only when the flag is set; the
 * sleeper sets its flag, then waits on the index value it last saw, so
 * either the writer sees the flag or the wait sees the new index. A record
 * is one header word (path length << 16 | value length), the path's UTF-8
 * bytes and the value's, each zero-padded to a word; a record never
 * straddles the end of the ring (a WRAP word sends the reader to offset 0).
 * The producer writes pre-encoded words (as evstore's bench writer copies
 * pre-encoded bytes). The consumer drains everything available per wake-up
 * (yielding to the event loop every RING_YIELD events) and decodes each
 * string through a direct-mapped intern cache keyed on its bytes (hash of
 * the words, then an exact comparison; a miss decodes with utf8Slice), as
 * evstore's decoder interns paths and short values; ringRun(n, false)
 * decodes every string with utf8Slice instead.
 */
const fs = require('node:fs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const {
  NPATHS, PATHS, VALUES, now, makeSink, checkSink, settle, Window, watchStall,
} = require('./common');

const TSFN_QUEUE = 4096;
const POST_BATCH = 1024;
const POST_WINDOW = 4096;
const RING_BYTES = 1 << 20;
const RING_PUBLISH = 32;
const RING_RELEASE = 256;
const RING_YIELD = 65536;
const WORKER = path.join(__dirname, 'peer-worker.js');

/* Ring header word indices (peer-worker.js has the same). */
const R_W = 0;
const R_PWAIT = 1;
const R_R = 16;
const R_CWAIT = 17;
const R_HEADER = 128;
const WRAP = 0xffffffff;

/* bench/peers.c, built as evstore_bench_peers.node next to evstore.node. */
function loadNative() {
  const candidates = [];
  if (process.env.EVSTORE_BENCH_PEERS) candidates.push(process.env.EVSTORE_BENCH_PEERS);
  else {
    if (process.env.EVSTORE_ADDON) {
      candidates.push(path.join(path.dirname(process.env.EVSTORE_ADDON), 'evstore_bench_peers.node'));
    }
    candidates.push(path.join(__dirname, '..', '..', 'build',
      process.env.EVSTORE_VARIANT || 'release', 'addon', 'evstore_bench_peers.node'));
  }
  const file = candidates.find((f) => fs.existsSync(f));
  if (file === undefined) {
    throw new Error(`bench peers: ${candidates.join(' or ')} not found ` +
      '(cmake --build --preset release --target evstore_bench_peers), or run with --no-peers');
  }
  return require(file);
}

let native = null;

function tsfnRun(n) {
  if (native === null) native = loadNative();
  const sink = makeSink();
  const skip = settle(n);
  const win = new Window();
  let seq = 0;
  const cb = (p, v) => {
    if (sink.n === skip) win.start();
    sink.fn({ type: 'set', path: p, value: v, seq: ++seq });
    if (sink.n === n) win.stop();
  };
  // A stalled run rejects; its native writer thread cannot be stopped, so
  // the process must then exit (pipeline.js does).
  let unwatch;
  const stalled = new Promise((resolve, reject) => {
    unwatch = watchStall(sink, 'tsfn', n, reject);
  });
  const run = native.tsfnRun(n, PATHS, VALUES, cb, TSFN_QUEUE).then((written) => {
    unwatch();
    if (written !== n) throw new Error(`tsfn: wrote ${written} of ${n}`);
    checkSink(sink, n, 'tsfn');
    return win.result(n - skip);
  }, (err) => {
    unwatch();
    throw err;
  });
  return Promise.race([run, stalled]);
}

function postRun(n, batch) {
  return new Promise((resolve, reject) => {
    const ctlSab = new SharedArrayBuffer(8);
    const ctl = new Int32Array(ctlSab);
    const sink = makeSink();
    const skip = settle(n);
    const what = batch === 1 ? 'postMessage per event' : `postMessage x${batch}`;
    const win = new Window();
    let seq = 0;
    let credited = 0;
    let done = -1;
    const worker = new Worker(WORKER, { workerData: { kind: 'post', n, batch,
      window: Math.max(POST_WINDOW, 4 * batch), ctl: ctlSab } });
    const unwatch = watchStall(sink, what, n, (err) => { reject(err); worker.terminate(); });
    const credit = () => {
      credited = sink.n;
      Atomics.store(ctl, 0, credited);
      if (Atomics.load(ctl, 1) !== 0) Atomics.notify(ctl, 0);
    };
    const deliver = (p, v) => {
      if (sink.n === skip) win.start();
      sink.fn({ type: 'set', path: p, value: v, seq: ++seq });
      if (sink.n === n) win.stop();
    };
    worker.on('message', batch === 1 ? (m) => {
      if (typeof m === 'number') { done = m; return; }
      deliver(m[0], m[1]);
      if (sink.n - credited >= 256) credit();
    } : (m) => {
      if (typeof m === 'number') { done = m; return; }
      for (let j = 0; j < m.length; j += 2) deliver(m[j], m[j + 1]);
      credit();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      unwatch();
      try {
        if (code !== 0) throw new Error(`${what}: worker exited with ${code}`);
        if (done !== n) throw new Error(`${what}: worker wrote ${done} of ${n}`);
        checkSink(sink, n, what);
        resolve(win.result(n - skip));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/* Direct-mapped cache of decoded strings keyed on their bytes (strings of
 * at most INTERN_MAX_WORDS words; longer ones are decoded every time). */
const INTERN_SLOTS = 1024;
const INTERN_MAX_WORDS = 16;

class Interner {
  constructor() {
    this.lens = new Int32Array(INTERN_SLOTS).fill(-1);
    this.keys = new Uint32Array(INTERN_SLOTS * INTERN_MAX_WORDS);
    this.strs = new Array(INTERN_SLOTS).fill('');
  }
}

/* The string of `len` UTF-8 bytes at word `o` of the ring. */
function intern(ic, ring, buf, o, len) {
  const nw = (len + 3) >> 2;
  if (nw > INTERN_MAX_WORDS) return buf.utf8Slice(o << 2, (o << 2) + len);
  let h = len;
  for (let j = 0; j < nw; j++) h = Math.imul(h ^ ring[o + j], 0x9e3779b1);
  const slot = h >>> 22; // 10 bits: INTERN_SLOTS
  const keys = ic.keys;
  const k = slot * INTERN_MAX_WORDS;
  if (ic.lens[slot] === len) {
    let j = 0;
    while (j < nw && keys[k + j] === ring[o + j]) j++;
    if (j === nw) return ic.strs[slot];
  }
  const s = buf.utf8Slice(o << 2, (o << 2) + len);
  ic.lens[slot] = len;
  for (let j = 0; j < nw; j++) keys[k + j] = ring[o + j];
  ic.strs[slot] = s;
  return s;
}

function ringRun(n, useIntern = true) {
  return new Promise((resolve, reject) => {
    const size = RING_BYTES;
    const mask = size - 1;
    const sab = new SharedArrayBuffer(R_HEADER + size);
    const ctl = new Int32Array(sab, 0, R_HEADER >> 2);
    const ring = new Uint32Array(sab, R_HEADER, size >> 2);
    const buf = Buffer.from(sab, R_HEADER, size);
    const pc = new Interner();
    const vc = new Interner();
    const sink = makeSink();
    const skip = settle(n);
    const what = 'SharedArrayBuffer ring';
    const win = new Window();
    let seq = 0;
    let r = 0;
    let exited = false;
    let failed = null;

    const release = () => {
      Atomics.store(ctl, R_R, r);
      if (Atomics.load(ctl, R_PWAIT) !== 0) Atomics.notify(ctl, R_R);
    };
    const finish = () => {
      unwatch();
      try {
        if (failed) throw failed;
        checkSink(sink, n, what);
        resolve(win.result(n - skip));
      } catch (err) {
        reject(err);
      }
    };
    const drain = () => {
      let budget = RING_YIELD;
      for (;;) {
        let w = Atomics.load(ctl, R_W);
        while (r !== w && budget > 0) {
          let since = 0;
          while (r !== w) {
            const pos = r & mask;
            const o = pos >> 2;
            const hd = ring[o];
            if (hd === WRAP) {
              r = (r + size - pos) | 0;
              continue;
            }
            const pl = hd >>> 16;
            const vl = hd & 0xffff;
            const pw = (pl + 3) >> 2;
            const p = useIntern ? intern(pc, ring, buf, o + 1, pl) :
              buf.utf8Slice(pos + 4, pos + 4 + pl);
            const v = useIntern ? intern(vc, ring, buf, o + 1 + pw, vl) :
              buf.utf8Slice(pos + 4 + (pw << 2), pos + 4 + (pw << 2) + vl);
            r = (r + ((1 + pw + ((vl + 3) >> 2)) << 2)) | 0;
            if (sink.n === skip) win.start();
            sink.fn({ type: 'set', path: p, value: v, seq: ++seq });
            if (sink.n === n) win.stop();
            if (++since === RING_RELEASE) {
              release();
              budget -= since;
              since = 0;
            }
          }
          release();
          budget -= since;
          w = Atomics.load(ctl, R_W);
        }
        if (r === w && exited) {
          finish();
          return;
        }
        if (budget <= 0) {
          setImmediate(drain);
          return;
        }
        Atomics.store(ctl, R_CWAIT, 1);
        const res = Atomics.waitAsync(ctl, R_W, w);
        if (res.async) {
          res.value.then(() => {
            Atomics.store(ctl, R_CWAIT, 0);
            drain();
          });
          return;
        }
        Atomics.store(ctl, R_CWAIT, 0);
      }
    };

    const worker = new Worker(WORKER, { workerData: { kind: 'ring', n, sab, size,
      publishEvery: RING_PUBLISH } });
    const unwatch = watchStall(sink, what, n, (err) => { reject(err); worker.terminate(); });
    worker.on('error', (err) => { failed = err; });
    worker.on('exit', (code) => {
      if (code !== 0 && failed === null) failed = new Error(`${what}: worker exited with ${code}`);
      exited = true;
      // Wakes the consumer if it sleeps, so it sees the end.
      Atomics.notify(ctl, R_W);
    });
    drain();
  });
}

/* The Node-API floor: `fn` ('floorNoop', 'floorArgs' or 'floorStrings') of
 * bench/peers.c called n times with the events' (path, value), as
 * pipeline.js setRun calls store.set(). */
function floorRun(n, fn) {
  if (native === null) native = loadNative();
  const f = native[fn];
  const t0 = now();
  for (let i = 0; i < n; i++) f(PATHS[i % NPATHS], VALUES[i % NPATHS]);
  return n / (now() - t0);
}

module.exports = { tsfnRun, postRun, ringRun, floorRun, TSFN_QUEUE, POST_BATCH, POST_WINDOW, RING_BYTES };
