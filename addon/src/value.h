/* Private to the addon: stored values. A value is kept as its kind byte
 * (KIND_*, wire.h) followed by its bytes, so get() and events return the
 * kind that went in. JS thread only. */
#ifndef ADDON_VALUE_H
#define ADDON_VALUE_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uchar.h>

#include <evstore.h>

#include "env.h"

/* Encodes the JS value `value` (a string for KIND_STRING and KIND_JSON, a
 * Uint8Array or Buffer for KIND_BUFFER and KIND_UINT8ARRAY) with its kind
 * tag into the env scratch buffer: *out (borrowed from aenv, valid until
 * the next use of the scratch) holds *out_len bytes. A value over
 * max_value_bytes - 1 bytes throws RangeError ERR_EVS_VALUE_TOO_LARGE; a
 * wrong type TypeError ERR_INVALID_ARG_TYPE; an unknown kind RangeError
 * ERR_INVALID_ARG_VALUE. Returns false then. */
bool addon_encode_value(napi_env env, addon_env_t *aenv,
                        uint32_t max_value_bytes, napi_value value,
                        uint32_t kind, const uint8_t **out, size_t *out_len);

/* A chunk of setMany()'s entries encoded for evs_store_set_many: their
 * paths (UTF-8) and kind-tagged values in one arena. Zero-initialised;
 * freed with addon_batch_free. JS thread. */
#define ADDON_BATCH_MAX 64u
typedef struct addon_batch_s {
  uint8_t *data; /* the arena */
  size_t len, cap;
  size_t count; /* entries in e[] */
  size_t path_off[ADDON_BATCH_MAX], value_off[ADDON_BATCH_MAX];
  evs_set_entry_t e[ADDON_BATCH_MAX];
} addon_batch_t;

/* Appends one entry (count < ADDON_BATCH_MAX): the path read as the UTF-16
 * units p[0..plen), checked and thrown about as addon_get_path does, and a
 * value of `kind`: for KIND_STRING and KIND_JSON the well-formed UTF-16
 * units v[0..x) (text over max_value_bytes - 1 bytes of UTF-8 throws as
 * addon_encode_value does), else the Buffer or Uint8Array bufs[x] (as
 * addon_encode_value). False with an exception pending when the entry is
 * bad or memory runs out (nothing appended). */
bool addon_batch_add(napi_env env, addon_env_t *aenv, uint32_t max_value_bytes,
                     addon_batch_t *b, const char16_t *p, uint32_t plen,
                     uint32_t kind, const char16_t *v, uint32_t x,
                     napi_value bufs);

/* The entries, their pointers set into the arena (valid until the next
 * append, reset or free). */
const evs_set_entry_t *addon_batch_entries(addon_batch_t *b);

/* Empties the batch (keeps the arena) / frees the arena. */
void addon_batch_reset(addon_batch_t *b);
void addon_batch_free(addon_batch_t *b);

/* Converts kind-tagged bytes (borrowed) to a new JS value: a string, Buffer,
 * Uint8Array or the JSON-parsed value; untagged bytes as a Buffer. Returns
 * NULL with an exception pending on failure (JSON.parse's included). */
napi_value addon_decode_value(napi_env env, addon_env_t *aenv,
                              const uint8_t *bytes, size_t len);

#endif
