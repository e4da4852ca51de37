'use strict';
/* Loads evstore.node, the native module: the binding every other file of
 * this layer calls (`native.storeOpen(...)`, `native.wire`, ...). */

const fs = require('node:fs');
const path = require('node:path');

/**
 * Locates and loads the native module: `EVSTORE_ADDON` (an explicit file),
 * else `build/${EVSTORE_VARIANT || 'release'}/addon/evstore.node` under the
 * repository root, else a prebuilt `evstore.node` next to the package.
 * @returns {object}
 */
function loadNative() {
  const tried = [];
  const explicit = process.env.EVSTORE_ADDON;
  let file = null;
  if (explicit) {
    const p = path.resolve(explicit);
    tried.push(`${p} (EVSTORE_ADDON)`);
    if (fs.existsSync(p)) file = p;
  } else {
    const variant = process.env.EVSTORE_VARIANT || 'release';
    const candidates = [
      [path.resolve(__dirname, '..', '..', 'build', variant, 'addon',
        'evstore.node'), `build of variant '${variant}'`],
      [path.resolve(__dirname, '..', 'evstore.node'), 'prebuilt'],
    ];
    for (const [p, what] of candidates) {
      tried.push(`${p} (${what})`);
      if (fs.existsSync(p)) { file = p; break; }
    }
  }
  if (file === null) {
    const err = new Error(
      'evstore: cannot find the native module evstore.node; tried:\n  ' +
      tried.join('\n  ') +
      '\nBuild it with `cmake --preset release && cmake --build --preset ' +
      'release`, or set EVSTORE_ADDON to the file (EVSTORE_VARIANT selects ' +
      'the build directory).');
    err.code = 'ERR_EVS_ADDON_NOT_FOUND';
    throw err;
  }
  return require(file);
}

const native = loadNative();

module.exports = { native };
