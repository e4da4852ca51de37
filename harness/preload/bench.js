'use strict';
// What liblgheap.so costs: medians of interleaved runs with and without it.
//
//   node harness/preload/bench.js [BUILD_DIR] [--runs N] [--pairs N] [--only GLOB]
//
// 1. lgheap_bench (malloc/free pairs, 1 and 2 threads): ns per pair;
// 2. every JS scenario of scenarios/manifest.json that runs in release, as
//    the release variant runs it (its iterations, sample_every, env), wall
//    time of the whole node process.
// Runs alternate (without, with, without, with, ...) so that drift in the
// machine's load hits both sides alike. Timings are printed, never asserted.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const k = args.indexOf(name);
  return k >= 0 ? args.splice(k, 2)[1] : dflt;
};
const runs = Number(opt('--runs', '5'));
const pairs = opt('--pairs', '5000000');
const only = opt('--only', '');
const build = path.resolve(args[0] || path.join(root, 'build/release'));
const preload = path.join(build, 'harness/preload/liblgheap.so');
const benchBin = path.join(build, 'harness/preload/lgheap_bench');
for (const f of [preload, benchBin]) {
  if (!fs.existsSync(f)) {
    process.stderr.write(`bench.js: ${f} missing (build the preset first)\n`);
    process.exit(2);
  }
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const baseEnv = { ...process.env };
delete baseEnv.LD_PRELOAD;

function interleave(run) {
  const off = [], on = [];
  for (let r = 0; r < runs; r++) {
    off.push(run(false));
    on.push(run(true));
  }
  return { off: median(off), on: median(on) };
}

function cBench(threads) {
  return interleave((withPreload) => {
    const r = spawnSync(benchBin, [pairs, String(threads)], {
      env: withPreload ? { ...baseEnv, LD_PRELOAD: preload } : baseEnv, encoding: 'utf8',
    });
    const m = /ns_per_pair ([0-9.]+)/.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error(`lgheap_bench failed: ${r.stderr}`);
    return Number(m[1]);
  });
}

const lines = [];
const out = (s) => { lines.push(s); process.stdout.write(s + '\n'); };
out(`liblgheap.so cost, medians of ${runs} interleaved runs (${build})`);
out('');
out('| malloc/free pairs | without | with | ratio |');
out('|---|---|---|---|');
for (const t of [1, 2]) {
  const r = cBench(t);
  out(`| ${t} thread${t > 1 ? 's' : ''}, ${pairs} pairs each | ${r.off.toFixed(1)} ns | ${r.on.toFixed(1)} ns | ${(r.on / r.off).toFixed(2)}x |`);
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'scenarios/manifest.json'), 'utf8'));
const release = manifest.variants.find((v) => v.name === 'release');
const d = { ...manifest.defaults, ...manifest.defaults.js };
const envOf = (withPreload) => {
  const e = { ...baseEnv, LEAKGATE_ROOT: root, LEAKGATE_BUILD: build, LEAKGATE_VARIANT: 'release', LEAKGATE_PROBE: '/dev/null' };
  for (const [k, v] of Object.entries(release.env || {})) {
    if (k !== 'LD_PRELOAD') e[k] = v.replace(/\{build\}/g, build).replace(/\{root\}/g, root);
  }
  if (withPreload) e.LD_PRELOAD = preload;
  return e;
};
out('');
out('| JS scenario (release, manifest iterations) | without | with | ratio |');
out('|---|---|---|---|');
let worst = 0;
for (const sc of manifest.scenarios) {
  if (sc.lang !== 'js' || (sc.variants && !sc.variants.includes('release'))) continue;
  if (only && !sc.name.includes(only)) continue;
  const iters = typeof sc.iterations === 'object' ? sc.iterations.default : (sc.iterations ?? d.iterations);
  const every = sc.sample_every ?? d.sample_every;
  const r = interleave((withPreload) => {
    const e = { ...envOf(withPreload), LEAKGATE_SCENARIO: sc.name, LEAKGATE_ITERATIONS: String(iters), LEAKGATE_SAMPLE_EVERY: String(every) };
    const t0 = process.hrtime.bigint();
    const p = spawnSync('node', ['--expose-gc', path.join(root, 'harness/probe/probe.js'), path.join(root, 'scenarios/js', sc.program)], { env: e, encoding: 'utf8', cwd: root });
    if (p.status !== 0) throw new Error(`${sc.name} exited ${p.status}: ${p.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
  worst = Math.max(worst, r.on / r.off);
  out(`| ${sc.name} (${iters}) | ${(r.off / 1000).toFixed(2)} s | ${(r.on / 1000).toFixed(2)} s | ${(r.on / r.off).toFixed(2)}x |`);
}
out('');
out(`worst JS ratio ${worst.toFixed(2)}x`);
