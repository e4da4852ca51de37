'use strict';
// e2e scenario: iterate throws at iteration 3; must be ERROR.
module.exports = {
  name: 'js-throws',
  iterate(ctx, i) {
    if (i === 3) throw new Error('planted failure');
  },
};
