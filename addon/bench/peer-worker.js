'use strict';
/*
 * The producing side of the worker_threads peers of bench/peers.js (run in a
 * Worker, never on its own): writes the same events as evstore's native bench
 * writer, event i being (PATHS[i % NPATHS], VALUES[i % NPATHS]).
 *
 * workerData.kind:
 *   'post'  postMessage, `batch` events per message (1: one [path, value]
 *           array per event; more: one flat [p0, v0, p1, v1, ...] array),
 *           then the number of events written. At most `window` events are in
 *           flight: the main thread stores the number it consumed in ctl[0]
 *           and notifies when ctl[1] says we wait (Atomics.wait here).
 *   'ring'  the SharedArrayBuffer SPSC ring of bench/peers.js (layout there).
 */
const { parentPort, workerData } = require('node:worker_threads');
const { NPATHS, PATHS, VALUES } = require('./common');

/* postMessage flow control (ctl, an Int32Array over a SharedArrayBuffer). */
const PM_CONSUMED = 0;
const PM_WAITING = 1;

/* Waits until fewer than `window` of the `produced` events are in flight. */
function waitCredit(ctl, produced, window) {
  for (;;) {
    const consumed = Atomics.load(ctl, PM_CONSUMED);
    if (produced - consumed < window) return;
    Atomics.store(ctl, PM_WAITING, 1);
    if (produced - Atomics.load(ctl, PM_CONSUMED) >= window) {
      Atomics.wait(ctl, PM_CONSUMED, consumed);
    }
    Atomics.store(ctl, PM_WAITING, 0);
  }
}

function producePost({ n, batch, window, ctl: sab }) {
  const ctl = new Int32Array(sab);
  if (batch === 1) {
    for (let i = 0; i < n; i++) {
      if (i - Atomics.load(ctl, PM_CONSUMED) >= window) waitCredit(ctl, i, window);
      const k = i % NPATHS;
      parentPort.postMessage([PATHS[k], VALUES[k]]);
    }
  } else {
    let msg = [];
    for (let i = 0; i < n; i++) {
      const k = i % NPATHS;
      msg.push(PATHS[k], VALUES[k]);
      if (msg.length === 2 * batch || i === n - 1) {
        const from = i + 1 - (msg.length >> 1);
        if (from - Atomics.load(ctl, PM_CONSUMED) >= window) waitCredit(ctl, from, window);
        parentPort.postMessage(msg);
        msg = [];
      }
    }
  }
  parentPort.postMessage(n);
}

/* The ring (see bench/peers.js): header words, then the data. */
const R_W = 0; // bytes written (published), producer's line
const R_PWAIT = 1; // producer sleeps on R_R
const R_R = 16; // bytes read (released), consumer's line
const R_CWAIT = 17; // consumer may sleep on R_W
const R_HEADER = 128; // bytes
const WRAP = 0xffffffff;

/* A string's UTF-8 bytes as 32-bit words, zero-padded. */
function words(s) {
  const b = Buffer.from(s, 'utf8');
  const w = new Uint32Array((b.length + 3) >> 2);
  new Uint8Array(w.buffer).set(b);
  return { len: b.length, words: w };
}

function produceRing({ n, sab, size, publishEvery }) {
  const ctl = new Int32Array(sab, 0, R_HEADER >> 2);
  const ring = new Uint32Array(sab, R_HEADER, size >> 2);
  const mask = size - 1;
  const paths = PATHS.map(words);
  const values = VALUES.map(words);
  let w = 0; // bytes written, wraps at 2^32 (Int32 arithmetic)
  let r = 0; // last seen bytes read
  let unpublished = 0;

  const publish = () => {
    Atomics.store(ctl, R_W, w);
    unpublished = 0;
    if (Atomics.load(ctl, R_CWAIT) !== 0) Atomics.notify(ctl, R_W);
  };
  /* Waits until `need` bytes are free. */
  const room = (need) => {
    for (;;) {
      r = Atomics.load(ctl, R_R);
      if (size - ((w - r) | 0) >= need) return;
      if (unpublished) publish();
      Atomics.store(ctl, R_PWAIT, 1);
      if (size - ((w - Atomics.load(ctl, R_R)) | 0) < need) Atomics.wait(ctl, R_R, r);
      Atomics.store(ctl, R_PWAIT, 0);
    }
  };

  for (let i = 0; i < n; i++) {
    const k = i % NPATHS;
    const p = paths[k];
    const v = values[k];
    const pw = p.words.length;
    const vw = v.words.length;
    const bytes = (1 + pw + vw) << 2;
    let pos = w & mask;
    if (pos + bytes > size) {
      // A record never straddles the end: mark the rest as skipped.
      if (size - ((w - r) | 0) < size - pos + bytes) room(size - pos + bytes);
      ring[pos >> 2] = WRAP;
      w = (w + size - pos) | 0;
      pos = 0;
    } else if (size - ((w - r) | 0) < bytes) {
      room(bytes);
    }
    let o = pos >> 2;
    ring[o++] = (p.len << 16) | v.len;
    const ps = p.words;
    for (let j = 0; j < pw; j++) ring[o++] = ps[j];
    const vs = v.words;
    for (let j = 0; j < vw; j++) ring[o++] = vs[j];
    w = (w + bytes) | 0;
    if (++unpublished === publishEvery) publish();
  }
  publish();
}

if (workerData.kind === 'post') producePost(workerData);
else if (workerData.kind === 'ring') produceRing(workerData);
else throw new Error(`peer-worker: unknown kind ${workerData.kind}`);
