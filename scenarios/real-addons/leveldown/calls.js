'use strict';
// leveldown: getMany() in 6.0.x/6.1.0 copies every key of the array into a
// new[] buffer (LD_STRING_OR_BUFFER_TO_COPY in KeyArray) and never frees it:
// one leaked copy per key per call. Fixed in 6.1.1 by `delete [] toCh_`
// (https://github.com/Level/leveldown/pull/804, issue
// https://github.com/Level/leveldown/issues/790).
// One getMany() of 16 keys x 64 chars per iteration: expected leak
// ~16 x (64 + 1) bytes plus malloc overhead, ~1.1-1.3 KB per iteration.
const fs = require('fs');
const os = require('os');
const path = require('path');
const leveldown = require('./addon');

const keys = [];
for (let k = 0; k < 16; k++) keys.push(('key-' + k + '-').padEnd(64, 'x'));

const p = (fn) => new Promise((resolve, reject) =>
  fn((err, v) => (err ? reject(err) : resolve(v))));

async function openDb(dir) {
  const db = leveldown(dir);
  await p((cb) => db.open(cb));
  return db;
}

module.exports = {
  name: 'calls',
  // leveldb starts its background (compaction) thread on first use and keeps
  // it: start it before the baseline, with a scratch database.
  async prewarm(ctx) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-leveldown-warm-'));
    const db = await openDb(dir);
    await p((cb) => db.put('warm', 'up', cb));
    await p((cb) => db.getMany(['warm'], cb));
    await p((cb) => db.close(cb));
    fs.rmSync(dir, { recursive: true, force: true });
  },
  async setup(ctx) {
    ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-leveldown-'));
    ctx.db = await openDb(ctx.dir);
    for (const k of keys) await p((cb) => ctx.db.put(k, 'value-' + k, cb));
  },
  async iterate(ctx) {
    const values = await p((cb) => ctx.db.getMany(keys, cb));
    ctx.last = values.length;
  },
  async teardown(ctx) {
    await p((cb) => ctx.db.close(cb));
    fs.rmSync(ctx.dir, { recursive: true, force: true });
  },
};
