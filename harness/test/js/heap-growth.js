'use strict';
// e2e scenario for the JS heap attribution: each iteration keeps one
// Planted instance (16 fields and its own array of 100 doubles) in a
// Registry and one listener closure made on the line marked below; must be
// LEAK on heapUsed (~1.1 KB/it: less is lost in V8's GC sawtooth, as 0.4
// KB/it was in one run of ten), and the attribution must name Planted, the
// closure by heap-growth.js:LINE and the path through Registry.items.
class Planted {
  constructor(i) {
    this.f0 = i; this.f1 = i; this.f2 = i; this.f3 = i;
    this.f4 = i; this.f5 = i; this.f6 = i; this.f7 = i;
    this.f8 = i; this.f9 = i; this.f10 = i; this.f11 = i;
    this.f12 = i; this.f13 = i; this.f14 = i;
    this.data = new Array(100).fill(i + 0.5);
  }
}

class Registry {
  constructor() {
    this.items = [];
    this.listeners = [];
  }
}

let registry;

module.exports = {
  name: 'js-heap-growth',
  setup() {
    registry = new Registry();
  },
  iterate(ctx, i) {
    registry.items.push(new Planted(i));
    registry.listeners.push(() => i); // the listener closure
  },
  teardown() {
    registry = null;
  },
};
