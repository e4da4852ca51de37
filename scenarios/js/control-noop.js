'use strict';
// control-noop: does nothing per iteration. It proves nothing about evstore;
// it measures the sampling noise of every metric (heapUsed, rss,
// mallocInUse, ...) in this run, which gives the noise floor and the
// smallest leak the other scenarios could have detected.
const { stats } = require('./common');

module.exports = {
  name: 'control-noop',
  setup() {},
  iterate() {},
  teardown() {},
  stats,
};
