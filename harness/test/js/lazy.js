'use strict';
// e2e scenario for the warm baseline (docs/probe-protocol.md, "Warm baseline"):
// every 50th iteration makes an fs request, which starts libuv's threadpool
// on first use, and the first iteration opens a descriptor it keeps for the
// process's life, as runtimes and addons do lazily. The probe starts the
// threadpool and calls this module's prewarm() before the baseline sample,
// so the exact threads and fds checks compare like with like: PASS.
const fs = require('fs');

let keep = null;
function openOnce() {
  if (keep === null) keep = fs.openSync(__filename, 'r');
}

module.exports = {
  name: 'js-lazy',
  prewarm() { openOnce(); },
  async iterate(ctx, i) {
    openOnce();
    if (i % 50 === 0) await fs.promises.stat(__filename);
  },
};
