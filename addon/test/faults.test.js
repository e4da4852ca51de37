'use strict';
// The addon's planted defects (fault builds, selected by EVS_FAULT) do what
// the harness self-test expects; a build without fault points refuses them.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { evstore } = require('./helpers');

const compiled = evstore._internal.native.faultsCompiled === 1;
const lib = JSON.stringify(path.resolve(__dirname, '..'));

function child(code, fault) {
  const env = { ...process.env };
  delete env.EVS_FAULT;
  if (fault !== undefined) env.EVS_FAULT = fault;
  // The skip-tsfn-release child ends with process.exit(): node's own
  // allocations would then show up as leaks.
  env.ASAN_OPTIONS = `${env.ASAN_OPTIONS || ''}:detect_leaks=0`;
  const r = spawnSync(process.execPath, ['-e', code], { env, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const tsfnChild = `
const { Store, nativeStats } = require(${lib});
const s = new Store();
s.watch('/**').subscribe(() => {});
s.set('/a', 'b');
s.close();
console.log('tsfns=' + nativeStats().tsfns);
setTimeout(() => { console.log('still-alive'); process.exit(0); }, 300).unref();
`;

const retainChild = `
const evstore = require(${lib});
const s = new evstore.Store();
let n = 0;
s.watch('/**').subscribe(() => { n++; if (n === 500) { console.log('retained=' + evstore._internal.retainedEvents.length); s.close(); } });
for (let i = 0; i < 500; i++) s.set('/r/' + (i % 5), 'x' + i);
`;

test('without EVS_FAULT: the tsfn is released and node exits by itself', () => {
  const r = child(tsfnChild);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /tsfns=0/);
  assert.doesNotMatch(r.out, /still-alive/);
  const r2 = child(retainChild);
  assert.equal(r2.status, 0, r2.err);
  assert.match(r2.out, /retained=0/);
});

test('skip-tsfn-release keeps the tsfn counted and the loop alive', { skip: !compiled && 'no fault points in this build' }, () => {
  const r = child(tsfnChild, 'skip-tsfn-release');
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /tsfns=1/);
  assert.match(r.out, /still-alive/);
});

test('retain-js-events keeps every delivered event object', { skip: !compiled && 'no fault points in this build' }, () => {
  const r = child(retainChild, 'retain-js-events');
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /retained=500/);
});

test('an unknown fault name is refused at load', { skip: !compiled && 'no fault points in this build' }, () => {
  const r = child(`try { require(${lib}); } catch (e) { console.log(e.code); }`, 'no-such-fault');
  assert.match(r.out, /ERR_EVS_FAULT_NAME/);
  assert.match(r.err, /unknown fault 'no-such-fault'/);
});

test('a build without fault points refuses EVS_FAULT', { skip: compiled && 'this build has fault points' }, () => {
  const r = child(`try { require(${lib}); } catch (e) { console.log(e.code); }`, 'retain-js-events');
  assert.match(r.out, /ERR_EVS_NOT_SUPPORTED/);
});
