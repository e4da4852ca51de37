'use strict';
// subscribe-churn: each iteration watches four patterns, writes events that
// reach them, waits for delivery, and unsubscribes all four. Proves native
// subscriptions are freed on unsubscribe and that no callback runs after
// unsubscribe() (flat mallocInUse/liveBlocks/heapUsed, subscriptions back to
// 0). Catches the planted leak-subscription defect.
const { evstore, stats, expect, until } = require('./common');

let store;
let seen = 0;
let late = 0;

module.exports = {
  name: 'subscribe-churn',
  setup() {
    store = new evstore.Store();
  },
  async iterate(ctx, i) {
    const subs = ['/users/*', '/users/**', '/**', '/users/1'].map((p) =>
      store.watch(p).subscribe((e) => {
        if (subs.closed) late++;
        seen++;
      }));
    const before = seen;
    for (let k = 0; k < 8; k++) store.set('/users/1', `value-${i}-${k}`);
    await until(() => seen - before, 32, 'events of this iteration');
    for (const s of subs) s.unsubscribe();
    subs.closed = true;
    store.set('/users/1', 'after-unsubscribe'); // must reach nobody
    expect(late === 0, `${late} callbacks ran after unsubscribe`);
  },
  async teardown() {
    store.close();
    expect(late === 0, `${late} callbacks ran after unsubscribe`);
  },
  stats,
};
