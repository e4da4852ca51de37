'use strict';
/*
 * What every side of bench/pipeline.js shares (evstore, EventEmitter and the
 * peers of bench/peers.js, on the main thread and in their workers): the
 * events (PATHS[i % NPATHS], VALUES[i % NPATHS] for event i), the subscriber
 * and its checks, the clock and the statistics.
 */

const fs = require('node:fs');

const NPATHS = 64;
const PATHS = Array.from({ length: NPATHS }, (_, i) => `/bench/item${i}/value`);
const VALUES = Array.from({ length: NPATHS }, (_, i) => `value-${i}-${'x'.repeat(i % 16)}`);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function now() {
  return Number(process.hrtime.bigint()) / 1e9;
}

/*
 * The subscriber used on every side: touches every field of the event
 * object, sums the path and value lengths of every event (a checksum) and
 * compares the content of one event in SAMPLE_EVERY (a prime, so over a run
 * every one of the NPATHS paths and values is compared) with the one expected
 * at its position, so a side that loses, duplicates or reorders events, or
 * delivers strings of the wrong length or content, fails checkSink (a single
 * same-length corruption between two samples would pass; comparing every
 * event would double the subscriber's cost).
 */
const SAMPLE_EVERY = 61;

function makeSink() {
  const st = { n: 0, bytes: 0, lastSeq: 0, bad: 0, sample: 1 };
  st.fn = (e) => {
    if (--st.sample === 0) {
      st.sample = SAMPLE_EVERY;
      const k = st.n % NPATHS;
      if (e.path !== PATHS[k] || e.value !== VALUES[k]) st.bad++;
    }
    st.n++;
    st.bytes += e.value.length + e.path.length;
    st.lastSeq = e.seq;
  };
  return st;
}

/* The sum of path and value lengths over events [0, n). */
function expectedBytes(n) {
  let cycle = 0;
  let part = 0;
  const rest = n % NPATHS;
  for (let k = 0; k < NPATHS; k++) {
    const len = PATHS[k].length + VALUES[k].length;
    cycle += len;
    if (k < rest) part += len;
  }
  return Math.floor(n / NPATHS) * cycle + part;
}

/* Throws unless the sink got exactly the n expected events. */
function checkSink(sink, n, what) {
  if (sink.n !== n) throw new Error(`${what}: delivered ${sink.n} of ${n} events`);
  if (sink.bytes !== expectedBytes(n)) {
    throw new Error(`${what}: checksum of paths and values ${sink.bytes}, expected ${expectedBytes(n)}`);
  }
  if (sink.bad !== 0) throw new Error(`${what}: ${sink.bad} sampled events had the wrong path or value`);
  if (sink.lastSeq !== n) throw new Error(`${what}: last seq ${sink.lastSeq}, expected ${n}`);
}

/* The main JS thread's own on-CPU time in ns (Linux: /proc schedstat), or
 * null. It bounds a rate on a free core whatever else the machine runs. */
function jsThreadCpuNs() {
  try {
    return Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/*
 * The timed window of a run: start() at its first timed event, stop() at its
 * last; result() gives events/s, the process's CPU time per event over the
 * window (every thread: writer, dispatcher, worker, V8's helpers and the JS
 * thread), which bounds the rate on a machine of C cores at C /
 * cpu-per-event, and the main JS thread's own CPU time per event (jsCpuNs,
 * undefined off Linux). Every side's consumer is the main thread.
 */
class Window {
  constructor() {
    this.t0 = 0;
    this.cpu0 = null;
    this.js0 = null;
    this.dt = 0;
    this.cpu = 0;
    this.js = null;
  }

  start() {
    this.js0 = jsThreadCpuNs();
    this.cpu0 = process.cpuUsage();
    this.t0 = now();
  }

  stop() {
    this.dt = now() - this.t0;
    const c = process.cpuUsage(this.cpu0);
    this.cpu = (c.user + c.system) / 1e6;
    const js1 = jsThreadCpuNs();
    this.js = this.js0 === null || js1 === null ? null : js1 - this.js0;
  }

  result(events) {
    return { rate: events / this.dt, cpuNs: (this.cpu * 1e9) / events,
      jsCpuNs: this.js === null ? undefined : this.js / events };
  }
}

/* A run that stops receiving events fails instead of waiting forever: every
 * second, if sink.n has not moved for STALL_MS, stall() is called once with
 * an Error naming the shortfall. Returns the function that stops the watch
 * (call it when the run completes). The timer does not keep the process
 * alive. */
const STALL_MS = 10000;
function watchStall(sink, what, n, stall) {
  let seen = sink.n;
  let since = Date.now();
  const timer = setInterval(() => {
    if (sink.n !== seen) {
      seen = sink.n;
      since = Date.now();
    } else if (Date.now() - since >= STALL_MS) {
      clearInterval(timer);
      stall(new Error(`${what}: delivered ${sink.n} of ${n} events, then none for ${STALL_MS / 1000} s`));
    }
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/* The events of a run that are delivered before its clock starts. */
function settle(n) {
  return Math.floor(n / 4);
}

module.exports = {
  NPATHS, PATHS, VALUES, median, now, makeSink, checkSink, settle, Window, watchStall,
};
