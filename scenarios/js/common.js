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

// A futex word nobody ever wakes: Atomics.wait on it is a plain sleep.
const napWord = new Int32Array(new SharedArrayBuffer(4));

/**
 * Resolves when `count()` reaches `n`; rejects after `ms` so a lost event
 * fails the run instead of hanging it. It polls once per event-loop turn
 * (setImmediate), so the addon's batches can arrive between polls. After
 * two polls without progress each further one first sleeps, 50 us doubling
 * up to 1 ms, until the count moves again. A loop that only spins keeps its
 * CPU busy, and with two runs on two CPUs that is the CPU the store's
 * dispatcher thread needs to deliver what we wait for (measured: release
 * subscribe-churn.js 1.3 s alone, 6.2 s beside another JS run, 2.4 s with
 * the sleeps). A timer would not do: the worker API is polled, so nothing
 * wakes the loop when its events arrive.
 */
function until(count, n, what, ms = 10000) {
  const t0 = Date.now();
  let last = -1;
  let idle = 0;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const c = count();
      if (c >= n) return resolve();
      if (Date.now() - t0 > ms) {
        return reject(new Error(`timeout waiting for ${what}: ${c} of ${n}`));
      }
      idle = c === last ? idle + 1 : 0;
      last = c;
      if (idle >= 2) Atomics.wait(napWord, 0, 0, Math.min(1, 0.05 * 2 ** (idle - 2)));
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
