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
 *  4. pollStepEvents + completeStepEvent throughput of a Worker;
 *  5. the peers a user would pick instead of evstore to get events produced
 *     off the JS thread into a JS callback (bench/peers.js): a per-event
 *     N-API threadsafe function, worker_threads postMessage per event and
 *     batched, and a SharedArrayBuffer ring with Atomics, each in the same
 *     run with the same events and subscriber, and the ratio of evstore's
 *     end-to-end figure (1.) to each.
 * Every side delivers the same events (common.js) to the same subscriber
 * and fails unless it got exactly the expected ones (count, checksum of
 * paths and values, sampled contents, last seq), so a broken side cannot
 * look fast.
 * Every run uses a new subscriber function on each side (as a new
 * subscription would), and the delivery rates are timed over the last three
 * quarters of the run's events on both sides: the first quarter lets V8
 * settle the call site (re-optimising for the new function), which is a
 * one-time cost per subscriber, not a per-event one.
 * Usage: node bench/pipeline.js [--events N] [--runs R] [--json] [--no-peers]
 * Select the build with EVSTORE_VARIANT (default release) or EVSTORE_ADDON;
 * the peers' addon with EVSTORE_BENCH_PEERS (default: evstore_bench_peers.node
 * next to evstore.node).
 */
const { EventEmitter } = require('node:events');
const evstore = require('..');
const { NPATHS, PATHS, VALUES, median, now, makeSink, checkSink, settle } = require('./common');
const peers = require('./peers');

const { Store, Worker } = evstore;
const internal = evstore._internal;

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const EVENTS = arg('--events', 2_000_000);
const RUNS = arg('--runs', 5);
const JSON_OUT = process.argv.includes('--json');

const PEERS = !process.argv.includes('--no-peers');

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
  checkSink(sink, n, 'EventEmitter');
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
        try {
          if (written !== n) throw new Error(`store (native writer thread): wrote ${written}`);
          checkSink(sink, n, 'store (native writer thread)');
          resolve((n - skip) / dt);
        } catch (err) {
          reject(err);
        }
      }
    });
    internal.benchWrite(store, n, PATHS, VALUES, true);
  });
}

/* Writes first (on the JS thread), then measures delivery alone. */
function storeRunSync(n) {
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
        store.close();
        try {
          checkSink(sink, n, 'store (delivery alone)');
          resolve((n - skip) / dt);
        } catch (err) {
          reject(err);
        }
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

/* The figures of one run, in this order. The peer ratios are evstore's
 * end-to-end figure over the peer's, both of the same run. */
const PEER_FIGURES = [
  ['tsfn', 'vsTsfn', (n) => peers.tsfnRun(n)],
  ['postEach', 'vsPostEach', (n) => peers.postRun(n, 1)],
  ['postBatch', 'vsPostBatch', (n) => peers.postRun(n, peers.POST_BATCH)],
  ['ring', 'vsRing', (n) => peers.ringRun(n)],
];

async function main() {
  const res = { threaded: [], sync: [], emitter: [], ratio: [], ratioSync: [],
    set: [], setSub: [], poll: [] };
  if (PEERS) for (const [key, vs] of PEER_FIGURES) { res[key] = []; res[vs] = []; }
  // Warm-up of every path (JIT), not measured.
  emitterRun(EVENTS / 10);
  await storeRunThreaded(EVENTS / 10);
  await storeRunSync(EVENTS / 10);
  if (PEERS) for (const [, , run] of PEER_FIGURES) await run(EVENTS / 10);
  for (let r = 0; r < RUNS; r++) {
    const ee = emitterRun(EVENTS);
    const th = await storeRunThreaded(EVENTS);
    const sy = await storeRunSync(EVENTS);
    res.emitter.push(ee);
    res.threaded.push(th);
    res.sync.push(sy);
    res.ratio.push(th / ee);
    res.ratioSync.push(sy / ee);
    if (PEERS) {
      for (const [key, vs, run] of PEER_FIGURES) {
        const v = await run(EVENTS);
        res[key].push(v);
        res[vs].push(th / v);
      }
    }
    res.set.push(await setRun(EVENTS / 4, false));
    res.setSub.push(await setRun(EVENTS / 4, true));
    res.poll.push(pollRun(Math.min(EVENTS / 4, 200000)));
  }
  const m = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, median(v)]));
  const config = PEERS ? { tsfnQueue: peers.TSFN_QUEUE, postBatch: peers.POST_BATCH,
    postWindow: peers.POST_WINDOW, ringBytes: peers.RING_BYTES } : null;
  if (JSON_OUT) {
    console.log(JSON.stringify({ events: EVENTS, runs: RUNS, peers: config, median: m, runsData: res }));
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
  if (PEERS) {
    console.log('  peers (evstore native writer -> JS end to end / peer, same run):');
    console.log(`    N-API threadsafe function, one call per event:  ${f(m.tsfn)}  evstore ${m.vsTsfn.toFixed(2)}x`);
    console.log(`    worker postMessage, one message per event:      ${f(m.postEach)}  evstore ${m.vsPostEach.toFixed(2)}x`);
    console.log(`    worker postMessage, ${peers.POST_BATCH} events per message:   ${f(m.postBatch)}  evstore ${m.vsPostBatch.toFixed(2)}x`);
    console.log(`    worker -> SharedArrayBuffer ring + Atomics:     ${f(m.ring)}  evstore ${m.vsRing.toFixed(2)}x`);
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
