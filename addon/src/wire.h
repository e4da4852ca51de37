/* Private to the addon: the wire format between evstore.node and its JS
 * layer, defined once. ADDON_WIRE below is the only place a constant of the
 * format is written: it generates the C enum used by delivery.c and
 * worker.c, and addon_wire_export() hands the same table to JS as the
 * frozen `wire` object of the binding, which lib/wire.js reads (no constant
 * is repeated in JS).
 *
 * Values. Every value the addon stores starts with one kind byte (KIND_*),
 * so that get(), events and step events return the kind that went in.
 *
 * Delivery batches (delivery.c -> lib/decoder.js). Records are 32-bit
 * little-endian words; word 0 is op | size_in_words << SIZE_SHIFT:
 *   PATH   [w0][id][len] bytes...            defines paths[id]
 *   VALUE  [w0][id][len] bytes...            defines values[id] (strings)
 *   EVENT  [w0][slot][gen][pathId][seqLo][seqHi][meta][valueId][vlen] bytes
 *          meta = type | kind << 8 | ascii << 16; valueId = NO_VALUE_ID when
 *          the value is inline
 *   REPEAT [w0][slot][gen]                   the previous EVENT, another sub
 * The path and value tables are caches mirrored by the JS decoder: a define
 * record overwrites the entry, so both sides agree at every point of the
 * stream.
 *
 * Step events (workerPoll, worker.c -> lib/worker.js), one record each:
 *   [idLo][idHi][seqLo][seqHi][type][kind | ascii << 8][pathLen][valueLen]
 *   path (padded to 4 bytes) value (padded to 4 bytes). */
#ifndef ADDON_WIRE_H
#define ADDON_WIRE_H

#include <node_api.h>
#include <stdbool.h>

#include <evstore.h>

/* X(name, value): C name ADDON_<name>, JS name wire.<name>. Values are
 * uint32 on the JS side; NO_VALUE_ID is written -1 here (an int enum) and
 * exported as 0xffffffff. */
#define ADDON_WIRE(X)                                                          \
  /* value kinds: the first byte of every stored value */                      \
  X(KIND_STRING, 0)                                                            \
  X(KIND_BUFFER, 1)                                                            \
  X(KIND_UINT8ARRAY, 2)                                                        \
  X(KIND_JSON, 3)                                                              \
  X(KIND_COUNT, 4)  /* first byte >= this: untagged bytes */                   \
  X(KIND_NONE, 255) /* no value (delete events, untagged bytes) */             \
  /* event types (the core's) */                                               \
  X(TYPE_SET, EVS_EVENT_SET)                                                   \
  X(TYPE_DELETE, EVS_EVENT_DELETE)                                             \
  /* word 0 of a delivery record */                                            \
  X(OP_PATH, 1)                                                                \
  X(OP_VALUE, 2)                                                               \
  X(OP_EVENT, 3)                                                               \
  X(OP_REPEAT, 4)                                                              \
  X(OP_MASK, 15)                                                               \
  X(SIZE_SHIFT, 4)                                                             \
  X(BYTE_MASK, 255) /* one byte of a packed word (type, kind) */               \
  /* PATH and VALUE (define) records: words, then the bytes */                 \
  X(DEF_ID, 1)                                                                 \
  X(DEF_LEN, 2)                                                                \
  X(DEF_WORDS, 3)                                                              \
  X(DEF_ASCII_SHIFT, 31) /* in DEF_LEN of a VALUE record */                    \
  /* EVENT records: words, then the inline value bytes */                      \
  X(EV_SLOT, 1)                                                                \
  X(EV_GEN, 2)                                                                 \
  X(EV_PATH_ID, 3)                                                             \
  X(EV_SEQ_LO, 4)                                                              \
  X(EV_SEQ_HI, 5)                                                              \
  X(EV_META, 6)                                                                \
  X(EV_VALUE_ID, 7)                                                            \
  X(EV_VALUE_LEN, 8)                                                           \
  X(EVENT_WORDS, 9)                                                            \
  X(META_KIND_SHIFT, 8)                                                        \
  X(META_ASCII_SHIFT, 16)                                                      \
  X(NO_VALUE_ID, -1)                                                           \
  /* REPEAT records */                                                         \
  X(REPEAT_SLOT, 1)                                                            \
  X(REPEAT_GEN, 2)                                                             \
  X(REPEAT_WORDS, 3)                                                           \
  /* step event records (workerPoll) */                                        \
  X(STEP_ID_LO, 0)                                                             \
  X(STEP_ID_HI, 1)                                                             \
  X(STEP_SEQ_LO, 2)                                                            \
  X(STEP_SEQ_HI, 3)                                                            \
  X(STEP_TYPE, 4)                                                              \
  X(STEP_META, 5)                                                              \
  X(STEP_PATH_LEN, 6)                                                          \
  X(STEP_VALUE_LEN, 7)                                                         \
  X(STEP_WORDS, 8)                                                             \
  X(STEP_ASCII_SHIFT, 8)

enum addon_wire_e {
#define ADDON_WIRE_ENUM_(name, value) ADDON_##name = (value),
  ADDON_WIRE(ADDON_WIRE_ENUM_)
#undef ADDON_WIRE_ENUM_
};

/* Creates the frozen JS object {name: value} of every ADDON_WIRE entry into
 * *out. JS thread; false with an exception pending on failure. */
bool addon_wire_export(napi_env env, napi_value *out);

#endif
