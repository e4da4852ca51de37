#!/usr/bin/env node
'use strict';
/*
 * scripts/bench: folds the two-thread rows run in separate processes (one
 * repetition each) into the main Google Benchmark report, as one "median"
 * aggregate per row, so the report and --compare read them like any other
 * row. Each aggregate also carries the per-process items_per_second
 * (`per_process`, one per process); its counters (index_lines_per_ev,
 * ev_per_handover, ...) are medians over the processes too. A failed run
 * (error_occurred) is kept as it is, so the report lists it under Errors.
 *
 * Usage: node scripts/bench_merge.js CORE.json PIPE1.json [PIPE2.json ...]
 * CORE.json is rewritten in place. Bad input: one line on stderr, exit 2.
 */
const fs = require('fs');
const { median } = require('../addon/bench/common');
const { readJson } = require('./bench_compare');

// Numeric fields that name a run rather than measure it.
const IDENTITY = new Set(['repetitions', 'repetition_index', 'threads', 'family_index',
  'per_family_instance_index']);

function read(file) {
  const doc = readJson(file);
  if (!doc || !Array.isArray(doc.benchmarks)) throw new Error(`${file}: not a Google Benchmark report`);
  return doc;
}

function main(argv) {
  if (argv.length < 2) throw new Error('usage: bench_merge.js CORE.json PIPE.json...');
  const [coreFile, ...pipeFiles] = argv;
  const core = read(coreFile);
  const byRow = new Map();
  const failed = [];
  for (const f of pipeFiles) {
    for (const b of read(f).benchmarks) {
      if (b.run_type !== 'iteration') continue;
      if (b.error_occurred) { failed.push(b); continue; }
      const name = b.run_name || b.name;
      if (!byRow.has(name)) byRow.set(name, []);
      byRow.get(name).push(b);
    }
  }
  for (const [name, runs] of byRow) {
    const agg = { name: `${name}_median`, run_name: name, run_type: 'aggregate',
      aggregate_name: 'median', repetitions: runs.length,
      per_process: runs.map((r) => r.items_per_second) };
    for (const key of ['time_unit', 'label'])
      if (typeof runs[0][key] === 'string') agg[key] = runs[0][key];
    for (const key of Object.keys(runs[0])) {
      if (typeof runs[0][key] !== 'number' || IDENTITY.has(key)) continue;
      const xs = runs.map((r) => r[key]).filter((x) => typeof x === 'number');
      if (xs.length === runs.length) agg[key] = median(xs);
    }
    core.benchmarks.push(agg);
  }
  core.benchmarks.push(...failed);
  fs.writeFileSync(coreFile, JSON.stringify(core, null, 2) + '\n');
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`scripts/bench_merge: ${e.message}\n`);
  process.exit(2);
}
