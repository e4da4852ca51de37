#!/usr/bin/env node
'use strict';
/*
 * scripts/bench --compare: new/old throughput ratios of two benchmark reports
 * (reports/bench/latest.json as scripts/bench writes it).
 *
 * Usage: node scripts/bench_compare.js OLD.json NEW.json
 *        node scripts/bench_compare.js --check FILE.json   (validate only)
 *
 * For every benchmark present in both files (the core's medians, or its
 * single run, and every JS row) it prints old and new items/s and new/old:
 * above 1 the new run is faster. A report's benchmarks are keyed
 * "core: <name>" and "js: <name>". Bad input (a missing or unreadable file,
 * not JSON, not the shape of a report) is one line on stderr and exit 2.
 */
const fs = require('node:fs');

class BadInput extends Error {}

/* The parsed JSON of `file`; BadInput, saying why in one line, when it
 * cannot be read or is not JSON. Also used by bench_merge.js. */
function readJson(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const why = { ENOENT: 'no such file', EISDIR: 'a directory', EACCES: 'permission denied' }[err.code];
    throw new BadInput(`cannot read ${file}: ${why || err.code || err.message}`);
  }
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BadInput(`${file} is not JSON (${err.message.split('\n')[0]})`);
  }
  return doc;
}

function load(file) {
  return { file, rates: ratesOf(file, readJson(file)) };
}

/* Map "core: name" / "js: name" -> items per second. */
function ratesOf(file, doc) {
  const shape = (what) => new BadInput(`${file} is not a scripts/bench report: ${what}`);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw shape('expected an object with "core" and "js"');
  }
  if (!('core' in doc) && !('js' in doc)) throw shape('no "core" or "js" key');
  const rates = new Map();
  const section = (key) => {
    const s = doc[key];
    if (s === undefined || s === null) return null;
    if (typeof s !== 'object' || !Array.isArray(s.benchmarks)) {
      throw shape(`"${key}" has no "benchmarks" array`);
    }
    s.benchmarks.forEach((b, i) => {
      if (b === null || typeof b !== 'object' || typeof (b.run_name || b.name) !== 'string') {
        throw shape(`${key}.benchmarks[${i}] has no name`);
      }
      const v = b.items_per_second;
      if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw shape(`${key}.benchmarks[${i}].items_per_second is not a number`);
      }
    });
    return s.benchmarks;
  };
  const core = section('core');
  const js = section('js');
  if (core === null && js === null) throw shape('"core" and "js" are both empty');
  for (const b of core || []) {
    // The medians of repeated runs, or the run itself when there was one.
    const single = b.run_type === 'iteration' && !(b.repetitions > 1);
    if (b.error_occurred || !(b.aggregate_name === 'median' || single)) continue;
    if (typeof b.items_per_second === 'number') rates.set(`core: ${b.run_name || b.name}`, b.items_per_second);
  }
  for (const b of js || []) {
    if (typeof b.items_per_second === 'number') rates.set(`js: ${b.name}`, b.items_per_second);
  }
  return rates;
}

function items(v) {
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M/s` : `${(v / 1e3).toFixed(1)}k/s`;
}

function compare(oldRep, newRep) {
  const rows = [];
  for (const [name, nv] of newRep.rates) {
    if (!oldRep.rates.has(name)) continue;
    const ov = oldRep.rates.get(name);
    rows.push([name, items(ov), items(nv), ov > 0 ? `${(nv / ov).toFixed(2)}x` : 'n/a']);
  }
  const onlyOld = [...oldRep.rates.keys()].filter((k) => !newRep.rates.has(k)).length;
  const onlyNew = [...newRep.rates.keys()].filter((k) => !oldRep.rates.has(k)).length;
  const out = [`new/old items/s: old ${oldRep.file}, new ${newRep.file} (above 1: new is faster)`];
  if (rows.length === 0) {
    out.push('no benchmark is present in both files');
  } else {
    const head = ['benchmark', 'old', 'new', 'new/old'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
    out.push(line(head), ...rows.map(line));
  }
  out.push(`${rows.length} in both; only in old: ${onlyOld}; only in new: ${onlyNew}`);
  return out.join('\n') + '\n';
}

function main(argv) {
  try {
    if (argv.length === 2 && argv[0] === '--check') {
      load(argv[1]);
      return 0;
    }
    if (argv.length !== 2) throw new BadInput('usage: bench_compare.js OLD.json NEW.json');
    const oldRep = load(argv[0]);
    // scripts/bench compares a copy taken before the run; it names the file.
    if (process.env.BENCH_COMPARE_OLD_NAME) oldRep.file = process.env.BENCH_COMPARE_OLD_NAME;
    process.stdout.write(compare(oldRep, load(argv[1])));
    return 0;
  } catch (err) {
    if (!(err instanceof BadInput)) throw err;
    process.stderr.write(`scripts/bench --compare: ${err.message}\n`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
module.exports = { readJson };
