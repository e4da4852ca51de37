'use strict';
// Shared helpers for the JS scenarios. The addon is loaded from this
// checkout; the wrapper picks build/$EVSTORE_VARIANT/addon/evstore.node.
// Scenarios report broken expectations by throwing (the harness records
// ERROR with the message); they never judge leaks themselves.

const evstore = require('../../addon');

/**
 * The addon's counters, merged into every probe sample. Its `threads` (the
 * core's dispatcher threads) is renamed so it does not hide the probe's own
 * count of the process's OS threads.
 */
function stats() {
  const { threads, ...rest } = evstore.nativeStats();
  return { ...rest, coreThreads: threads };
}

/** Throws with `msg` unless `cond` holds. */
function expect(cond, msg) {
  if (!cond) throw new Error(`expectation failed: ${msg}`);
}

/** Throws unless fn() throws an error with the given constructor and code. */
function expectThrows(fn, Ctor, code) {
  try {
    fn();
  } catch (err) {
    expect(err instanceof Ctor && err.code === code,
      `expected ${Ctor.name} ${code}, got ${err && err.name} ${err && err.code}`);
    return;
  }
  throw new Error(`expectation failed: expected ${Ctor.name} ${code}, nothing thrown`);
}

/**
 * Resolves when `count()` reaches `n`, polling on macrotask turns so the
 * addon's batches can arrive; rejects after `ms` so a lost event fails the
 * run instead of hanging it.
 */
function until(count, n, what, ms = 10000) {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (count() >= n) return resolve();
      if (Date.now() - t0 > ms) {
        return reject(new Error(`timeout waiting for ${what}: ${count()} of ${n}`));
      }
      setImmediate(poll);
    };
    poll();
  });
}

/**
 * A scenario that works on one default Store: setup(ctx) opens it as
 * ctx.store and teardown(ctx) closes it. `hooks` holds iterate and anything
 * else of the scenario module; a hook given there replaces the default one.
 */
function storeScenario(name, hooks) {
  return {
    name,
    setup(ctx) {
      ctx.store = new evstore.Store();
    },
    teardown(ctx) {
      ctx.store.close();
    },
    stats,
    ...hooks,
  };
}

module.exports = { evstore, stats, expect, expectThrows, until, storeScenario };
