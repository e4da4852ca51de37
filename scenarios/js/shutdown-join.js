'use strict';
// shutdown-join: each iteration opens a store, subscribes, bursts 300
// events and closes with events still in flight; closes a second time;
// every later call throws ERR_EVS_CLOSED; every third iteration closes from
// inside a callback instead. Proves the dispatcher thread is joined and the
// threadsafe function released every time (threads and tsfns back to
// baseline, stores 0) and nothing leaks. Catches no-thread-join and
// skip-tsfn-release.
const { evstore, stats, expect, expectThrows, until } = require('./common');

module.exports = {
  name: 'shutdown-join',
  setup() {},
  async iterate(ctx, i) {
    const store = new evstore.Store();
    let seen = 0;
    const insideClose = i % 3 === 2;
    store.watch('/**').subscribe(() => {
      seen++;
      if (insideClose && seen === 10) store.close();
    });
    for (let k = 0; k < 300; k++) store.set('/burst/k', '0123456789');
    if (insideClose) await until(() => (store.closed ? 1 : 0), 1, 'close inside callback');
    store.close();
    store.close();
    expect(store.closed, 'closed flag');
    expectThrows(() => store.set('/after', 'v'), Error, 'ERR_EVS_CLOSED');
    expectThrows(() => store.watch('/**').subscribe(() => {}), Error, 'ERR_EVS_CLOSED');
    expectThrows(() => store.getEventQueueStats(), Error, 'ERR_EVS_CLOSED');
    // Give any (wrongly) late callback a turn to show itself.
    const at = seen;
    await new Promise((r) => setImmediate(r));
    expect(seen === at, 'callback ran after close()');
  },
  teardown() {},
  stats,
};
