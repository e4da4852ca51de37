'use strict';
// forgotten-unsubscribe (negative control): each iteration subscribes and
// never unsubscribes, the classic listener leak of event-emitter APIs.
// close() at teardown frees it all, so only the growth during the run shows
// it: the harness must report LEAK; if it does not, EXPECTED-LEAK-MISSED.
const { evstore, stats } = require('./common');

let store;

module.exports = {
  name: 'forgotten-unsubscribe',
  setup() {
    store = new evstore.Store();
  },
  iterate(ctx, i) {
    store.watch('/orders/*').subscribe(() => {}); // forgotten
    store.set('/orders/1', `order-${i}`);
  },
  teardown() {
    store.close();
  },
  stats,
};
