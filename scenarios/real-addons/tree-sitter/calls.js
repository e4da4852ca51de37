'use strict';
// tree-sitter (node binding): Tree#getChangedRanges() in <= 0.20.4 copies the
// ranges returned by ts_tree_get_changed_ranges() (a malloc'd TSRange array)
// into a JS array and never frees the C array
// (https://github.com/tree-sitter/node-tree-sitter/pull/147, fixed in 0.20.5
// by `free(ranges)`). Two JSON trees parsed once in setup; each iteration
// asks for their changed ranges (14 ranges of 24 bytes: the array's
// capacity, >= 336 bytes, leaks per call).
const path = require('path');
const Parser = require('./addon');
// The grammar is a second native addon (tree-sitter-json@0.20.0), installed
// in the same node_modules as the tree-sitter under test: resolve it from there.
const tsMain = require.cache[require.resolve('./addon')].children[0].filename;
const JSONLang = require(require.resolve('tree-sitter-json', { paths: [path.dirname(tsMain)] }));

const N = 40;
const srcA = '[' + Array.from({ length: N }, (_, i) => i).join(',') + ']';
const srcB = '[' + Array.from({ length: N }, (_, i) => '"s' + i + '"').join(',') + ']';

module.exports = {
  name: 'calls',
  setup(ctx) {
    ctx.parser = new Parser();
    ctx.parser.setLanguage(JSONLang);
    ctx.a = ctx.parser.parse(srcA);
    ctx.b = ctx.parser.parse(srcB);
  },
  iterate(ctx) {
    const ranges = ctx.a.getChangedRanges(ctx.b);
    ctx.last = ranges.length;
  },
  // Drop the parser and the trees so that the GC before the teardown sample
  // runs their ObjectWrap finalizers: otherwise they are still owned by live
  // JS objects at exit and LeakSanitizer/memcheck report them (see REPORT.md).
  teardown(ctx) {
    ctx.parser = ctx.a = ctx.b = null;
  },
};
