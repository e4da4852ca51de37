'use strict';
// A JS scenario run by probe.js with liblgheap.so preloaded must carry the
// process's native heap in mallocInUse / mallocBlocks, with no addon and no
// stats(): +16 MiB after setup, +100000 bytes per iteration, back to the
// baseline after teardown; and without the preload the probe must not
// invent the figure.
//
//   node preload_js.js PROBE_JS LD_PRELOAD_VALUE OUT_DIR
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const [probe, preload, outDir] = process.argv.slice(2);
const scenario = path.join(__dirname, 'js', 'native-buffers.js');
const MiB = 1 << 20;
// node allocates on its own too (compiled code, handles): the figure is the
// whole process, so deltas are checked to within this much.
const TOL = 512 * 1024;
let failures = 0;

function check(cond, msg) {
  if (!cond) {
    failures++;
    process.stderr.write(`FAIL: ${msg}\n`);
  }
}

function run(name, env) {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}.jsonl`);
  fs.rmSync(file, { force: true });
  const r = spawnSync(process.execPath, ['--expose-gc', probe, scenario], {
    env: { ...env, LEAKGATE_PROBE: file, LEAKGATE_ITERATIONS: '40', LEAKGATE_SAMPLE_EVERY: '10' },
    encoding: 'utf8',
  });
  check(r.status === 0, `${name}: probe exited ${r.status} ${r.stderr}`);
  const recs = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const samples = recs.filter((r) => r.type === 'sample');
  const at = (phase, i) => samples.find((s) => s.phase === phase && s.i === i);
  return { base: at('baseline', 0), setup: at('setup', 0), i10: at('iterate', 10), i40: at('iterate', 40), end: at('teardown', 40) };
}

const env = { ...process.env };
delete env.LD_PRELOAD;
// In the asan preset the preload is libasan:liblgheap.so: node's own
// allocations at exit are not this test's business.
const asanEnv = preload.includes('libasan') ? { ASAN_OPTIONS: 'detect_leaks=0' } : {};
const s = run('preloaded', { ...env, ...asanEnv, LD_PRELOAD: preload });
for (const k of ['base', 'setup', 'i10', 'i40', 'end']) {
  check(s[k] && Number.isFinite(s[k].mallocInUse) && Number.isFinite(s[k].mallocBlocks),
    `preloaded: sample ${k} has no mallocInUse/mallocBlocks`);
}
if (failures === 0) {
  const near = (got, want, what) =>
    check(Math.abs(got - want) <= TOL, `${what}: ${got} bytes, expected ${want} +- ${TOL}`);
  near(s.setup.mallocInUse - s.base.mallocInUse, 16 * MiB, 'setup - baseline');
  check(s.setup.mallocBlocks - s.base.mallocBlocks >= 16, 'setup added fewer than 16 blocks');
  near(s.i40.mallocInUse - s.i10.mallocInUse, 30 * 100000, 'iterations 10..40');
  near(s.end.mallocInUse - s.base.mallocInUse, 0, 'teardown - baseline');
  process.stdout.write(`baseline ${s.base.mallocInUse} B / ${s.base.mallocBlocks} blocks; ` +
    `setup +${s.setup.mallocInUse - s.base.mallocInUse}; iterations 10..40 ` +
    `+${s.i40.mallocInUse - s.i10.mallocInUse}; teardown ${s.end.mallocInUse - s.base.mallocInUse}\n`);
}
const bare = run('bare', env);
check(bare.base && !('mallocInUse' in bare.base) && !('mallocBlocks' in bare.base),
  'without the preload the probe reported a native heap figure');
process.exitCode = failures ? 1 : 0;
