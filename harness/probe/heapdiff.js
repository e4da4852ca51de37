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

const fs = require('fs');
const path = require('path');

const DEFAULT_TOP = 10;
const DEFAULT_MAX_MIB = 1024;
const PATH_MAX_HOPS = 8; // retainer path: at most this many hops shown
const LABEL_MAX = 120; // characters of one name in the output

class InputError extends Error {}

function fail(file, msg) {
  throw new InputError(file ? `${file}: ${msg}` : msg);
}

// ---- reading: a JSON object whose big number arrays become Uint32Arrays --

const C_QUOTE = 0x22;
const C_BSLASH = 0x5c;

/**
 * A cursor over the file's bytes. Every error names the byte offset, and
 * running off the end says "truncated": a snapshot cut short by a full disk
 * or a killed writer is the likely damage.
 */
class Reader {
  constructor(file, buf) {
    this.file = file;
    this.buf = buf;
    this.pos = 0;
  }

  bad(what) {
    if (this.pos >= this.buf.length) {
      fail(this.file, `unexpected end of file after ${this.buf.length} bytes ` +
        `(truncated?) while reading ${what}`);
    }
    const c = this.buf[this.pos];
    const shown = c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` :
      `byte 0x${c.toString(16)}`;
    fail(this.file, `not a heap snapshot: expected ${what} at byte ${this.pos}, ` +
      `found ${shown}`);
  }

  ws() {
    const b = this.buf;
    let p = this.pos;
    while (p < b.length && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09)) p++;
    this.pos = p;
  }

  expect(ch, what) {
    this.ws();
    if (this.buf[this.pos] !== ch.charCodeAt(0)) this.bad(what);
    this.pos++;
  }

  peek() {
    this.ws();
    return this.pos < this.buf.length ? this.buf[this.pos] : -1;
  }

  /** End offset (exclusive) of the JSON string starting at this.pos. */
  stringEnd() {
    const b = this.buf;
    let p = this.pos + 1;
    while (p < b.length) {
      const c = b[p];
      if (c === C_BSLASH) p += 2;
      else if (c === C_QUOTE) return p + 1;
      else p++;
    }
    this.pos = b.length;
    return this.bad('the end of a string');
  }

  /** A JSON string value (decoded). */
  string(what) {
    if (this.peek() !== C_QUOTE) this.bad(what);
    const start = this.pos;
    const end = this.stringEnd();
    this.pos = end;
    try {
      return JSON.parse(this.buf.toString('utf8', start, end));
    } catch {
      this.pos = start;
      return this.bad(what);
    }
  }

  /** Skips any JSON value; returns [start, end) of its bytes. */
  skipValue(what) {
    this.ws();
    const b = this.buf;
    const start = this.pos;
    let depth = 0;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (c === C_QUOTE) {
        this.pos = this.stringEnd();
        if (depth === 0) return [start, this.pos];
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) break; // the container of this value ends
        depth--;
        if (depth === 0) {
          this.pos++;
          return [start, this.pos];
        }
      } else if (depth === 0 && (c === 0x2c)) break;
      this.pos++;
    }
    if (this.pos === start || depth > 0) this.bad(what);
    return [start, this.pos];
  }

  /** Any JSON value, parsed (for the small members). */
  value(what) {
    const [start, end] = this.skipValue(what);
    try {
      return JSON.parse(this.buf.toString('utf8', start, end));
    } catch (err) {
      this.pos = start;
      return fail(this.file, `not a heap snapshot: ${what} at byte ${start} is not ` +
        `valid JSON (${err.message})`);
    }
  }

  /**
   * An array of non-negative integers below 2^32, into a Uint32Array.
   * `hint` (a count from the meta data, may be wrong) sizes it first.
   */
  uintArray(what, hint) {
    this.expect('[', `the array "${what}"`);
    const b = this.buf;
    // Each number takes at least two bytes ("0,"): a wrong hint cannot
    // allocate more than the file could hold.
    const most = Math.floor((b.length - this.pos) / 2) + 1;
    let cap = Number.isSafeInteger(hint) && hint > 0 ? Math.min(hint, most) : Math.min(1024, most);
    let out = new Uint32Array(cap);
    let n = 0;
    if (this.peek() === 0x5d) {
      this.pos++;
      return out.subarray(0, 0);
    }
    for (;;) {
      this.ws();
      let p = this.pos;
      let v = 0;
      const first = p;
      while (p < b.length && b[p] >= 0x30 && b[p] <= 0x39) {
        v = v * 10 + (b[p] - 0x30);
        p++;
      }
      if (p === first || p - first > 10 || v > 0xffffffff) {
        this.pos = first;
        this.bad(`a non-negative integer below 2^32 in "${what}" (element ${n})`);
      }
      if (n === cap) {
        cap *= 2;
        const grown = new Uint32Array(cap);
        grown.set(out);
        out = grown;
      }
      out[n++] = v;
      this.pos = p;
      this.ws();
      const c = b[this.pos];
      if (c === 0x2c) {
        this.pos++;
      } else if (c === 0x5d) {
        this.pos++;
        return out.subarray(0, n);
      } else {
        this.bad(`',' or ']' in "${what}"`);
      }
    }
  }
}

/** Reads and validates one snapshot file. */
function readSnapshot(file, maxBytes) {
  let st;
  try {
    st = fs.statSync(file);
  } catch (err) {
    fail(file, `cannot read: ${err.code || err.message}`);
  }
  if (!st.isFile()) fail(file, 'not a regular file');
  if (st.size > maxBytes) {
    fail(file, `${(st.size / 1048576).toFixed(0)} MiB, over the ` +
      `${(maxBytes / 1048576).toFixed(0)} MiB limit (--max-mib): not read`);
  }
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    fail(file, `cannot read: ${err.code || err.message}`);
  }
  if (buf.length === 0) fail(file, 'empty file');
  const r = new Reader(file, buf);
  const raw = {};
  r.expect('{', 'a JSON object ({)');
  if (r.peek() === 0x7d) r.pos++;
  else {
    for (;;) {
      const key = r.string('a member name');
      r.expect(':', "':'");
      if (Object.hasOwn(raw, key)) fail(file, `not a heap snapshot: member "${key}" given twice`);
      if (key === 'nodes' || key === 'edges' || key === 'locations') {
        const meta = raw.snapshot && typeof raw.snapshot === 'object' ? raw.snapshot : {};
        const hint = key === 'nodes' && meta.meta && Array.isArray(meta.meta.node_fields) ?
          meta.node_count * meta.meta.node_fields.length :
          key === 'edges' && meta.meta && Array.isArray(meta.meta.edge_fields) ?
            meta.edge_count * meta.meta.edge_fields.length : 0;
        raw[key] = r.uintArray(key, hint);
      } else if (key === 'snapshot' || key === 'strings') {
        raw[key] = r.value(`the member "${key}"`);
      } else {
        r.skipValue(`the member "${key}"`);
        raw[key] = true;
      }
      const c = r.peek();
      if (c === 0x2c) {
        r.pos++;
      } else if (c === 0x7d) {
        r.pos++;
        break;
      } else {
        r.bad("',' or '}' after a member");
      }
    }
  }
  if (r.peek() !== -1) r.bad('the end of the file after the top-level object');
  return validate(file, raw);
}

function fieldIndex(file, fields, name, what) {
  const k = fields.indexOf(name);
  if (k < 0) fail(file, `not a heap snapshot: snapshot.meta.${what} has no "${name}"`);
  return k;
}

function isStringArray(a) {
  return Array.isArray(a) && a.every((s) => typeof s === 'string');
}

/**
 * Checks every index the analysis will follow, so that nothing below can
 * read out of range, and builds the per-node first-edge index.
 */
function validate(file, raw) {
  const bad = (msg) => fail(file, `not a heap snapshot: ${msg}`);
  const snap = raw.snapshot;
  if (!snap || typeof snap !== 'object' || !snap.meta || typeof snap.meta !== 'object') {
    bad('no "snapshot.meta" object');
  }
  const meta = snap.meta;
  for (const k of ['nodes', 'edges', 'strings']) if (!raw[k]) bad(`no "${k}" array`);
  if (!isStringArray(raw.strings)) bad('"strings" is not an array of strings');
  if (!isStringArray(meta.node_fields) || !isStringArray(meta.edge_fields)) {
    bad('snapshot.meta.node_fields / edge_fields are not arrays of strings');
  }
  if (!Array.isArray(meta.node_types) || !isStringArray(meta.node_types[0]) ||
      !Array.isArray(meta.edge_types) || !isStringArray(meta.edge_types[0])) {
    bad('snapshot.meta.node_types[0] / edge_types[0] are not arrays of strings');
  }
  const s = {
    file,
    strings: raw.strings,
    nodes: raw.nodes,
    edges: raw.edges,
    NF: meta.node_fields.length,
    EF: meta.edge_fields.length,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
  };
  s.T = fieldIndex(file, meta.node_fields, 'type', 'node_fields');
  s.N = fieldIndex(file, meta.node_fields, 'name', 'node_fields');
  s.ID = fieldIndex(file, meta.node_fields, 'id', 'node_fields');
  s.SZ = fieldIndex(file, meta.node_fields, 'self_size', 'node_fields');
  s.EC = fieldIndex(file, meta.node_fields, 'edge_count', 'node_fields');
  s.ET = fieldIndex(file, meta.edge_fields, 'type', 'edge_fields');
  s.EN = fieldIndex(file, meta.edge_fields, 'name_or_index', 'edge_fields');
  s.TO = fieldIndex(file, meta.edge_fields, 'to_node', 'edge_fields');
  const { nodes, edges, NF, EF, strings } = s;
  if (nodes.length % NF !== 0) bad(`"nodes" has ${nodes.length} numbers, not a multiple of ${NF}`);
  if (edges.length % EF !== 0) bad(`"edges" has ${edges.length} numbers, not a multiple of ${EF}`);
  s.count = nodes.length / NF;
  if (s.count === 0) bad('no nodes');
  s.firstEdge = new Uint32Array(s.count + 1);
  let e = 0;
  for (let n = 0; n < s.count; n++) {
    s.firstEdge[n] = e;
    const o = n * NF;
    if (nodes[o + s.T] >= s.nodeTypes.length) bad(`node ${n} has an unknown type ${nodes[o + s.T]}`);
    if (nodes[o + s.N] >= strings.length) bad(`node ${n} names string ${nodes[o + s.N]}, beyond "strings"`);
    e += nodes[o + s.EC] * EF;
    if (e > edges.length) bad(`the nodes' edge counts add up to more than the ${edges.length / EF} edges`);
  }
  if (e !== edges.length) bad(`the nodes' edge counts add up to ${e / EF}, "edges" holds ${edges.length / EF}`);
  s.firstEdge[s.count] = e;
  s.nameless = new Uint8Array(s.edgeTypes.length); // edges named by an index
  for (let k = 0; k < s.edgeTypes.length; k++) {
    s.nameless[k] = s.edgeTypes[k] === 'element' || s.edgeTypes[k] === 'hidden' ? 1 : 0;
  }
  s.weak = s.edgeTypes.indexOf('weak');
  for (let k = 0; k < edges.length; k += EF) {
    const t = edges[k + s.ET];
    const to = edges[k + s.TO];
    if (t >= s.edgeTypes.length) bad(`edge ${k / EF} has an unknown type ${t}`);
    if (to % NF !== 0 || to >= nodes.length) bad(`edge ${k / EF} points to ${to}, not a node`);
    if (!s.nameless[t] && edges[k + s.EN] >= strings.length) {
      bad(`edge ${k / EF} names string ${edges[k + s.EN]}, beyond "strings"`);
    }
  }
  // Closure locations (node index -> script_id, line, column), when present.
  s.loc = new Map();
  const lf = meta.location_fields;
  if (raw.locations instanceof Uint32Array && isStringArray(lf) && lf.length > 0) {
    const oi = lf.indexOf('object_index');
    const li = lf.indexOf('line');
    if (oi >= 0 && li >= 0 && raw.locations.length % lf.length === 0) {
      for (let k = 0; k < raw.locations.length; k += lf.length) {
        const o = raw.locations[k + oi];
        if (o % NF === 0 && o < nodes.length) s.loc.set(o / NF, raw.locations[k + li] + 1);
      }
    }
  }
  return s;
}

// ---- grouping ------------------------------------------------------------

function cut(str) {
  return str.length > LABEL_MAX ? `${str.slice(0, LABEL_MAX - 3)}...` : str;
}

function edgeName(s, k) {
  return s.strings[s.edges[k + s.EN]];
}

/** Target of the first edge of node n named `name` (string-named edges), or -1. */
function edgeTo(s, n, names) {
  for (let k = s.firstEdge[n]; k < s.firstEdge[n + 1]; k += s.EF) {
    if (!s.nameless[s.edges[k + s.ET]] && names.includes(edgeName(s, k))) {
      return s.edges[k + s.TO] / s.NF;
    }
  }
  return -1;
}

/** The script of closure node n: its function's script's name, or ''. */
function closureScript(s, n, cache) {
  const shared = edgeTo(s, n, ['shared']);
  if (shared < 0) return '';
  if (cache.has(shared)) return cache.get(shared);
  let name = '';
  const script = edgeTo(s, shared, ['script_or_debug_info', 'script']);
  if (script >= 0) {
    // One lookup per script node, not per function (a script with many
    // functions and many edges made this quadratic). Keys are negative so
    // they never collide with the function nodes' keys.
    const key = -1 - script;
    if (cache.has(key)) {
      name = cache.get(key);
    } else {
      name = s.strings[s.nodes[script * s.NF + s.N]];
      // A debug info sits between them in some versions.
      if (!name || !/[/\\.]/.test(name)) {
        const inner = edgeTo(s, script, ['script']);
        name = inner >= 0 ? s.strings[s.nodes[inner * s.NF + s.N]] : '';
      }
      cache.set(key, name);
    }
  }
  cache.set(shared, name);
  return name;
}

const TYPE_GROUP = {
  hidden: '(system)',
  array: '(array)',
  string: '(string)',
  'concatenated string': '(string)',
  'sliced string': '(string)',
  code: '(compiled code)',
  number: '(number)',
  regexp: 'RegExp',
  symbol: '(symbol)',
  bigint: '(bigint)',
  'object shape': '(object shape)',
};

/**
 * Per-node group ids and one record per group: {key, kind, name,
 * fn?, script?, line?, count, size}. Synthetic nodes (the roots) belong to
 * no group (-1).
 */
function groupNodes(s) {
  const ids = new Int32Array(s.count);
  const byKey = new Map();
  const groups = [];
  const scripts = new Map();
  for (let n = 0; n < s.count; n++) {
    const o = n * s.NF;
    const type = s.nodeTypes[s.nodes[o + s.T]];
    if (type === 'synthetic') {
      ids[n] = -1;
      continue;
    }
    const raw = s.strings[s.nodes[o + s.N]];
    let key;
    let rec;
    if (type === 'closure') {
      const script = closureScript(s, n, scripts);
      const line = s.loc.get(n);
      key = `closure\0${raw}\0${script}\0${line || ''}`;
      rec = { kind: 'closure', name: '(closure)', fn: cut(raw), script: cut(script), line: line || null };
    } else if (type === 'object' || type === 'native') {
      const name = raw || `(${type})`;
      key = `${type}\0${name}`;
      rec = { kind: type, name: cut(name) };
    } else {
      const name = (Object.hasOwn(TYPE_GROUP, type) && TYPE_GROUP[type]) || `(${type})`;
      key = `type\0${name}`;
      rec = { kind: type, name };
    }
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      rec.key = key;
      rec.count = 0;
      rec.size = 0;
      groups.push(rec);
    }
    ids[n] = g;
    groups[g].count++;
    groups[g].size += s.nodes[o + s.SZ];
  }
  return { ids, groups, byKey };
}

// ---- retainer paths --------------------------------------------------------

/**
 * Breadth-first search from the synthetic root over strong edges (weak
 * edges skipped): first from its user roots (its shortcut edges: the global
 * objects), then from everything else. Returns each node's parent edge (the
 * offset in `edges` of the edge that reached it, +1; 0: not reached).
 */
function retainerTree(s) {
  const via = new Uint32Array(s.count); // edge offset + 1
  const seen = new Uint8Array(s.count);
  const queue = new Uint32Array(s.count);
  let head = 0;
  let tail = 0;
  seen[0] = 1;
  const shortcut = s.edgeTypes.indexOf('shortcut');
  const drain = () => {
    while (head < tail) {
      const n = queue[head++];
      for (let k = s.firstEdge[n]; k < s.firstEdge[n + 1]; k += s.EF) {
        if (s.edges[k + s.ET] === s.weak) continue;
        const to = s.edges[k + s.TO] / s.NF;
        if (seen[to]) continue;
        seen[to] = 1;
        via[to] = k + 1;
        queue[tail++] = to;
      }
    }
  };
  for (const userPass of [true, false]) {
    for (let k = s.firstEdge[0]; k < s.firstEdge[1]; k += s.EF) {
      const t = s.edges[k + s.ET];
      if (t === s.weak || (t === shortcut) !== userPass) continue;
      const to = s.edges[k + s.TO] / s.NF;
      if (seen[to]) continue;
      seen[to] = 1;
      via[to] = k + 1;
      queue[tail++] = to;
    }
    drain();
  }
  return via;
}

/** Which node owns edge offset k (binary search over firstEdge). */
function edgeOwner(s, k) {
  let lo = 0;
  let hi = s.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (s.firstEdge[mid] <= k) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A short label for a node on a retainer path. */
function nodeLabel(s, n, groups, ids) {
  const o = n * s.NF;
  const type = s.nodeTypes[s.nodes[o + s.T]];
  const raw = s.strings[s.nodes[o + s.N]];
  if (type === 'closure') {
    const g = groups[ids[n]];
    const where = g.script ? ` (${path.basename(g.script)}${g.line ? `:${g.line}` : ''})` : '';
    return cut(`${raw || 'closure'}${where}`);
  }
  if (raw.startsWith('system / ')) return cut(raw.slice(9));
  if (type === 'object' || type === 'native' || type === 'synthetic') return cut(raw || `(${type})`);
  return (Object.hasOwn(TYPE_GROUP, type) && TYPE_GROUP[type]) || `(${type})`;
}

/**
 * The path from the roots to node n as hops, outermost first: each hop is
 * the label of a holder plus how it holds the next ('.name' for a named
 * edge; nothing for an element index), the last hop being n itself. At
 * most PATH_MAX_HOPS, the innermost ones (nearest the object); null when n
 * is not reachable over strong edges.
 */
function retainerPath(s, via, n, groups, ids) {
  if (!via[n]) return null;
  const hops = [];
  hops.push(nodeLabel(s, n, groups, ids));
  let cur = n;
  let truncated = false;
  const guard = s.count;
  for (let step = 0; via[cur] && step < guard; step++) {
    const k = via[cur] - 1;
    const owner = edgeOwner(s, k);
    if (owner === 0) break; // the synthetic root
    const t = s.edges[k + s.ET];
    const label = nodeLabel(s, owner, groups, ids);
    const name = s.nameless[t] ? '' : edgeName(s, k);
    if (hops.length >= PATH_MAX_HOPS) {
      truncated = true;
      break;
    }
    // A root category ("(Stack roots)", "(Global handles)") ends the path.
    const ownerType = s.nodeTypes[s.nodes[owner * s.NF + s.T]];
    if (ownerType === 'synthetic') {
      hops.push(label);
      break;
    }
    // Named edges read as properties; an index (element edges, the slots of
    // V8's hash tables) or an odd name is left out.
    hops.push(name && /^[\w$ #/()-]{1,60}$/.test(name) && !/^\d+$/.test(name) ?
      `${label}.${name}` : label);
    cur = owner;
  }
  hops.reverse();
  return { hops, truncated };
}

// ---- the diff ----------------------------------------------------------------

function summary(a, b, top) {
  const { ids, groups, byKey } = groupNodes(b);
  const rows = [];
  for (const g of groups) {
    const ga = a.byKey.get(g.key);
    const ca = ga ? ga.count : 0;
    const sa = ga ? ga.size : 0;
    if (g.count > ca || g.size > sa) {
      rows.push({ g, count: g.count - ca, size: g.size - sa, countA: ca, countB: g.count });
    }
  }
  rows.sort((x, y) => y.size - x.size || y.count - x.count || (x.g.key < y.g.key ? -1 : 1));
  const shown = rows.slice(0, top);
  // One example object per grower, among the group's objects that did not
  // exist in A and are reachable over strong edges: one held the way most
  // of them are held (same holder group, same edge name), the oldest such;
  // else (a group that grew in place) its largest reachable object.
  const via = retainerTree(b);
  const want = new Map(shown.map((r, k) => [byKey.get(r.g.key), k]));
  const holders = shown.map(() => new Map()); // holder key -> [count, node]
  const big = new Array(shown.length).fill(-1);
  const bigSize = new Array(shown.length).fill(-1);
  for (let n = 0; n < b.count; n++) {
    const k = want.get(ids[n]);
    if (k === undefined || !via[n]) continue;
    const o = n * b.NF;
    const id = b.nodes[o + b.ID];
    if (id & 1 && id > a.maxId) {
      const e = via[n] - 1;
      const t = b.edges[e + b.ET];
      const key = `${ids[edgeOwner(b, e)]}\0${b.nameless[t] ? '' : edgeName(b, e)}`;
      const h = holders[k].get(key);
      if (h) h[0]++;
      else holders[k].set(key, [1, n]); // nodes are in id order: the oldest
    }
    if (b.nodes[o + b.SZ] > bigSize[k]) {
      bigSize[k] = b.nodes[o + b.SZ];
      big[k] = n;
    }
  }
  const pick = holders.map((m) => {
    let best = null;
    for (const h of m.values()) if (!best || h[0] > best[0]) best = h;
    return best ? best[1] : -1;
  });
  let total = 0;
  let totalCount = 0;
  for (const g of groups) {
    total += g.size;
    totalCount += g.count;
  }
  return {
    heapdiff: 1,
    a: { file: a.file, nodes: a.count, self_size: a.total, objects: a.objects },
    b: { file: b.file, nodes: b.count, self_size: total, objects: totalCount },
    growers: shown.map((r, k) => {
      const n = pick[k] >= 0 ? pick[k] : big[k];
      const p = n >= 0 ? retainerPath(b, via, n, groups, ids) : null;
      const out = {
        kind: r.g.kind,
        name: r.g.name,
        count: r.count,
        size: r.size,
        count_a: r.countA,
        count_b: r.countB,
      };
      if (r.g.kind === 'closure') {
        out.function = r.g.fn;
        out.script = r.g.script;
        out.line = r.g.line;
        out.location = r.g.script ?
          `${path.basename(r.g.script)}${r.g.line ? `:${r.g.line}` : ''}` : null;
      }
      out.example = pick[k] >= 0 ? 'new' : big[k] >= 0 ? 'largest' : null;
      out.retainers = p ? p.hops : null;
      out.retainers_truncated = p ? p.truncated : false;
      return out;
    }),
  };
}

/** What is kept of snapshot A: its group totals and its largest object id. */
function reduceA(s) {
  const { groups, byKey } = groupNodes(s);
  const totals = new Map();
  let total = 0;
  let objects = 0;
  for (const [key, g] of byKey) {
    totals.set(key, { count: groups[g].count, size: groups[g].size });
    total += groups[g].size;
    objects += groups[g].count;
  }
  // V8 numbers the objects of its heap with odd ids from one counter, so an
  // object first seen in B has an odd id above all of A's; the embedder's
  // nodes (node's C++ objects, the synthetic roots) carry other ids.
  let maxId = 0;
  for (let n = 0; n < s.count; n++) {
    const id = s.nodes[n * s.NF + s.ID];
    if (id & 1 && id > maxId) maxId = id;
  }
  return { file: s.file, count: s.count, byKey: totals, maxId, total, objects };
}

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
