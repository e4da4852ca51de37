'use strict';
// What liblgheap.so costs: medians of interleaved runs without it, with it
// counting only, and with it also sampling allocation sites (as the harness
// runs it: LEAKGATE_HEAP_SITES set, snapshots at the window's ends).
//
//   node harness/preload/bench.js [BUILD_DIR] [--runs N] [--pairs N] [--only GLOB]
//
// 1. lgheap_bench (malloc/free pairs, 1 and 2 threads): ns per pair;
// 2. every JS scenario of scenarios/manifest.json that runs in release, as
//    the release variant runs it (its iterations, sample_every, env), wall
//    time of the whole node process.
// Runs alternate (without, with, sites, without, ...) so that drift in the
// machine's load hits every side alike. Timings are printed, never asserted.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
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

// mode 0: no preload; 1: the preload counting; 2: the preload counting and
// sampling sites into a fresh table (removed after the run).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lgheap-bench-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
function withMode(env, mode) {
  const e = { ...env };
  delete e.LD_PRELOAD;
  delete e.LEAKGATE_HEAP_SITES;
  if (mode >= 1) e.LD_PRELOAD = preload;
  if (mode === 2) e.LEAKGATE_HEAP_SITES = path.join(tmp, 'heap-sites');
  return e;
}
function clean() {
  for (const f of fs.readdirSync(tmp)) fs.rmSync(path.join(tmp, f), { force: true });
}

function interleave(run) {
  const t = [[], [], []];
  for (let r = 0; r < runs; r++) {
    for (let mode = 0; mode < 3; mode++) {
      t[mode].push(run(mode));
      clean();
    }
  }
  return { off: median(t[0]), on: median(t[1]), sites: median(t[2]) };
}
const row = (name, r, fmt) =>
  `| ${name} | ${fmt(r.off)} | ${fmt(r.on)} | ${fmt(r.sites)} | ${(r.on / r.off).toFixed(2)}x | ${(r.sites / r.off).toFixed(2)}x |`;

function cBench(threads) {
  return interleave((mode) => {
    const r = spawnSync(benchBin, [pairs, String(threads)], { env: withMode(baseEnv, mode), encoding: 'utf8' });
    const m = /ns_per_pair ([0-9.]+)/.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error(`lgheap_bench failed: ${r.stderr}`);
    return Number(m[1]);
  });
}

const lines = [];
const out = (s) => { lines.push(s); process.stdout.write(s + '\n'); };
out(`liblgheap.so cost, medians of ${runs} interleaved runs (${build})`);
out('');
out('| malloc/free pairs | without | counting | counting + sites | ratio | ratio with sites |');
out('|---|---|---|---|---|---|');
for (const t of [1, 2]) {
  const r = cBench(t);
  out(row(`${t} thread${t > 1 ? 's' : ''}, ${pairs} pairs each`, r, (v) => `${v.toFixed(1)} ns`));
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'scenarios/manifest.json'), 'utf8'));
const release = manifest.variants.find((v) => v.name === 'release');
const d = { ...manifest.defaults, ...manifest.defaults.js };
const envOf = (mode) => {
  const e = { ...baseEnv, LEAKGATE_ROOT: root, LEAKGATE_BUILD: build, LEAKGATE_VARIANT: 'release', LEAKGATE_PROBE: '/dev/null' };
  for (const [k, v] of Object.entries(release.env || {})) {
    if (k !== 'LD_PRELOAD') e[k] = v.replace(/\{build\}/g, build).replace(/\{root\}/g, root);
  }
  return withMode(e, mode);
};
out('');
out('| JS scenario (release, manifest iterations) | without | counting | counting + sites | ratio | ratio with sites |');
out('|---|---|---|---|---|---|');
let worst = 0;
for (const sc of manifest.scenarios) {
  if (sc.lang !== 'js' || (sc.variants && !sc.variants.includes('release'))) continue;
  if (only && !sc.name.includes(only)) continue;
  const iters = typeof sc.iterations === 'object' ? sc.iterations.default : (sc.iterations ?? d.iterations);
  const every = sc.sample_every ?? d.sample_every;
  const warmup = sc.warmup ?? d.warmup;
  const r = interleave((mode) => {
    const e = { ...envOf(mode), LEAKGATE_SCENARIO: sc.name, LEAKGATE_ITERATIONS: String(iters), LEAKGATE_SAMPLE_EVERY: String(every), LEAKGATE_WARMUP: String(warmup) };
    const t0 = process.hrtime.bigint();
    const p = spawnSync('node', ['--expose-gc', path.join(root, 'harness/probe/probe.js'), path.join(root, 'scenarios/js', sc.program)], { env: e, encoding: 'utf8', cwd: root });
    if (p.status !== 0) throw new Error(`${sc.name} exited ${p.status}: ${p.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
  worst = Math.max(worst, r.on / r.off, r.sites / r.off);
  out(row(`${sc.name} (${iters})`, r, (v) => `${(v / 1000).toFixed(2)} s`));
}
out('');
out(`worst JS ratio ${worst.toFixed(2)}x`);
