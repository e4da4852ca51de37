'use strict';
// heapdiff: what grew in the JS heap between two V8 heap snapshots of one
// process (leakgate's JS heap attribution; harness/README.md, "JS heap
// attribution").
//
//   node heapdiff.js [--top N] [--max-mib M] A.heapsnapshot B.heapsnapshot
//
// Groups the objects of each snapshot by constructor name (closures by
// function and source location, script:line), diffs the counts and self
// sizes, and for each of the top N growers (largest self-size growth) finds
// one retainer path: a shortest path from the GC roots to one object of the
// group that was allocated after snapshot A, over strong edges only (the
// roots' user side, the global objects, is searched first, so that a path
// through JavaScript names wins over one through V8 internals).
//
// Prints one JSON object on stdout (format: "heapdiff": 1, see summary());
// exits 0. Input is treated as untrusted: a missing, oversized, truncated or
// malformed file is one line "heapdiff: FILE: what is wrong" on stderr and
// exit 1; a usage error exits 2. No stack trace either way.
//
// Memory: the file is read into one buffer and its number arrays ("nodes",
// "edges", "locations") are parsed straight into Uint32Arrays (4 bytes a
// number), never through JSON.parse of the whole document; only "snapshot"
// (the meta data) and "strings" go through JSON.parse. Snapshot A is reduced
// to its group totals and its largest object id before B is read.
//
// The reading is in heapdiff_read.js, the grouping, the diff and the
// retainer paths in heapdiff_graph.js (installed beside this file).

const { InputError, readSnapshot } = require('./heapdiff_read');
const { summary, reduceA } = require('./heapdiff_graph');

const DEFAULT_TOP = 10;
const DEFAULT_MAX_MIB = 1024;

// ---- command line -------------------------------------------------------------

function usage(msg) {
  process.stderr.write(`heapdiff: ${msg}\nusage: node heapdiff.js [--top N] ` +
    '[--max-mib M] A.heapsnapshot B.heapsnapshot\n');
  process.exitCode = 2;
}

function main(argv) {
  let top = DEFAULT_TOP;
  let maxMib = DEFAULT_MAX_MIB;
  const files = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--top' || arg === '--max-mib') {
      const v = Number(argv[++k]);
      if (!Number.isInteger(v) || v < 1 || v > 1000000) return usage(`${arg} needs a whole number from 1 to 1000000`);
      if (arg === '--top') top = v;
      else maxMib = v;
    } else if (arg.startsWith('--')) {
      return usage(`unknown option ${arg}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 2) return usage('two snapshot files expected');
  const maxBytes = maxMib * 1048576;
  const a = reduceA(readSnapshot(files[0], maxBytes));
  const b = readSnapshot(files[1], maxBytes);
  process.stdout.write(`${JSON.stringify(summary(a, b, top))}\n`);
  return undefined;
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    // A bad input is one line; anything else (out of memory, a bug) too,
    // without a stack trace, and a different exit code.
    const msg = err instanceof InputError ? err.message : `internal error: ${err && err.message}`;
    process.stderr.write(`heapdiff: ${msg}\n`);
    process.exitCode = err instanceof InputError ? 1 : 3;
  }
}

module.exports = { readSnapshot, summary, reduceA };
