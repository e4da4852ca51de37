'use strict';
// oversize-input: over-long paths, malformed paths, too-large values, bad
// patterns, wrong types and bad options against every entry point, each
// iteration. Proves each is refused with the documented error class and
// code, changes nothing (the stored value and the subscription count stay)
// and leaks nothing, native or JS.
const { evstore, stats, expect, expectThrows } = require('./common');

let store;
const longPath = '/' + 'x'.repeat(300);
const big = Buffer.alloc((1 << 19) + 1); // over the default half-ring limit

module.exports = {
  name: 'oversize-input',
  setup() {
    store = new evstore.Store();
    store.set('/keep', 'v');
  },
  iterate(ctx, i) {
    const over = longPath.slice(0, 257 + (i % 40));
    expectThrows(() => store.set(over, 'v'), RangeError, 'ERR_EVS_PATH_TOO_LONG');
    expectThrows(() => store.get(over), RangeError, 'ERR_EVS_PATH_TOO_LONG');
    expectThrows(() => store.delete(over), RangeError, 'ERR_EVS_PATH_TOO_LONG');
    expectThrows(() => store.set('/a//b', 'v'), RangeError, 'ERR_EVS_BAD_PATH');
    expectThrows(() => store.set('no-slash', 'v'), RangeError, 'ERR_EVS_BAD_PATH');
    expectThrows(() => store.set('/big', big), RangeError, 'ERR_EVS_VALUE_TOO_LARGE');
    expectThrows(() => store.watch('/a/**/b').subscribe(() => {}), RangeError, 'ERR_EVS_BAD_PATTERN');
    expectThrows(() => store.watch(over).subscribe(() => {}), RangeError, 'ERR_EVS_PATH_TOO_LONG');
    expectThrows(() => store.set(42, 'v'), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectThrows(() => store.watch('/a').subscribe(7), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectThrows(() => new evstore.Store({ queueSlots: 1000 }), RangeError, 'ERR_EVS_BAD_OPTION');
    expectThrows(() => evstore.Worker.bootstrap(store, { namespace: '/j/**/x' }), RangeError, 'ERR_EVS_BAD_PATTERN');
    expect(store.get('/keep') === 'v', 'stored value changed');
    expect(evstore.nativeStats().subscriptions === 0, 'a subscription was left behind');
  },
  teardown() {
    store.close();
  },
  stats,
};
