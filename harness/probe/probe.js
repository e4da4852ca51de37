'use strict';
// The leakgate JS probe: runs a scenario module under the leakgate probe
// protocol (JSON Lines on the file named by LEAKGATE_PROBE; see
// docs/probe-protocol.md).
//
//   node --expose-gc harness/probe/probe.js scenarios/js/<name>.js
//
// Scenario module: { name, async prewarm(ctx) (optional: starts what the
// code under test starts lazily and keeps, before the baseline sample),
// async setup(ctx), iterate(ctx, i) (may return a Promise), async
// teardown(ctx), stats() (optional: extra numeric metrics, e.g. the addon's
// nativeStats(), merged into every sample) }.
// Every sample is taken after forced garbage collection (gc() twice with a
// macrotask turn after each, so that finalizers and weak callbacks run).
// Each record is written with one synchronous write, so a crash leaves a
// readable prefix. The scenario never judges itself: the harness does.

const fs = require('fs');
const path = require('path');

// The run's settings, from its environment (configure): once in a run of
// its own, once per scenario in a batch (runBatch).
let env, iterations, sampleEvery, warmup, out, t0;
let sitesFile, windowFirst, windowLast, heapSnap, stopFile, stopFrom;

// The earliest sample an early stop may end the iterate phase at: the judged
// window's 15th (LG_TREND_MIN_SAMPLES in harness/src/stats.h; probe.c's
// LG_PROBE_STOP_MIN_SAMPLES). docs/probe-protocol.md, "Early stop".
const STOP_MIN_SAMPLES = 15;

function configure(e) {
  env = e;
  iterations = intEnv('LEAKGATE_ITERATIONS', 1000);
  sampleEvery = Math.max(1, intEnv('LEAKGATE_SAMPLE_EVERY', 10));
  warmup = Math.max(0, intEnv('LEAKGATE_WARMUP', 0));
  out = env.LEAKGATE_PROBE ? fs.openSync(env.LEAKGATE_PROBE, 'a') : 2;
  t0 = process.hrtime.bigint();
  sitesFile = env.LEAKGATE_HEAP_SITES || '';
  windowFirst = Math.max(sampleEvery, Math.ceil(warmup / sampleEvery) * sampleEvery);
  windowLast = Math.floor(iterations / sampleEvery) * sampleEvery;
  heapSnap = parseHeapSnap(env.LEAKGATE_HEAPSNAP);
  stopFile = env.LEAKGATE_STOP || '';
  stopFrom = windowFirst + (STOP_MIN_SAMPLES - 1) * sampleEvery;
}

/** True when the harness asks this run to stop after sample i (one stat per sample). */
function stopAsked(i) {
  return stopFile !== '' && i >= stopFrom && i < iterations && fs.existsSync(stopFile);
}

function intEnv(name, dflt) {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  // Digits only, as the C probe: no sign, blanks, exponent or fraction.
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : dflt;
}

function ms() {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function emit(rec) {
  fs.writeSync(out, JSON.stringify(rec) + '\n');
}

function countDir(dir) {
  try {
    return fs.readdirSync(dir).length;
  } catch {
    return undefined;
  }
}

// Native heap figure from liblgheap.so (harness/preload/), when the variant
// preloads it: live bytes and blocks of the whole process, with no code in
// the addon. The library publishes them in its own data page (layout in
// harness/preload/lgheap.h); JS cannot call into it, so the probe finds the
// page once by its magic in the library's rw-p mapping (/proc/self/maps) and
// reads it through /proc/self/mem at each sample (one 4 KiB pread). The
// /proc/self/mem descriptor is opened before the baseline sample and stays
// open, so the fds count is the same in every sample.
const HEAP_MAGIC = 'leakgate-heap-1\0';
const HEAP_PAGE = 64 + 64 * 64; // header + LG_HEAP_STRIPES stripes
let heapAddr; // undefined: not searched yet; null: no preload
const HEAP_WARMUP = 5000;
// Reused for every read, so that reading does not itself allocate a native
// backing store that the figure would then count.
let heapBuf;

let memFd = -1;
function readMem(addr, len, into) {
  if (memFd < 0) memFd = fs.openSync('/proc/self/mem', 'r');
  const buf = into || Buffer.alloc(len);
  const n = fs.readSync(memFd, buf, 0, len, addr);
  return n === len ? buf : null;
}

function findHeapPage() {
  try {
    for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) rw-p \S+ \S+ \S+\s+(\S*\/liblgheap\.so)$/.exec(line);
      if (!m) continue;
      const start = Number.parseInt(m[1], 16);
      const buf = readMem(start, Number.parseInt(m[2], 16) - start);
      if (!buf) continue;
      for (let off = 0; off + HEAP_PAGE <= buf.length; off += 64) {
        if (buf.toString('latin1', off, off + 16) === HEAP_MAGIC) return start + off;
      }
    }
  } catch {
    // no /proc, or /proc/self/mem unreadable: no figure, never an error
  }
  return null;
}

/**
 * {bytes, blocks} from liblgheap.so, or undefined without it. The first call
 * (before the baseline sample) also runs the reader HEAP_WARMUP times, so
 * that V8 has compiled and optimised it (fs.readSync included) before
 * anything is measured: its tier-up would otherwise be a step of code in
 * heapUsed and of compiler metadata in native memory inside the fitted
 * window, enough to turn a clean run into a LEAK. Why HEAP_WARMUP is 5000
 * (fewer calls left a step): reports/bench/design-measurements.md.
 */
function heapFigures() {
  if (heapAddr === undefined) {
    heapAddr = findHeapPage();
    if (heapAddr !== null) for (let k = 0; k < HEAP_WARMUP; k++) readHeap();
  }
  if (heapAddr === null) return undefined;
  return readHeap();
}

function readHeap() {
  let buf;
  try {
    if (!heapBuf) heapBuf = Buffer.alloc(HEAP_PAGE);
    buf = readMem(heapAddr, HEAP_PAGE, heapBuf);
  } catch {
    return undefined;
  }
  if (!buf || buf.toString('latin1', 0, 16) !== HEAP_MAGIC) return undefined;
  const mode = buf.readUInt32LE(20);
  const nstripes = buf.readUInt32LE(24);
  const stripeSize = buf.readUInt32LE(28);
  if (mode === 0 || 64 + nstripes * stripeSize > HEAP_PAGE) return undefined;
  let bytes = i64(buf, 32);
  let blocks = i64(buf, 40);
  for (let k = 0; k < nstripes; k++) {
    bytes += i64(buf, 64 + k * stripeSize);
    blocks += i64(buf, 64 + k * stripeSize + 8);
  }
  return { bytes, blocks };
}

// A signed 64-bit value as a Number (exact below 2^53), without BigInt: a
// BigInt per stripe per sample is JS heap garbage and compiled code that
// the heapUsed figure of the same sample would see.
function i64(buf, off) {
  return buf.readInt32LE(off + 4) * 4294967296 + buf.readUInt32LE(off);
}

// A scenario's own figures under these names give way to the preload's.
const HEAP_KEYS = { mallocInUse: 'scenarioMallocInUse', mallocBlocks: 'scenarioMallocBlocks' };

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function collect() {
  global.gc();
  await turn();
  global.gc();
  await turn();
}

async function sample(sc, ctx, phase, i) {
  await collect();
  const mu = process.memoryUsage();
  const rec = {
    type: 'sample', phase, i, t_ms: ms(),
    rss: mu.rss, heapUsed: mu.heapUsed, heapTotal: mu.heapTotal,
    external: mu.external, arrayBuffers: mu.arrayBuffers,
    threads: countDir('/proc/self/task'),
    // readdir holds one descriptor open on the directory while listing.
    fds: countDir('/proc/self/fd') - 1,
  };
  // The scenario's metrics are read first, right after the forced GC as they
  // always were; then the preload's figures. With the preload, mallocInUse /
  // mallocBlocks are its figures (exact, the same in every process) and a
  // scenario's own are kept as scenarioMallocInUse / scenarioMallocBlocks;
  // without it, a scenario's own are mallocInUse / mallocBlocks as before.
  const extra = typeof sc.stats === 'function' ? sc.stats(ctx) || {} : {};
  const heap = heapFigures();
  for (const [k, v] of Object.entries(extra)) {
    if (typeof v === 'number' && Number.isFinite(v) && !(k in { type: 1, phase: 1, i: 1, t_ms: 1 })) {
      rec[heap && Object.hasOwn(HEAP_KEYS, k) ? HEAP_KEYS[k] : k] = v;
    }
  }
  if (heap) {
    rec.mallocInUse = heap.bytes;
    rec.mallocBlocks = heap.blocks;
  }
  emit(rec);
}

// Allocation sites (liblgheap.so, LEAKGATE_HEAP_SITES): this process's live
// table, <file>.<pid>, is copied to <file>.at-<i> at the first and the last
// sample of the judged window (iterate phase, i >= LEAKGATE_WARMUP, i > 0),
// and the process's memory map to <file>.maps with the last, so that the
// harness can tell which sites grew and name them after the process is gone.
// The window's bounds (windowFirst, windowLast: configure) follow
// docs/probe-protocol.md, "The judged window" (probe.c and the harness's
// lg_run_window apply the same rule).

function sitesSnapshot(i, stopped) {
  const last = i === windowLast || stopped;
  if (!sitesFile || windowFirst > windowLast || (i !== windowFirst && !last)) return;
  try {
    fs.copyFileSync(`${sitesFile}.${process.pid}`, `${sitesFile}.at-${i}`);
    if (last) fs.writeFileSync(`${sitesFile}.maps`, fs.readFileSync('/proc/self/maps'));
  } catch {
    // no table (another allocator owns the heap): nothing to attribute
  }
}

/**
 * JS heap attribution (docs/probe-protocol.md, "Heap snapshots"): with
 * LEAKGATE_HEAPSNAP=<dir>,<A>,<B> the probe writes a V8 heap snapshot,
 * <dir>/heap-<n>.heapsnapshot, after a forced garbage collection right after
 * iterations A and B (and after the sample of that iteration, if any), and a
 * "heapsnap" record saying so. Set by the harness only on a short re-run of a
 * run it judged LEAK; harness/probe/heapdiff.js then diffs the two files. A
 * heap over HEAPSNAP_MAX_HEAP is not written (the record says why): its
 * snapshot and its diff would cost gigabytes.
 */
const HEAPSNAP_MAX_HEAP = 256 * 1024 * 1024;

function parseHeapSnap(v) {
  if (!v) return null;
  // The directory may hold commas: the two iterations are the last fields.
  const m = /^(.+),(\d{1,15}),(\d{1,15})$/s.exec(v);
  if (!m || !path.isAbsolute(m[1])) {
    process.stderr.write(`probe.js: LEAKGATE_HEAPSNAP=${v}: expected <absolute dir>,<A>,<B>; no heap snapshots\n`);
    return null;
  }
  return { dir: m[1], at: [Number(m[2]), Number(m[3])] };
}

/** Writes the heap snapshot due after iteration n, if any; returns the ms spent. */
async function heapSnapAfter(n) {
  if (!heapSnap || !heapSnap.at.includes(n)) return 0;
  const t = ms();
  await collect();
  const heapUsed = process.memoryUsage().heapUsed;
  const rec = { type: 'heapsnap', i: n, t_ms: t, heapUsed };
  if (heapUsed > HEAPSNAP_MAX_HEAP) {
    rec.skipped = `heapUsed ${(heapUsed / 1048576).toFixed(0)} MiB is over the ` +
      `${HEAPSNAP_MAX_HEAP / 1048576} MiB limit for a heap snapshot`;
  } else {
    try {
      rec.file = require('v8').writeHeapSnapshot(path.join(heapSnap.dir, `heap-${n}.heapsnapshot`));
    } catch (err) {
      rec.skipped = `v8.writeHeapSnapshot failed: ${err && err.message}`;
    }
  }
  rec.ms = ms() - t;
  emit(rec);
  return ms() - t;
}

function fail(phase, i, err) {
  const message = err && err.message !== undefined ? String(err.message) : String(err);
  emit({ type: 'error', phase, i, message, stack: err && err.stack ? String(err.stack) : undefined });
  emit({ type: 'end', status: 'error', i, t_ms: ms() });
  // exitCode, not exit(): an abrupt exit makes LSan list node's own memory.
  process.exitCode = 1;
}

/**
 * Warm baseline: what node starts lazily, on first use, and then keeps for
 * the life of the process is started before the baseline sample, so that
 * the exact end-of-run checks (threads, fds) compare like with like and a
 * runtime starting mid-run is not a RESOURCE verdict. libuv's threadpool
 * starts all of its UV_THREADPOOL_SIZE threads on the first request (an
 * addon's napi_create_async_work, an fs or crypto call): one fs request
 * starts it here (reports/bench/design-measurements.md has the case that
 * showed it). V8's platform workers start with node. Then
 * the scenario's optional prewarm(ctx) starts whatever else it knows is
 * lazy (a module's cache, a pool, a log file).
 */
async function prewarm(sc, ctx) {
  try {
    await fs.promises.access(__filename);
  } catch {
    // the request ran on the threadpool either way
  }
  if (typeof sc.prewarm === 'function') await sc.prewarm(ctx);
}

/**
 * Runs one scenario file under the protocol, with the settings configure()
 * read. Returns true when its end record says ok.
 */
async function runScenario(file) {
  if (typeof global.gc !== 'function') {
    emit({ type: 'error', phase: 'startup', i: 0, message: 'gc() unavailable: run node with --expose-gc' });
    emit({ type: 'end', status: 'error', i: 0, t_ms: ms() });
    process.exitCode = 2;
    return false;
  }
  let sc;
  try {
    sc = require(path.resolve(file));
  } catch (err) {
    emit({ type: 'meta', protocol: 1, scenario: env.LEAKGATE_SCENARIO || file, variant: env.LEAKGATE_VARIANT || '', lang: 'js', iterations, sample_every: sampleEvery, pid: process.pid });
    fail('load', 0, err);
    return false;
  }
  const ctx = {
    iterations, sampleEvery,
    scenario: env.LEAKGATE_SCENARIO || sc.name,
    variant: env.LEAKGATE_VARIANT || '',
    root: env.LEAKGATE_ROOT || '',
  };
  emit({ type: 'meta', protocol: 1, scenario: sc.name || ctx.scenario, variant: ctx.variant, lang: 'js', iterations, sample_every: sampleEvery, pid: process.pid, node: process.version });

  let phase = 'baseline';
  let i = 0;
  heapFigures(); // finds the preload's page and warms its reader up
  try {
    await prewarm(sc, ctx);
    emit({ type: 'phase', name: 'baseline', i: 0, t_ms: ms() });
    await sample(sc, ctx, 'baseline', 0);
    phase = 'setup';
    emit({ type: 'phase', name: 'setup', i: 0, t_ms: ms() });
    if (typeof sc.setup === 'function') await sc.setup(ctx);
    await sample(sc, ctx, 'setup', 0);
    phase = 'iterate';
    emit({ type: 'phase', name: 'iterate', i: 0, t_ms: ms() });
    // The end record reports time spent iterating and time spent sampling
    // (forced GC included), so the harness can show the probe's overhead.
    const loopStart = ms();
    let sampleMs = 0;
    let done = iterations;
    let stopped = false;
    for (i = 0; i < iterations && !stopped; i++) {
      const r = sc.iterate(ctx, i);
      if (r && typeof r.then === 'function') await r;
      if ((i + 1) % sampleEvery === 0) {
        const t = ms();
        await sample(sc, ctx, 'iterate', i + 1);
        // Early stop: this sample is then the judged window's last.
        stopped = stopAsked(i + 1);
        if (stopped) done = i + 1;
        sitesSnapshot(i + 1, stopped);
        sampleMs += ms() - t;
      }
      if (heapSnap) sampleMs += await heapSnapAfter(i + 1);
    }
    const iterateMs = ms() - loopStart - sampleMs;
    phase = 'teardown';
    i = done;
    emit({ type: 'phase', name: 'teardown', i, t_ms: ms() });
    if (typeof sc.teardown === 'function') await sc.teardown(ctx);
    await sample(sc, ctx, 'teardown', done);
    const end = { type: 'end', status: 'ok', i: done, t_ms: ms(), iterate_ms: iterateMs, sample_ms: sampleMs };
    if (stopped) end.stopped = true;
    emit(end);
    return true;
  } catch (err) {
    fail(phase, i, err);
    return false;
  }
}

/** Ref'd handles and requests by type ({Timeout: 1, ...}): what keeps node alive. */
function resources() {
  const n = {};
  for (const r of process.getActiveResourcesInfo()) n[r] = (n[r] || 0) + 1;
  return n;
}

/**
 * Batch mode (`probe.js --batch PLAN`, written by the harness: see
 * harness/README.md, "Batched runs"): the scenarios of PLAN one after
 * another in this process, each with its own environment (process.env
 * becomes the one a run of its own would get, what the wrapper added
 * kept), working directory, argv, probe stream and clock, and its module
 * loaded afresh. The batch's
 * own stream (LEAKGATE_PROBE of the process) says which scenario ran when:
 * meta, then scenario_begin / scenario_end (status, and the ref'd handles
 * it left that were not there before it: "left") per scenario, then end.
 * The first scenario that does not end ok, or leaves a handle, ends the
 * batch at once (exit 1): the harness then runs every scenario on its own.
 */
async function runBatch(planFile) {
  const bout = process.env.LEAKGATE_PROBE ? fs.openSync(process.env.LEAKGATE_PROBE, 'a') : 2;
  const b0 = process.hrtime.bigint();
  const bms = () => Number(process.hrtime.bigint() - b0) / 1e6;
  const bemit = (rec) => fs.writeSync(bout, JSON.stringify(rec) + '\n');
  const stop = (why) => {
    bemit({ type: 'end', status: 'error', t_ms: bms(), message: why });
    process.exit(1); // the batch is discarded: nothing of it is judged
  };
  let plan;
  try {
    plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
    if (!Array.isArray(plan.runs)) throw new Error('no "runs" array');
  } catch (err) {
    bemit({ type: 'meta', protocol: 1, batch: 0, lang: 'js', pid: process.pid });
    stop(`plan ${planFile}: ${err && err.message}`);
    return;
  }
  bemit({ type: 'meta', protocol: 1, batch: plan.runs.length, variant: process.env.LEAKGATE_VARIANT || '', lang: 'js', pid: process.pid, node: process.version });
  const argv0 = process.argv[0];
  // The process's environment as it started (the harness's for the batch,
  // plus what the wrapper added); each scenario's is this with the
  // differences the harness wrote for it (its LEAKGATE_* settings).
  const base = { ...process.env };
  for (let k = 0; k < plan.runs.length; k++) {
    const run = plan.runs[k];
    const runEnv = { ...base, ...run.env };
    for (const key of run.unset || []) delete runEnv[key];
    for (const key of Object.keys(process.env)) if (!Object.hasOwn(runEnv, key)) delete process.env[key];
    Object.assign(process.env, runEnv);
    process.chdir(run.cwd);
    process.argv = [argv0, __filename, ...run.argv];
    const file = path.resolve(run.argv[0]);
    delete require.cache[file]; // its own module state, as in a process of its own
    bemit({ type: 'scenario_begin', index: k, scenario: run.scenario, t_ms: bms() });
    const before = resources();
    configure(process.env);
    let ok;
    try {
      ok = await runScenario(file);
    } finally {
      if (out !== 2) fs.closeSync(out);
    }
    delete require.cache[file];
    const after = resources();
    const left = Object.keys(after).filter((r) => after[r] > (before[r] || 0));
    bemit({ type: 'scenario_end', index: k, scenario: run.scenario, t_ms: bms(), status: ok ? 'ok' : 'error', left });
    if (!ok || left.length) stop(`${run.scenario} not clean`);
  }
  bemit({ type: 'end', status: 'ok', t_ms: bms() });
  if (bout !== 2) fs.closeSync(bout);
}

async function main() {
  if (process.argv[2] === '--batch' && process.argv[3]) {
    await runBatch(process.argv[3]);
    return;
  }
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --expose-gc probe.js <scenario.js> | --batch <plan.json>\n');
    process.exitCode = 2;
    return;
  }
  configure(process.env);
  try {
    await runScenario(file);
  } finally {
    if (out !== 2) fs.closeSync(out);
  }
}

main().catch((err) => {
  process.stderr.write(`probe.js: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 2;
});
