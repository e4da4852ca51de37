'use strict';
// The leakgate JS probe: runs a scenario module under the leakgate probe
// protocol (JSON Lines on the file named by LEAKGATE_PROBE; see
// harness/README.md).
//
//   node --expose-gc harness/probe/probe.js scenarios/js/<name>.js
//
// Scenario module: { name, async setup(ctx), iterate(ctx, i) (may return a
// Promise), async teardown(ctx), stats() (optional: extra numeric metrics,
// e.g. the addon's nativeStats(), merged into every sample) }.
// Every sample is taken after forced garbage collection (gc() twice with a
// macrotask turn after each, so that finalizers and weak callbacks run).
// Each record is written with one synchronous write, so a crash leaves a
// readable prefix. The scenario never judges itself: the harness does.

const fs = require('fs');
const path = require('path');

const env = process.env;
const iterations = intEnv('LEAKGATE_ITERATIONS', 1000);
const sampleEvery = Math.max(1, intEnv('LEAKGATE_SAMPLE_EVERY', 10));
const out = env.LEAKGATE_PROBE ? fs.openSync(env.LEAKGATE_PROBE, 'a') : 2;
const t0 = process.hrtime.bigint();

function intEnv(name, dflt) {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : dflt;
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
  if (typeof sc.stats === 'function') {
    const extra = sc.stats(ctx) || {};
    for (const [k, v] of Object.entries(extra)) {
      if (typeof v === 'number' && Number.isFinite(v) && !(k in { type: 1, phase: 1, i: 1, t_ms: 1 })) {
        rec[k] = v;
      }
    }
  }
  emit(rec);
}

function fail(phase, i, err) {
  const message = err && err.message !== undefined ? String(err.message) : String(err);
  emit({ type: 'error', phase, i, message, stack: err && err.stack ? String(err.stack) : undefined });
  emit({ type: 'end', status: 'error', i, t_ms: ms() });
  // exitCode, not exit(): an abrupt exit makes LSan list node's own memory.
  process.exitCode = 1;
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --expose-gc probe.js <scenario.js>\n');
    process.exitCode = 2;
    return;
  }
  if (typeof global.gc !== 'function') {
    emit({ type: 'error', phase: 'startup', i: 0, message: 'gc() unavailable: run node with --expose-gc' });
    emit({ type: 'end', status: 'error', i: 0, t_ms: ms() });
    process.exitCode = 2;
    return;
  }
  let sc;
  try {
    sc = require(path.resolve(file));
  } catch (err) {
    emit({ type: 'meta', protocol: 1, scenario: env.LEAKGATE_SCENARIO || file, variant: env.LEAKGATE_VARIANT || '', lang: 'js', iterations, sample_every: sampleEvery, pid: process.pid });
    fail('load', 0, err);
    return;
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
  try {
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
    for (i = 0; i < iterations; i++) {
      const r = sc.iterate(ctx, i);
      if (r && typeof r.then === 'function') await r;
      if ((i + 1) % sampleEvery === 0) {
        const t = ms();
        await sample(sc, ctx, 'iterate', i + 1);
        sampleMs += ms() - t;
      }
    }
    const iterateMs = ms() - loopStart - sampleMs;
    phase = 'teardown';
    i = iterations;
    emit({ type: 'phase', name: 'teardown', i, t_ms: ms() });
    if (typeof sc.teardown === 'function') await sc.teardown(ctx);
    await sample(sc, ctx, 'teardown', iterations);
    emit({ type: 'end', status: 'ok', i: iterations, t_ms: ms(), iterate_ms: iterateMs, sample_ms: sampleMs });
  } catch (err) {
    fail(phase, i, err);
  }
}

main().catch((err) => {
  process.stderr.write(`probe.js: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 2;
}).finally(() => {
  if (out !== 2) fs.closeSync(out);
});
