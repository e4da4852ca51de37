'use strict';
// e2e scenario: allocates short-lived arrays; must PASS.
let sink = null;
module.exports = {
  name: 'js-clean',
  async setup(ctx) { ctx.n = 0; },
  iterate(ctx, i) {
    const a = new Array(100).fill(i);
    sink = a;
    ctx.n += a.length;
  },
  async teardown() { sink = null; },
};
