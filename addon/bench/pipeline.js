'use strict';
/*
 * Throughput of evstore.node, each figure the median of several runs:
 *  1. events/s delivered into a JS subscriber from native writes (an internal
 *     native writer thread, so JS set() costs are not measured), next to a
 *     pure-JS EventEmitter delivering the same paths, values and event
 *     objects in the same run, and the ratio;
 *  2. the same delivery when the native writes happen first on the JS thread
 *     (pure decode + callback cost, no CPU shared with the writer);
 *  3. store.set() calls/s from JS (no subscriber, and with one);
 *  4. pollStepEvents + completeStepEvent throughput of a Worker.
 * Every run uses a new subscriber function on each side (as a new
 * subscription would), and the delivery rates are timed over the last three
 * quarters of the run's events on both sides: the first quarter lets V8
 * settle the call site (re-optimising for the new function), which is a
 * one-time cost per subscriber, not a per-event one.
 * Usage: node bench/pipeline.js [--events N] [--runs R] [--json]
 * Select the build with EVSTORE_VARIANT (default release) or EVSTORE_ADDON.
 */
const { EventEmitter } = require('node:events');
const evstore = require('..');

const { Store, Worker } = evstore;
const internal = evstore._internal;

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const EVENTS = arg('--events', 2_000_000);
const RUNS = arg('--runs', 5);
const JSON_OUT = process.argv.includes('--json');

const NPATHS = 64;
const PATHS = Array.from({ length: NPATHS }, (_, i) => `/bench/item${i}/value`);
const VALUES = Array.from({ length: NPATHS }, (_, i) => `value-${i}-${'x'.repeat(i % 16)}`);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function now() {
  return Number(process.hrtime.bigint()) / 1e9;
}

/* The subscriber used on both sides: touches every field. */
function makeSink() {
  const st = { n: 0, bytes: 0, lastSeq: 0 };
  st.fn = (e) => {
    st.n++;
    st.bytes += e.value.length + e.path.length;
    st.lastSeq = e.seq;
  };
  return st;
}

/* The events of a run that are delivered before its clock starts. */
function settle(n) {
  return Math.floor(n / 4);
}

function emitterRun(n) {
  const ee = new EventEmitter();
  const sink = makeSink();
  ee.on('event', sink.fn);
  const skip = settle(n);
  let t0 = 0;
  for (let i = 0; i < n; i++) {
    if (i === skip) t0 = now();
    ee.emit('event', { type: 'set', path: PATHS[i % NPATHS],
      value: VALUES[i % NPATHS], seq: i + 1 });
  }
  const dt = now() - t0;
  if (sink.n !== n) throw new Error('emitter lost events');
  return (n - skip) / dt;
}

/* Native writer thread -> dispatcher -> batches -> JS subscriber. */
function storeRunThreaded(n) {
  return new Promise((resolve, reject) => {
    const store = new Store({ queueSlots: 4096 });
    const sink = makeSink();
    const skip = settle(n);
    let t0 = 0;
    store.watch('/bench/**').subscribe((e) => {
      if (sink.n === skip) t0 = now();
      sink.fn(e);
      if (sink.n === n) {
        const dt = now() - t0;
        const written = internal.benchJoin(store);
        store.close();
        if (written !== n) reject(new Error(`wrote ${written}`));
        else resolve((n - skip) / dt);
      }
    });
    internal.benchWrite(store, n, PATHS, VALUES, true);
  });
}

/* Writes first (on the JS thread), then measures delivery alone. */
function storeRunSync(n) {
  return new Promise((resolve) => {
    const store = new Store({ queueSlots: 4096 });
    const sink = makeSink();
    const skip = settle(n);
    let t0 = 0;
    store.watch('/bench/**').subscribe((e) => {
      if (sink.n === skip) t0 = now();
      sink.fn(e);
      if (sink.n === n) {
        const dt = now() - t0;
        store.close();
        resolve((n - skip) / dt);
      }
    });
    internal.benchWrite(store, n, PATHS, VALUES, false);
  });
}

function setRun(n, withSub) {
  return new Promise((resolve) => {
    const store = new Store({ queueSlots: 4096 });
    let got = 0;
    if (withSub) store.watch('/bench/**').subscribe(() => { got++; });
    const t0 = now();
    for (let i = 0; i < n; i++) store.set(PATHS[i % NPATHS], VALUES[i % NPATHS]);
    const rate = n / (now() - t0);
    const done = () => {
      if (withSub && got < n) { setImmediate(done); return; }
      store.close();
      resolve(rate);
    };
    done();
  });
}

function pollRun(n) {
  const store = new Store({ queueSlots: 4096 });
  const w = Worker.bootstrap(store, { namespace: '/bench/**', capacity: n });
  internal.benchWrite(store, n, PATHS, VALUES, false);
  // Let the dispatcher hand every event to the worker.
  const deadline = Date.now() + 10000;
  while (w.status().pendingCount < n && Date.now() < deadline) { /* spin */ }
  const t0 = now();
  let done = 0;
  for (;;) {
    const evs = w.pollStepEvents(1024);
    if (evs.length === 0) break;
    for (const e of evs) w.completeStepEvent(e.id, { ok: true });
    done += evs.length;
  }
  const dt = now() - t0;
  w.stop();
  store.close();
  if (done !== n) throw new Error(`polled ${done} of ${n}`);
  return n / dt;
}

async function main() {
  const res = { threaded: [], sync: [], emitter: [], ratio: [], ratioSync: [],
    set: [], setSub: [], poll: [] };
  // Warm-up of every path (JIT), not measured.
  emitterRun(EVENTS / 10);
  await storeRunThreaded(EVENTS / 10);
  await storeRunSync(EVENTS / 10);
  for (let r = 0; r < RUNS; r++) {
    const ee = emitterRun(EVENTS);
    const th = await storeRunThreaded(EVENTS);
    const sy = await storeRunSync(EVENTS);
    res.emitter.push(ee);
    res.threaded.push(th);
    res.sync.push(sy);
    res.ratio.push(th / ee);
    res.ratioSync.push(sy / ee);
    res.set.push(await setRun(EVENTS / 4, false));
    res.setSub.push(await setRun(EVENTS / 4, true));
    res.poll.push(pollRun(Math.min(EVENTS / 4, 200000)));
  }
  const m = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, median(v)]));
  if (JSON_OUT) {
    console.log(JSON.stringify({ events: EVENTS, runs: RUNS, median: m, runsData: res }));
    return;
  }
  const f = (x) => `${(x / 1e6).toFixed(2)}M/s`;
  console.log(`evstore.node pipeline bench: ${EVENTS} events x ${RUNS} runs (medians)`);
  console.log(`  EventEmitter (same paths, values, event objects): ${f(m.emitter)}`);
  console.log(`  store -> JS, native writer thread:                ${f(m.threaded)}  ratio ${m.ratio.toFixed(2)}x`);
  console.log(`  store -> JS, writes first (delivery alone):       ${f(m.sync)}  ratio ${m.ratioSync.toFixed(2)}x`);
  console.log(`  store.set() from JS, no subscriber:               ${f(m.set)}`);
  console.log(`  store.set() from JS, one subscriber:              ${f(m.setSub)}`);
  console.log(`  worker poll+complete:                             ${f(m.poll)}`);
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
