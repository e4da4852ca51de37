'use strict';
// Shared helpers of the addon tests (not a test file itself).
const assert = require('node:assert/strict');
const evstore = require('..');

/** Resolves once pred() is true; rejects after `ms`. */
function waitFor(pred, ms = 10000, what = 'condition') {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (pred()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 1);
    };
    poll();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Lets pending tsfn calls and immediates run. */
const tick = () => new Promise((r) => setImmediate(r));

/** Every native handle count and core block back to zero. */
function assertNativeClean(label = '') {
  const s = evstore.nativeStats();
  const want = { stores: 0, subscriptions: 0, tsfns: 0, workers: 0,
    threads: 0, liveBlocks: 0, liveBytes: 0 };
  const got = {};
  for (const k of Object.keys(want)) got[k] = s[k];
  assert.deepEqual(got, want, `native stats not back to zero ${label}`);
}

/** Asserts that fn throws an instance of Ctor with the given code. */
function throwsCode(fn, Ctor, code, msgRe) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Ctor, `expected ${Ctor.name}, got ${err && err.constructor.name}: ${err && err.message}`);
    assert.equal(err.code, code, `code of: ${err.message}`);
    if (msgRe) assert.match(err.message, msgRe);
    return true;
  });
}

/**
 * Runs `body(errors)` with the process's uncaughtException listeners
 * replaced by one that collects every uncaught error into `errors`; the
 * original listeners are back once it settles, whatever the outcome.
 */
async function collectUncaught(body) {
  const errors = [];
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const onErr = (err) => errors.push(err);
  process.on('uncaughtException', onErr);
  try {
    return await body(errors);
  } finally {
    process.removeListener('uncaughtException', onErr);
    for (const l of listeners) process.on('uncaughtException', l);
  }
}

module.exports = { evstore, waitFor, sleep, tick, assertNativeClean, throwsCode, collectUncaught };
