'use strict';
/* The wire format between evstore.node and this layer, as the native module
 * exports it (binding.wire, generated from the ADDON_WIRE table of
 * addon/src/wire.h): value kinds, event types, delivery and step record
 * layouts. Nothing here repeats a constant of the format; the masks below
 * are derived from it. */

const { native } = require('./native');

const wire = native.wire;

/** Names of the event types, indexed by type. */
const TYPE_NAMES = [];
TYPE_NAMES[wire.TYPE_SET] = 'set';
TYPE_NAMES[wire.TYPE_DELETE] = 'delete';

module.exports = Object.freeze({
  ...wire,
  TYPE_NAMES: Object.freeze(TYPE_NAMES),
  /** The ascii flag in DEF_LEN of a VALUE record, and the length bits. */
  DEF_ASCII: 2 ** wire.DEF_ASCII_SHIFT,
  DEF_LEN_MASK: 2 ** wire.DEF_ASCII_SHIFT - 1,
  /** The ascii flag in EV_META, and in STEP_META. */
  META_ASCII: 2 ** wire.META_ASCII_SHIFT,
  STEP_ASCII: 2 ** wire.STEP_ASCII_SHIFT,
});
