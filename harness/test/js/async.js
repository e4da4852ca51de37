'use strict';
// e2e scenario: asynchronous iterate (a timer turn per iteration); must PASS.
module.exports = {
  name: 'js-async',
  async setup() {},
  iterate() {
    return new Promise((resolve) => setImmediate(resolve));
  },
  async teardown() {},
};
