'use strict';
// Environment teardown: the addon used inside worker_threads that are
// terminated mid-stream or end without closing anything.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Worker: Thread } = require('node:worker_threads');
// First: loads evstore from evstore_bench.node, which has the native writer.
const writer = require('../bench/writer');
const { evstore, waitFor, assertNativeClean } = require('./helpers');

const { nativeStats } = evstore;

// Runs in the thread: opens stores, subscribes, keeps native and JS writers
// going, leaves a worker with in-flight events and an unfreed raw string.
const threadMain = `
const { parentPort, workerData } = require('node:worker_threads');
const writer = require(workerData.writer);
const { evstore } = writer;
const { Store, Worker } = evstore;
const stores = [];
let n = 0;
for (let i = 0; i < 3; i++) {
  const s = new Store({ queueSlots: 32 });
  s.watch('/**').subscribe(() => { n++; });
  s.watch('/a/*').debounce(1000).subscribe(() => {});
  const w = Worker.bootstrap(s, { namespace: '/a/**', capacity: 64 });
  writer.benchWrite(s, 1e9, ['/a/x', '/b/y'], ['v1', 'value-two'], true);
  stores.push({ s, w });
}
setTimeout(() => {
  for (const { w } of stores) { w.pollStepEvents(10); w.statusRaw(); }
  parentPort.postMessage({ ready: true, stats: evstore.nativeStats() });
}, 20);
const js = () => { for (let i = 0; i < 100; i++) stores[0].s.set('/b/js', 'x' + i); setImmediate(js); };
js();
if (workerData.exitAlone) setTimeout(() => process.exit(0), 60);
`;

function start(exitAlone) {
  const t = new Thread(threadMain, { eval: true, workerData: { writer: require.resolve('../bench/writer'), exitAlone } });
  const ready = new Promise((resolve, reject) => {
    t.once('message', resolve);
    t.once('error', reject);
  });
  return { t, ready };
}

test('a worker thread terminated mid-stream frees everything', async () => {
  for (let round = 0; round < 3; round++) {
    const { t, ready } = start(false);
    const msg = await ready;
    assert.equal(msg.stats.stores, 3);
    assert.equal(msg.stats.threads, 3);
    assert.equal(msg.stats.workers, 3);
    assert.ok(nativeStats().subscriptions >= 6);
    await t.terminate();
    assertNativeClean(`after terminate, round ${round}`);
  }
});

test('a worker thread that exits without closing frees everything', async () => {
  const { t, ready } = start(true);
  await ready;
  const code = await new Promise((resolve) => t.once('exit', resolve));
  assert.equal(code, 0);
  assertNativeClean('after process.exit() in the thread');
});

test('several threads at once, terminated together', async () => {
  const threads = [start(false), start(false)];
  await Promise.all(threads.map((x) => x.ready));
  await waitFor(() => nativeStats().stores === 6);
  await Promise.all(threads.map((x) => x.t.terminate()));
  assertNativeClean('after two terminations');
});
