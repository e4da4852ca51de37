'use strict';
// heapdiff's reading of a V8 heap snapshot (heapdiff.js): the file into one
// buffer, its number arrays straight into Uint32Arrays, then every index the
// analysis follows checked. Input is untrusted: anything wrong is an
// InputError naming the file.

const fs = require('fs');

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

module.exports = { InputError, readSnapshot };
