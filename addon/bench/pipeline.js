'use strict';
/*
 * Throughput of evstore.node, each figure the median of several runs:
 *  1. events/s delivered into a JS subscriber from native writes (an internal
 *     native writer thread, so JS set() costs are not measured), next to a
 *     pure-JS EventEmitter delivering the same paths, values and event
 *     objects in the same run, and the ratio;
 *  2. the same delivery when the native writes happen first on the JS thread
 *     (pure decode + callback cost, no CPU shared with the writer);
 *  3. store.set() calls/s from JS (no subscriber, and with one), with the JS
 *     thread's own CPU time per call (Linux), next to the
 *     Node-API floor of such a call on this machine (bench/peers.c: a native
 *     function called with the same (path, value) in the same loop, reading
 *     nothing, then reading both strings as UTF-8; needs the peers' addon),
 *     and store.setMany() entries/s in calls of SET_MANY_BATCH entries
 *     (--only setMany; the array of entries is built in the timed loop);
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
 * Each delivery figure also gives the process's CPU time per event over its
 * timed window (all threads), which bounds its rate at cores / CPU-per-event.
 * Usage: node bench/pipeline.js [--events N] [--runs R] [--json] [--no-peers]
 *          [--only emitter,threaded,sync,tsfn,postEach,postBatch,ring,set,setMany,poll]
 * (--only: those figures alone, e.g. under a profiler; ratios need both sides)
 * Select the build with EVSTORE_VARIANT (default release) or EVSTORE_ADDON
 * (evstore_bench.node next to that file is loaded: bench/writer.js);
 * the peers' addon with EVSTORE_BENCH_PEERS (default: evstore_bench_peers.node
 * next to evstore.node).
 */
const { EventEmitter } = require('node:events');
// First: loads evstore from evstore_bench.node, which has the native writer.
const writer = require('./writer');
const { evstore } = writer;
const {
  NPATHS, PATHS, VALUES, median, now, makeSink, checkSink, settle, Window, watchStall,
} = require('./common');
const peers = require('./peers');

const { Store, Worker } = evstore;

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const EVENTS = arg('--events', 2_000_000);
const RUNS = arg('--runs', 5);
const JSON_OUT = process.argv.includes('--json');

const PEERS = !process.argv.includes('--no-peers');
const ONLY = process.argv.includes('--only') ?
  process.argv[process.argv.indexOf('--only') + 1].split(',') : null;

function emitterRun(n) {
  const ee = new EventEmitter();
  const sink = makeSink();
  ee.on('event', sink.fn);
  const skip = settle(n);
  const win = new Window();
  for (let i = 0; i < n; i++) {
    if (i === skip) win.start();
    ee.emit('event', { type: 'set', path: PATHS[i % NPATHS],
      value: VALUES[i % NPATHS], seq: i + 1 });
  }
  win.stop();
  checkSink(sink, n, 'EventEmitter');
  return win.result(n - skip);
}

/* The subscriber of every evstore row: the sink, a window started at event
 * `skip` (none when skip < 0) and `last()` called after event n. One
 * function for every row, so the decoder's call site, which every store
 * shares, sees one subscriber function as EventEmitter's sees only the
 * sink: with two (a row's own closure beside this one) V8 stopped inlining
 * the subscriber into the decoder after the set() rows, and delivery alone
 * measured ~22 instead of ~15 ns of JS-thread CPU per event. */
function storeSubscriber(sink, skip, n, win, last) {
  return (e) => {
    if (sink.n === skip) win.start();
    sink.fn(e);
    if (sink.n === n) last();
  };
}

/* Native writer -> dispatcher -> batches -> JS subscriber. threaded: the
 * writer is a native thread (end to end); else the writes are made first,
 * on the JS thread, and the window measures delivery alone. */
function storeRun(n, threaded) {
  const label = threaded ? 'store (native writer thread)' : 'store (delivery alone)';
  return new Promise((resolve, reject) => {
    const store = new Store({ queueSlots: 4096 });
    const sink = makeSink();
    const skip = settle(n);
    const win = new Window();
    const unwatch = watchStall(sink, label, n, (err) => { store.close(); reject(err); });
    store.watch('/bench/**').subscribe(storeSubscriber(sink, skip, n, win, () => {
      unwatch();
      win.stop();
      const written = threaded ? writer.benchJoin(store) : n;
      store.close();
      try {
        if (written !== n) throw new Error(`${label}: wrote ${written}`);
        checkSink(sink, n, label);
        resolve(win.result(n - skip));
      } catch (err) {
        reject(err);
      }
    }));
    writer.benchWrite(store, n, PATHS, VALUES, threaded);
  });
}

/* Entries per setMany() call in the setMany rows. */
const SET_MANY_BATCH = 1024;
const PAIRS = PATHS.map((p, k) => [p, VALUES[k]]);

/* Writes [from, from + count) as one setMany() call; the array of entries
 * is built in the timed loop, as a caller would. */
function setManyBatch(store, from, count) {
  const entries = new Array(count);
  for (let j = 0; j < count; j++) entries[j] = PAIRS[(from + j) % NPATHS];
  store.setMany(entries);
}

/* set() calls/s (setMany() entries/s when `many`), with the process's CPU
 * (all threads) and the JS thread's CPU per write over the loop. With a
 * subscriber (storeSubscriber, as every other row), the run fails unless it
 * got exactly the events written. */
function setRun(n, withSub, many) {
  return new Promise((resolve, reject) => {
    const store = new Store({ queueSlots: 4096 });
    const win = new Window();
    const what = many ? 'setMany()' : 'set()';
    const sink = withSub ? makeSink() : null;
    let res = null;
    const finish = () => {
      store.close();
      try {
        if (sink !== null) checkSink(sink, n, what);
        resolve(res);
      } catch (err) {
        reject(err);
      }
    };
    if (withSub) {
      const unwatch = watchStall(sink, what, n, (err) => { store.close(); reject(err); });
      store.watch('/bench/**').subscribe(storeSubscriber(sink, -1, n, null, () => {
        unwatch();
        setImmediate(finish);
      }));
    }
    win.start();
    if (many) {
      for (let i = 0; i < n; i += SET_MANY_BATCH) setManyBatch(store, i, Math.min(SET_MANY_BATCH, n - i));
    } else {
      for (let i = 0; i < n; i++) store.set(PATHS[i % NPATHS], VALUES[i % NPATHS]);
    }
    win.stop();
    res = win.result(n);
    if (!withSub) finish();
  });
}

function pollRun(n) {
  const store = new Store({ queueSlots: 4096 });
  const w = Worker.bootstrap(store, { namespace: '/bench/**', capacity: n });
  writer.benchWrite(store, n, PATHS, VALUES, false);
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

/* The delivery figures of one run, in this order: [key, run(n) ->
 * {rate, cpuNs}, the key of evstore's ratio to it]. A peer's ratio is
 * evstore's end-to-end figure over the peer's, both of the same run. */
const FIGURES = [
  ['emitter', async (n) => emitterRun(n)],
  ['threaded', (n) => storeRun(n, true)],
  ['sync', (n) => storeRun(n, false)],
];
if (PEERS) {
  FIGURES.push(
    ['tsfn', (n) => peers.tsfnRun(n), 'vsTsfn'],
    ['postEach', (n) => peers.postRun(n, 1), 'vsPostEach'],
    ['postBatch', (n) => peers.postRun(n, peers.POST_BATCH), 'vsPostBatch'],
    ['ring', (n) => peers.ringRun(n), 'vsRing']);
}
const want = (key) => ONLY === null || ONLY.includes(key);

async function main() {
  const res = {};
  const push = (key, v) => { (res[key] || (res[key] = [])).push(v); };
  const figures = FIGURES.filter(([key]) => want(key));
  // Warm-up of every path (JIT), not measured.
  for (const [, run] of figures) await run(EVENTS / 10);
  for (let r = 0; r < RUNS; r++) {
    const got = {};
    for (const [key, run] of figures) {
      const { rate, cpuNs, jsCpuNs } = await run(EVENTS);
      got[key] = rate;
      push(key, rate);
      push(`${key}Cpu`, cpuNs);
      if (jsCpuNs !== undefined) push(`${key}JsCpu`, jsCpuNs);
    }
    if (got.emitter && got.threaded) push('ratio', got.threaded / got.emitter);
    if (got.emitter && got.sync) push('ratioSync', got.sync / got.emitter);
    for (const [key, , vs] of figures) if (vs && got.threaded) push(vs, got.threaded / got[key]);
    if (want('set') || want('setMany')) {
      const rows = [['set', false, false], ['setSub', true, false],
        ['setMany', false, true], ['setManySub', true, true]];
      for (const [key, withSub, many] of rows.filter(([k]) => want(k.replace('Sub', '')))) {
        const { rate, cpuNs, jsCpuNs } = await setRun(EVENTS / 4, withSub, many);
        push(key, rate);
        push(`${key}Cpu`, cpuNs);
        if (jsCpuNs !== undefined) push(`${key}JsCpu`, jsCpuNs);
      }
      if (PEERS) {
        push('floorArgs', peers.floorRun(EVENTS / 4, 'floorArgs'));
        push('floorStrings', peers.floorRun(EVENTS / 4, 'floorStrings'));
      }
    }
    if (want('poll')) push('poll', pollRun(Math.min(EVENTS / 4, 200000)));
  }
  const m = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, median(v)]));
  const config = PEERS ? { tsfnQueue: peers.TSFN_QUEUE, postBatch: peers.POST_BATCH,
    postWindow: peers.POST_WINDOW, ringBytes: peers.RING_BYTES } : null;
  if (JSON_OUT) {
    console.log(JSON.stringify({ events: EVENTS, runs: RUNS, peers: config, median: m, runsData: res }));
    return;
  }
  const f = (x) => `${(x / 1e6).toFixed(2)}M/s`;
  const line = (label, key, ratioKey, ratioText) => {
    if (m[key] === undefined) return;
    const cpu = m[`${key}Cpu`] === undefined ? '' : `  ${m[`${key}Cpu`].toFixed(0)} ns CPU/event`;
    const ratio = m[ratioKey] === undefined ? '' : `  ${ratioText} ${m[ratioKey].toFixed(2)}x`;
    console.log(`  ${label.padEnd(50)}${f(m[key])}${cpu}${ratio}`);
  };
  console.log(`evstore.node pipeline bench: ${EVENTS} events x ${RUNS} runs (medians)`);
  line('EventEmitter (same paths, values, event objects):', 'emitter');
  line('store -> JS, native writer thread:', 'threaded', 'ratio', 'ratio');
  line('store -> JS, writes first (delivery alone):', 'sync', 'ratioSync', 'ratio');
  line('store.set() from JS, no subscriber:', 'set');
  line('store.set() from JS, one subscriber:', 'setSub');
  if (m.setJsCpu !== undefined) {
    console.log(`  ${'  JS thread alone, CPU per set() call:'.padEnd(50)}` +
      `${m.setJsCpu.toFixed(0)} ns no subscriber, ${m.setSubJsCpu.toFixed(0)} ns one subscriber`);
  }
  line('store.setMany() entries from JS, no subscriber:', 'setMany');
  line('store.setMany() entries from JS, one subscriber:', 'setManySub');
  if (m.setManyJsCpu !== undefined) {
    console.log(`  ${`  (${SET_MANY_BATCH} per call) JS thread, CPU per entry:`.padEnd(50)}` +
      `${m.setManyJsCpu.toFixed(0)} ns no subscriber, ${m.setManySubJsCpu.toFixed(0)} ns one subscriber`);
  }
  line('N-API floor: native call, (path, value) unread:', 'floorArgs');
  line('N-API floor: native call reading both as UTF-8:', 'floorStrings');
  line('worker poll+complete:', 'poll');
  if (figures.some(([, , vs]) => vs)) {
    console.log('  peers (ratio: evstore native writer -> JS end to end / peer, same run):');
    line('  N-API threadsafe function, one call per event:', 'tsfn', 'vsTsfn', 'evstore');
    line('  worker postMessage, one message per event:', 'postEach', 'vsPostEach', 'evstore');
    line(`  worker postMessage, ${peers.POST_BATCH} events per message:`, 'postBatch', 'vsPostBatch', 'evstore');
    line('  worker -> SharedArrayBuffer ring + Atomics:', 'ring', 'vsRing', 'evstore');
  }
}

// exit(), not exitCode: a stalled peer's native thread could keep node alive.
main().catch((err) => { console.error(err); process.exit(1); });
