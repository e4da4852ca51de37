'use strict';
// e2e scenario: the process kills itself (SIGKILL) at iteration 5, as a
// crash in native code would end it: CRASH on its own, and in a batch
// (runner_batch.c) the whole batch dies with it and falls back.
module.exports = {
  name: 'js-crash',
  iterate(ctx, i) {
    if (i === 5) process.kill(process.pid, 'SIGKILL');
  },
};
