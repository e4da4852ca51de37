'use strict';
// operator-chains: take / filter / map / debounce chains built and torn
// down every iteration. Proves take(n) unsubscribes by itself after n
// events (native subscription freed), debounce timers are cleared on
// unsubscribe, filter/map see the right events, and memory stays flat.
const { evstore, storeScenario, expect, until } = require('./common');

module.exports = storeScenario('operator-chains', {
  async iterate(ctx, i) {
    const got = [];
    const taken = ctx.store.watch('/t/*').take(3).subscribe((e) => got.push(e.value));
    const mapped = [];
    const chain = ctx.store.watch('/m/**')
      .filter((e) => e.value.n % 2 === 0)
      .map((e) => e.value.n * 10)
      .subscribe((v) => mapped.push(v));
    let debounced = 0;
    const deb = ctx.store.watch('/d').debounce(1000).subscribe(() => debounced++);
    for (let k = 0; k < 5; k++) ctx.store.set('/t/x', `v${k}`);
    for (let k = 0; k < 6; k++) ctx.store.set(`/m/${k}`, { n: k });
    ctx.store.set('/d', 'x');
    await until(() => mapped.length, 3, 'mapped events');
    await until(() => got.length, 3, 'taken events');
    expect(taken.closed, 'take(3) did not unsubscribe itself');
    expect(got.join() === 'v0,v1,v2', `take delivered ${got.join()}`);
    expect(mapped.join() === '0,20,40', `filter/map delivered ${mapped.join()}`);
    chain.unsubscribe();
    deb.unsubscribe(); // clears the pending 1 s timer
    expect(debounced === 0, 'debounce fired early');
    expect(evstore.nativeStats().subscriptions === 0, 'subscriptions left');
  },
});
