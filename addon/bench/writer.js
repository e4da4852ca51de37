'use strict';
/*
 * The internal native writer, for the benchmarks and the tests that must
 * write faster than JS can. It lives in the bench-only module
 * evstore_bench.node (bench/writer.c: evstore.node's exports plus
 * `_benchWrite`/`_benchJoin`), never in evstore.node or the npm package.
 *
 * Require this file before anything else loads evstore: it points
 * EVSTORE_ADDON at evstore_bench.node, in the directory of the evstore.node
 * that EVSTORE_ADDON named, else in build/${EVSTORE_VARIANT || 'release'}/addon,
 * then loads evstore. Worker threads started afterwards inherit the setting.
 * Errors: a clear Error (code ERR_EVS_BENCH_BUILD) when the file is missing
 * or evstore was already loaded from another build.
 */
const fs = require('node:fs');
const path = require('node:path');

const lib = path.resolve(__dirname, '..');

function benchBuildError(message) {
  const err = new Error(`evstore bench writer: ${message}`);
  err.code = 'ERR_EVS_BENCH_BUILD';
  return err;
}

function benchBuildFile() {
  const named = process.env.EVSTORE_ADDON;
  const dir = named ? path.dirname(path.resolve(named)) :
    path.join(lib, '..', 'build', process.env.EVSTORE_VARIANT || 'release', 'addon');
  return path.join(dir, 'evstore_bench.node');
}

const file = benchBuildFile();
if (!fs.existsSync(file)) {
  throw benchBuildError(`cannot find ${file}; build it with ` +
    '`cmake --build --preset <preset> --target evstore_bench`');
}
process.env.EVSTORE_ADDON = file;
const evstore = require(lib);
const { native } = evstore._internal;
if (typeof native._benchWrite !== 'function') {
  throw benchBuildError('evstore was loaded from another build before ' +
    'bench/writer.js; require bench/writer.js first');
}

module.exports = {
  evstore,
  /** Starts `count` writes cycling through `paths`/`values`; see writer.c. */
  benchWrite: (store, count, paths, values, threaded) =>
    native._benchWrite(store._h, count, paths, values, threaded),
  /** Waits for a threaded writer; returns the number written. */
  benchJoin: (store) => native._benchJoin(store._h),
};
