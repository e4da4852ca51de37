'use strict';
// index.d.ts and the runtime API agree: the same exports, and each declared
// class has exactly the declared public methods and getters.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { evstore } = require('./helpers');

const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');

function declaredClasses() {
  const out = {};
  const re = /export declare class (\w+)(?:<[^>]*>)? \{([\s\S]*?)\n\}/g;
  let m;
  while ((m = re.exec(dts)) !== null) {
    const members = { methods: new Set(), statics: new Set(), getters: new Set() };
    for (const line of m[2].split('\n')) {
      const t = line.trim();
      let mm;
      if ((mm = /^static (\w+)\s*[(<]/.exec(t))) members.statics.add(mm[1]);
      else if ((mm = /^readonly (\w+)\s*:/.exec(t))) members.getters.add(mm[1]);
      else if ((mm = /^(\w+)\s*(?:<[^>]*>)?\(/.exec(t)) && mm[1] !== 'constructor') members.methods.add(mm[1]);
    }
    out[m[1]] = members;
  }
  return out;
}

test('exports match index.d.ts', () => {
  const declared = new Set();
  for (const m of dts.matchAll(/export declare (?:class|function) (\w+)/g)) declared.add(m[1]);
  assert.deepEqual([...declared].sort(), Object.keys(evstore).sort());
  assert.equal(typeof evstore.nativeStats, 'function');
});

test('class members match index.d.ts', () => {
  for (const [name, decl] of Object.entries(declaredClasses())) {
    const cls = evstore[name];
    assert.equal(typeof cls, 'function', name);
    const methods = new Set();
    const getters = new Set();
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      if (key === 'constructor' || key.startsWith('_')) continue;
      const d = Object.getOwnPropertyDescriptor(cls.prototype, key);
      if (d.get) getters.add(key);
      else methods.add(key);
    }
    const statics = new Set(Object.getOwnPropertyNames(cls)
      .filter((k) => typeof cls[k] === 'function' && !k.startsWith('_')));
    assert.deepEqual([...methods].sort(), [...decl.methods].sort(), `${name} methods`);
    assert.deepEqual([...getters].sort(), [...decl.getters].sort(), `${name} getters`);
    assert.deepEqual([...statics].sort(), [...decl.statics].sort(), `${name} statics`);
  }
});

test('package.json points at the wrapper and the types', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'evstore');
  assert.equal(require.resolve(path.join(__dirname, '..')), path.join(__dirname, '..', pkg.main));
  assert.ok(fs.existsSync(path.join(__dirname, '..', pkg.types)));
  assert.match(pkg.engines.node, />=\s*18/);
  for (const f of pkg.files) if (f !== 'evstore.node') assert.ok(fs.existsSync(path.join(__dirname, '..', f)), f);
});

test('a missing native module is a clear error naming what was tried', () => {
  const { spawnSync } = require('node:child_process');
  const env = { ...process.env, EVSTORE_ADDON: '/nonexistent/evstore.node' };
  const r = spawnSync(process.execPath, ['-e',
    `try { require(${JSON.stringify(path.join(__dirname, '..'))}); } catch (e) { console.log(e.code + ' ' + e.message); }`],
  { env, encoding: 'utf8' });
  assert.match(r.stdout, /ERR_EVS_ADDON_NOT_FOUND/);
  assert.match(r.stdout, /\/nonexistent\/evstore\.node \(EVSTORE_ADDON\)/);
  const env2 = { ...process.env, EVSTORE_VARIANT: 'no-such-variant' };
  delete env2.EVSTORE_ADDON;
  const r2 = spawnSync(process.execPath, ['-e',
    `try { require(${JSON.stringify(path.join(__dirname, '..'))}); } catch (e) { console.log(e.code + ' ' + e.message); }`],
  { env: env2, encoding: 'utf8' });
  assert.match(r2.stdout, /build\/no-such-variant\/addon\/evstore\.node/);
  assert.match(r2.stdout, /prebuilt/);
});
