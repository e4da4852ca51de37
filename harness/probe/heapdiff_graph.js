'use strict';
// heapdiff's analysis of read snapshots (heapdiff.js, heapdiff_read.js):
// objects grouped by constructor (closures by function and location), the
// growth of each group between A and B, and one retainer path per grower.

const path = require('path');

const PATH_MAX_HOPS = 8; // retainer path: at most this many hops shown
const LABEL_MAX = 120; // characters of one name in the output

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

module.exports = { summary, reduceA };
