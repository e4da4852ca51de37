'use strict';
// Tests of harness/probe/heapdiff.js (the JS heap attribution's diff tool).
//
//   node heapdiff_test.js HEAPDIFF_JS TMPDIR planted|malformed
//
// planted: a child node process takes a heap snapshot, then retains N
// instances of a class Planted (and N closures made at a known line) and
// takes another; heapdiff must name Planted as the top grower with count
// +N, the closures by file:line, and a retainer path through the holder.
// malformed: truncated and wrongly shaped snapshots, an empty and a missing
// file, garbage: each must be one line "heapdiff: FILE: ..." on stderr, exit
// status 1, nothing on stdout, no stack trace, well within a time limit.
// Exits 0 when every check held, 1 with the failed checks listed.

const assert = require('assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { check, finish } = require('./js_checks');

const [heapdiff, tmp, which] = process.argv.slice(2);
if (!heapdiff || !tmp || !['planted', 'malformed'].includes(which)) {
  process.stderr.write('usage: node heapdiff_test.js HEAPDIFF_JS TMPDIR planted|malformed\n');
  process.exit(2);
}
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(tmp, { recursive: true });

const N = 500;

// The child: its closures are made on line CLOSURE_LINE of planted.js.
const CHILD = `'use strict';
const v8 = require('v8');
class Planted {
  constructor(i) { this.a = i; this.b = i; this.c = i; this.d = i; this.e = i; this.f = i; }
}
class Holder { constructor() { this.items = []; this.hooks = []; } }
globalThis.holder = new Holder();
function hook(i) {
  return () => i; // CLOSURE_LINE
}
function plant(n) {
  for (let i = 0; i < n; i++) {
    holder.items.push(new Planted(i));
    holder.hooks.push(hook(i));
  }
}
// Compile the loop first, so that its code is in both snapshots.
plant(50);
holder.items.length = 0;
holder.hooks.length = 0;
global.gc();
v8.writeHeapSnapshot(process.argv[2]);
plant(Number(process.argv[4]));
global.gc();
v8.writeHeapSnapshot(process.argv[3]);
`;
const CLOSURE_LINE = CHILD.split('\n').findIndex((l) => l.includes('CLOSURE_LINE')) + 1;

function runHeapdiff(args) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [heapdiff, ...args], { encoding: 'utf8', timeout: 60000 });
  r.ms = Date.now() - t0;
  return r;
}

/** Two snapshots around planting n objects; returns their paths. */
function plantedSnapshots(n) {
  const script = path.join(tmp, 'planted.js');
  fs.writeFileSync(script, CHILD);
  const a = path.join(tmp, 'a.heapsnapshot');
  const b = path.join(tmp, 'b.heapsnapshot');
  const r = spawnSync(process.execPath, ['--expose-gc', script, a, b, String(n)], {
    encoding: 'utf8', timeout: 60000,
  });
  assert.strictEqual(r.status, 0, `child failed: ${r.stderr || r.error}`);
  return [a, b];
}

if (which === 'planted') {
  const [a, b] = plantedSnapshots(N);
  const r = runHeapdiff([a, b]);
  let out;
  check('heapdiff exits 0 with one JSON object', () => {
    assert.strictEqual(r.status, 0, `status ${r.status}, stderr: ${r.stderr}`);
    out = JSON.parse(r.stdout);
    assert.strictEqual(out.heapdiff, 1);
    assert.ok(Array.isArray(out.growers) && out.growers.length > 0, 'no growers');
  });
  if (out) {
    const top = out.growers[0];
    check('the top grower is Planted with count +N', () => {
      assert.strictEqual(top.name, 'Planted', `top grower: ${JSON.stringify(top)}`);
      assert.strictEqual(top.kind, 'object');
      assert.strictEqual(top.count, N);
      assert.ok(top.size >= N * 32, `size ${top.size}`);
    });
    check('Planted has a retainer path through the holder', () => {
      assert.ok(Array.isArray(top.retainers) && top.retainers.length >= 2,
        `retainers: ${JSON.stringify(top.retainers)}`);
      const p = top.retainers.join(' -> ');
      assert.match(p, /Holder\.items -> Array -> Planted$/, p);
      assert.match(p, /^global\.holder -> /, p);
    });
    check('the closures are named by planted.js:LINE with count +N', () => {
      const c = out.growers.find((g) => g.kind === 'closure' && g.count === N);
      assert.ok(c, `no closure grower of +${N}: ${JSON.stringify(out.growers.map((g) => [g.name, g.count]))}`);
      assert.strictEqual(c.location, `planted.js:${CLOSURE_LINE}`);
      assert.match(c.retainers.join(' -> '), /Holder\.hooks -> Array -> .*planted\.js:\d+\)$/);
    });
    check('--top bounds the growers', () => {
      const t = runHeapdiff(['--top', '1', a, b]);
      assert.strictEqual(t.status, 0, t.stderr);
      assert.strictEqual(JSON.parse(t.stdout).growers.length, 1);
    });
    check('a snapshot diffed with itself has no growers', () => {
      const t = runHeapdiff([a, a]);
      assert.strictEqual(t.status, 0, t.stderr);
      assert.deepStrictEqual(JSON.parse(t.stdout).growers, []);
    });
  }
} else {
  const [a] = plantedSnapshots(10);
  const good = fs.readFileSync(a);
  const meta = '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],' +
    '"node_types":[["object"]],"edge_fields":["type","name_or_index","to_node"],' +
    '"edge_types":[["property"]]}},';
  const cases = {
    'truncated.heapsnapshot': good.subarray(0, Math.floor(good.length / 2)),
    'truncated-at-the-end.heapsnapshot': good.subarray(0, good.length - 3),
    'an-array.heapsnapshot': '[1, 2, 3]\n',
    'no-meta.heapsnapshot': '{"snapshot":{},"nodes":[],"edges":[],"strings":[]}',
    'no-nodes.heapsnapshot': `${meta}"edges":[],"strings":["x"]}`,
    'nodes-not-a-multiple.heapsnapshot': `${meta}"nodes":[0,0,1,8],"edges":[],"strings":["x"]}`,
    'edge-out-of-range.heapsnapshot': `${meta}"nodes":[0,0,1,8,1],"edges":[0,0,5],"strings":["x"]}`,
    'edge-counts-wrong.heapsnapshot': `${meta}"nodes":[0,0,1,8,2],"edges":[0,0,0],"strings":["x"]}`,
    'name-out-of-range.heapsnapshot': `${meta}"nodes":[0,7,1,8,0],"edges":[],"strings":["x"]}`,
    'negative-number.heapsnapshot': `${meta}"nodes":[0,0,-1,8,0],"edges":[],"strings":["x"]}`,
    'strings-not-strings.heapsnapshot': `${meta}"nodes":[0,0,1,8,0],"edges":[],"strings":[1]}`,
    'trailing-garbage.heapsnapshot': `${meta}"nodes":[0,0,1,8,0],"edges":[],"strings":["x"]} x`,
    'garbage.heapsnapshot': Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]),
    'empty.heapsnapshot': '',
  };
  for (const [name, content] of Object.entries(cases)) fs.writeFileSync(path.join(tmp, name), content);
  const files = [...Object.keys(cases), 'does-not-exist.heapsnapshot'];
  for (const name of files) {
    const file = path.join(tmp, name);
    check(`${name}: one-line error, exit 1`, () => {
      // As either snapshot: A is reduced before B is read.
      for (const args of [[file, a], [a, file]]) {
        const r = runHeapdiff(args);
        assert.ok(r.status !== null, `did not finish (${r.error || r.signal})`);
        assert.ok(r.ms < 30000, `took ${r.ms} ms`);
        assert.strictEqual(r.status, 1, `status ${r.status}, stderr: ${r.stderr}`);
        assert.strictEqual(r.stdout, '', 'something on stdout');
        const lines = r.stderr.split('\n').filter(Boolean);
        assert.strictEqual(lines.length, 1, `stderr: ${r.stderr}`);
        assert.ok(lines[0].startsWith(`heapdiff: ${file}: `), lines[0]);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace');
      }
    });
  }
  check('usage errors exit 2', () => {
    for (const args of [[], [a], ['--top', 'x', a, a], ['--bogus', a, a]]) {
      const r = runHeapdiff(args);
      assert.strictEqual(r.status, 2, `${args.join(' ')}: status ${r.status}`);
      assert.match(r.stderr, /^heapdiff: /);
    }
  });
  check('a file over --max-mib is not read', () => {
    const r = runHeapdiff(['--max-mib', '1', a, a]);
    if (good.length > 1048576) {
      assert.strictEqual(r.status, 1);
      assert.match(r.stderr, /over the 1 MiB limit/);
    } else {
      assert.strictEqual(r.status, 0, r.stderr);
    }
  });
}

finish();
