'use strict';
/**
 * evstore: JavaScript API over evstore.node, the Node-API binding of the
 * evstore C event store. This file is the entry point; it re-exports:
 *   native.js     locates and loads evstore.node
 *   wire.js       the wire format, as the native module exports it
 *   values.js     value bytes -> JS values, by kind
 *   decoder.js    delivery batches -> subscriber calls
 *   errors.js     JS-side errors and argument checks
 *   operators.js  Subscription, Observable and its operators
 *   json.js       the lossless-JSON checks of set()
 *   store.js      Store
 *   worker.js     Worker (pull model) and RawStatus
 *
 * Events reach JavaScript in batches: the store's dispatcher thread encodes
 * them into one buffer of fixed-layout records (paths and short string values
 * interned), and one threadsafe function per store hands each batch to the
 * decoder (decoder.js), which decodes the records and calls the subscribers
 * in sequence order.
 *
 * @module evstore
 */

const { native } = require('./native');
const { retainedEvents } = require('./decoder');
const { Subscription, Observable } = require('./operators');
const { Store } = require('./store');
const { Worker, RawStatus } = require('./worker');

/**
 * @typedef {{liveBytes: number, liveBlocks: number, peakBytes: number,
 *   stores: number, subscriptions: number, tsfns: number, workers: number,
 *   threads: number, mallocInUse: number}} NativeStats
 */

/**
 * Process-wide counters for leak checks: the core's allocation counters and
 * threads, the addon's live handles (open stores, native subscriptions,
 * unreleased threadsafe functions, live workers) and the C heap in use.
 * @returns {NativeStats}
 */
function nativeStats() {
  return native.nativeStats();
}

module.exports = { Store, Worker, Observable, Subscription, RawStatus,
  nativeStats };
/* Internal, for addon/bench and tests only: not part of the API (the native
 * writer is in the bench-only build: addon/bench/writer.js). */
Object.defineProperty(module.exports, '_internal', {
  enumerable: false,
  value: {
    native,
    retainedEvents,
  },
});
