'use strict';
// The JS heap attribution on evstore's negative controls (release variant):
//
//   node heap_scenarios.js LEAKGATE ROOT OUTDIR
//
// runs `leakgate run --heapsnap leak` on retained-events.js (heapUsed grows:
// the subscriber keeps every event) and forgotten-unsubscribe.js (native
// memory grows; its heapUsed slope is too noisy to be flagged, hence "leak"
// rather than the default "auto"), then checks that each run's evidence
// names what leaks and how it is held, that the verdicts are the expected
// ones, that summary.md shows the lines, and that no snapshot is left.
// Exits 0 when every check held, 1 otherwise.

const assert = require('assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { check, finish } = require('./js_checks');

const [leakgate, root, out] = process.argv.slice(2);
if (!leakgate || !root || !out) {
  process.stderr.write('usage: node heap_scenarios.js LEAKGATE ROOT OUTDIR\n');
  process.exit(2);
}

const t0 = Date.now();
const r = spawnSync(leakgate, ['--root', root, 'run', '--variant', 'release',
  '--scenario', 'retained-events.js', '--scenario', 'forgotten-unsubscribe.js',
  '--shard', '1/1', '--heapsnap', 'leak', '--quiet', '--out', out], { encoding: 'utf8', timeout: 300000 });
process.stdout.write(`leakgate run: exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

let results = { runs: [] };
check('leakgate exits 0 (both negative controls caught)', () => {
  assert.strictEqual(r.status, 0, `status ${r.status}\n${r.stdout}\n${r.stderr}`);
  results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
});
const run = (name) => results.runs.find((x) => x.scenario === name && x.variant === 'release');

function perIteration(h, g) {
  return g.count / (h.to - h.from);
}

// The run of a negative control: caught (detected LEAK, so verdict PASS)
// with a JS heap attribution, whose evidence line is printed; returns the
// run and its attribution.
function attributed(name) {
  const x = run(name);
  assert.ok(x, 'no run');
  assert.strictEqual(x.detected, 'LEAK');
  assert.strictEqual(x.verdict, 'PASS');
  const h = x.heap_attribution;
  assert.ok(h && h.growers.length, `no attribution: ${x.evidence}`);
  process.stdout.write(`     ${x.evidence.slice(x.evidence.indexOf('JS heap'))}\n`);
  return { x, h };
}

check('retained-events.js: the kept events and their text, held by kept', () => {
  const { x, h } = attributed('retained-events.js');
  assert.match(x.evidence, /JS heap over iterations \d+\.\.\d+: .*\+8 Object \(\+\d+ B\).* per iteration; retained by .*Context\.kept -> Array -> Object/);
  const obj = h.growers.find((g) => g.name === 'Object');
  const str = h.growers.find((g) => g.name === '(string)');
  assert.ok(Math.abs(perIteration(h, obj) - 8) < 0.1, `Object ${perIteration(h, obj)}/it`);
  assert.ok(Math.abs(perIteration(h, str) - 4) < 0.1, `(string) ${perIteration(h, str)}/it`);
});

// The line of the forgotten callback, read from the scenario itself (so the
// scenario can change above it).
const forgottenSrc = fs.readFileSync(path.join(root, 'scenarios', 'js', 'forgotten-unsubscribe.js'), 'utf8');
const forgottenAt = `forgotten-unsubscribe.js:${forgottenSrc.split('\n').findIndex((l) => l.endsWith('// forgotten')) + 1}`;

check('forgotten-unsubscribe.js: Subscription and the callback by file:line, held by the store', () => {
  const { x, h } = attributed('forgotten-unsubscribe.js');
  assert.match(x.evidence, /JS heap over iterations \d+\.\.\d+: \+1 Subscription \(\+\d+ B\), \+1 closure \(forgotten-unsubscribe\.js:\d+\) \(\+\d+ B\)/);
  assert.ok(x.evidence.includes(`+1 closure (${forgottenAt})`), `no closure at ${forgottenAt}: ${x.evidence}`);
  assert.match(x.evidence, /retained by .*Store\._active -> Set\.table -> \(array\) -> Subscription/);
  const cb = h.growers.find((g) => g.kind === 'closure' && g.location === forgottenAt);
  assert.ok(cb, `no closure grower at ${forgottenAt}`);
  assert.match(cb.retainers.join(' -> '), /Store\._table -> Object\.subs -> Array -> closure/);
});

check('summary.md shows both lines', () => {
  const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
  assert.match(md, /## JS heap attribution/);
  assert.match(md, /\*\*retained-events\.js \/ release\*\*: JS heap over iterations/);
  assert.match(md, /\*\*forgotten-unsubscribe\.js \/ release\*\*: JS heap over iterations/);
});

check('no .heapsnapshot file is left', () => {
  const left = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.heapsnapshot')) left.push(p);
    }
  };
  walk(out);
  assert.deepStrictEqual(left, []);
});

finish();
