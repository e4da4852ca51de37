'use strict';
// env-teardown: each iteration starts a worker_threads Worker that loads the
// addon, opens a store, subscribes, bootstraps a worker and writes events,
// then terminates the thread mid-stream without closing anything. Proves the
// addon's environment cleanup hooks close every store and worker of that
// environment (stores, subscriptions, tsfns, workers and threads back to
// baseline; no native growth).
const { Worker: Thread } = require('worker_threads');
const path = require('path');
const { stats, expect } = require('./common');

const child = `
const { parentPort, workerData } = require('worker_threads');
const evstore = require(workerData.addon);
const store = new evstore.Store();
store.watch('/**').subscribe(() => {});
evstore.Worker.bootstrap(store, { namespace: '/jobs/**', capacity: 16 });
let n = 0;
(function pump() {
  for (let k = 0; k < 100; k++) store.set('/jobs/' + (n++ % 50), 'v' + n);
  if (n === 100) parentPort.postMessage('running');
  setImmediate(pump);
})();
`;

module.exports = {
  name: 'env-teardown',
  setup() {},
  async iterate() {
    const t = new Thread(child, { eval: true, workerData: { addon: path.join(__dirname, '../../addon') } });
    const running = new Promise((resolve, reject) => {
      t.once('message', resolve);
      t.once('error', reject);
    });
    await running;
    const code = await t.terminate();
    expect(code === 1, `terminate() exit code ${code}`);
  },
  teardown() {},
  stats,
};
