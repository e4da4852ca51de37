'use strict';
/* Errors thrown by the JS layer (each with a `code`, as the native ones),
 * argument checks, and the token that keeps the private constructors
 * private. */

function makeError(Ctor, code, message) {
  const err = new Ctor(message);
  err.code = code;
  return err;
}

function describe(v) {
  if (v === null) return 'null';
  if (typeof v === 'function') return `function ${v.name || '<anonymous>'}`;
  if (typeof v === 'object') {
    return `an instance of ${v.constructor ? v.constructor.name : 'Object'}`;
  }
  let s = String(v);
  if (s.length > 28) s = s.slice(0, 25) + '...';
  return `type ${typeof v} (${typeof v === 'string' ? `'${s}'` : s})`;
}

function invalidType(name, expected, actual) {
  return makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
    `The "${name}" argument must be ${expected}. Received ${describe(actual)}`);
}

/* Passed by this module to the constructors that index.d.ts marks private.
 * User code cannot obtain it, so it cannot build a Subscription naming
 * another subscriber's slot (and detach it), an Observable on an unchecked
 * pattern, or a Worker or RawStatus around a foreign handle. */
const INTERNAL = Symbol('evstore.internal');

function illegalConstructor() {
  return makeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
}

function closedError(what) {
  return makeError(Error, 'ERR_EVS_CLOSED', `${what}: the store is closed`);
}

function checkPositiveInt(name, v, max, allowZero) {
  if (typeof v !== 'number') {
    throw invalidType(name, 'of type number', v);
  }
  const min = allowZero ? 0 : 1;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw makeError(RangeError, 'ERR_OUT_OF_RANGE',
      `The value of "${name}" is out of range. It must be an integer >= ` +
      `${min} and <= ${max}. Received ${v}`);
  }
}

module.exports = { makeError, describe, invalidType, INTERNAL,
  illegalConstructor, closedError, checkPositiveInt };
