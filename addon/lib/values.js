'use strict';
/* Value bytes of the wire format -> JS values, by kind (wire.KIND_*):
 * shared by the batch decoder and the step-event decoder. */

const { KIND_STRING, KIND_BUFFER, KIND_UINT8ARRAY, KIND_JSON } =
  require('./wire');

const hasSlices = typeof Buffer.prototype.latin1Slice === 'function' &&
  typeof Buffer.prototype.utf8Slice === 'function';

function textOf(buf, ascii, start, end) {
  if (hasSlices) {
    return ascii ? buf.latin1Slice(start, end) : buf.utf8Slice(start, end);
  }
  return buf.toString(ascii ? 'latin1' : 'utf8', start, end);
}

/* Decodes value bytes [start, end) of `buf` according to `kind`. */
function decodeValue(kind, ascii, buf, start, end) {
  switch (kind) {
    case KIND_STRING:
      return textOf(buf, ascii, start, end);
    case KIND_BUFFER: {
      const b = Buffer.allocUnsafe(end - start);
      buf.copy(b, 0, start, end);
      return b;
    }
    case KIND_UINT8ARRAY:
      return new Uint8Array(buf.buffer.slice(buf.byteOffset + start,
        buf.byteOffset + end));
    case KIND_JSON:
      return JSON.parse(textOf(buf, ascii, start, end));
    default:
      return undefined;
  }
}

/* A private, immutable-by-us form of a value, from which each further
 * subscriber of the same event gets its own object. */
function masterOf(kind, ascii, buf, start, end) {
  if (kind === KIND_STRING || kind === KIND_JSON) {
    return textOf(buf, ascii, start, end);
  }
  if (kind === KIND_BUFFER || kind === KIND_UINT8ARRAY) {
    return new Uint8Array(buf.buffer.slice(buf.byteOffset + start,
      buf.byteOffset + end));
  }
  return undefined;
}

function valueFromMaster(kind, master) {
  switch (kind) {
    case KIND_STRING: return master;
    case KIND_BUFFER: return Buffer.from(master);
    case KIND_UINT8ARRAY: return master.slice();
    case KIND_JSON: return JSON.parse(master);
    default: return undefined;
  }
}

module.exports = { textOf, decodeValue, masterOf, valueFromMaster };
