'use strict';
/* The checks that make set() lossless for values stored as JSON: a value is
 * stored only if JSON.parse(JSON.stringify(v)) would be deep-equal to it. */

const { makeError, describe, invalidType } = require('./errors');

/* Whether a string has no unpaired surrogate (String#isWellFormed, node 20;
 * a regular expression on older versions). */
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = typeof String.prototype.isWellFormed === 'function' ?
  (str) => str.isWellFormed() : (str) => !LONE_SURROGATE.test(str);

function lossError(Ctor, code, where, what) {
  return makeError(Ctor, code,
    `The "value" argument cannot be stored without loss: ${where} ${what}`);
}

function numberText(n) {
  return Object.is(n, -0) ? '-0' : String(n);
}

/* Why JSON.parse(JSON.stringify(v)) would not be deep-equal to `v`, or null
 * when it would be. `v` was accepted by JSON.stringify, so it is acyclic.
 * The answer is {Ctor, code, what, keys}, `keys` innermost first; it is
 * built only on failure, so an accepted value costs one walk and no
 * strings. */
function jsonLoss(v) {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      if (v - v === 0 && (v !== 0 || 1 / v > 0)) return null;
      return { Ctor: TypeError, code: 'ERR_INVALID_ARG_VALUE', keys: [],
        what: `is ${numberText(v)} (JSON has no NaN, Infinity or -0)` };
    case 'object': {
      if (v === null) return null;
      const proto = Object.getPrototypeOf(v);
      let keys;
      if (proto === Array.prototype) {
        const n = v.length;
        for (let i = 0; i < n; i++) {
          if (!(i in v)) {
            return { Ctor: TypeError, code: 'ERR_INVALID_ARG_VALUE', keys: [i],
              what: 'is an array hole (JSON would make it null)' };
          }
          const r = jsonLoss(v[i]);
          if (r !== null) { r.keys.push(i); return r; }
        }
        keys = Object.keys(v);
        if (keys.length !== n) {
          const extra = keys.find((k) => !(String(k >>> 0) === k && (k >>> 0) < n));
          return { Ctor: TypeError, code: 'ERR_INVALID_ARG_VALUE', keys: [],
            what: `has the property ${JSON.stringify(extra)}, which is not ` +
              'an index (JSON drops it)' };
        }
      } else if (proto === Object.prototype) {
        keys = Object.keys(v);
        for (let i = 0; i < keys.length; i++) {
          const r = jsonLoss(v[keys[i]]);
          if (r !== null) { r.keys.push(keys[i]); return r; }
        }
      } else {
        return { Ctor: TypeError, code: 'ERR_INVALID_ARG_TYPE', keys: [],
          what: `is ${proto === null ? 'an object with a null prototype' :
            describe(v)} (only plain objects and arrays are stored as JSON)` };
      }
      const syms = Object.getOwnPropertySymbols(v);
      for (let i = 0; i < syms.length; i++) {
        if (Object.prototype.propertyIsEnumerable.call(v, syms[i])) {
          return { Ctor: TypeError, code: 'ERR_INVALID_ARG_VALUE', keys: [],
            what: `has the symbol-keyed property ${String(syms[i])} ` +
              '(JSON drops it)' };
        }
      }
      return null;
    }
    default: // undefined, function, symbol, bigint
      return { Ctor: TypeError, code: 'ERR_INVALID_ARG_TYPE', keys: [],
        what: `is ${typeof v === 'function' ? describe(v) : typeof v === 'undefined' ?
          'undefined' : `of type ${typeof v}`} (JSON drops or refuses it)` };
  }
}

/* 'value', then .name or ["odd key"] or [index] for each key, outermost
 * first. */
function wherePath(keys) {
  let where = 'value';
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i];
    if (typeof k === 'number') where += `[${k}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(k)) where += `.${k}`;
    else where += `[${JSON.stringify(k)}]`;
  }
  return where;
}

/* The JSON text of a value set() stores as JSON; throws unless the text
 * parses back to a deep-equal value. */
function toJson(value) {
  const t = typeof value;
  if (t === 'undefined' || t === 'function' || t === 'symbol' ||
      t === 'bigint' || ArrayBuffer.isView(value) ||
      value instanceof ArrayBuffer) {
    throw invalidType('value',
      'a string, Buffer, Uint8Array or JSON-able value', value);
  }
  let json;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    const err = makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "value" argument is not JSON-able: ${cause.message}`);
    err.cause = cause;
    throw err;
  }
  if (json === undefined) {
    throw invalidType('value', 'JSON-able (JSON.stringify returned undefined)',
      value);
  }
  const loss = jsonLoss(value);
  if (loss !== null) {
    throw lossError(loss.Ctor, loss.code, wherePath(loss.keys), loss.what);
  }
  return json;
}

module.exports = { isWellFormed, lossError, toJson };
