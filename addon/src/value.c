/* Stored values (value.h): JS value <-> kind-tagged bytes, and setMany()'s
 * batches of encoded entries. JS thread only. */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "napi_util.h"
#include "path.h"
#include "utf8.h"
#include "value.h"
#include "wire.h"

/* String values of fewer UTF-16 units than this are read as UTF-16 on the
 * stack and encoded by addon_utf8_from_utf16 (3 bytes a unit at most, well
 * within the scratch buffer's first 4096 bytes); longer ones are read as
 * UTF-8 by Node-API into the scratch buffer. */
#define ADDON_VALUE_FAST_UNITS 512

/* Throws RangeError ERR_EVS_VALUE_TOO_LARGE for a string value of n UTF-8
 * bytes (JSON text for KIND_JSON) over `limit`. Returns false. */
static bool addon_text_too_large(napi_env env, size_t n, uint32_t kind,
                                 size_t limit) {
  addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_VALUE_TOO_LARGE",
              "The \"value\" argument is %zu bytes (UTF-8%s); the limit is "
              "%zu bytes",
              n, kind == ADDON_KIND_JSON ? " JSON" : "", limit);
  return false;
}

bool addon_encode_value(napi_env env, addon_env_t *aenv,
                        uint32_t max_value_bytes, napi_value value,
                        uint32_t kind, const uint8_t **out, size_t *out_len) {
  size_t limit = max_value_bytes - 1; /* one byte for the kind tag */
  size_t n = 0;

  if (kind == ADDON_KIND_STRING || kind == ADDON_KIND_JSON) {
    char16_t units[ADDON_VALUE_FAST_UNITS];
    size_t lone;
    napi_status st = napi_get_value_string_utf16(
        env, value, units, sizeof units / sizeof units[0], &n);
    if (st == napi_string_expected) {
      addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                  "The \"value\" argument must be a string here");
      return false;
    }
    NAPI_CALL_RETURN_FALSE(env, st);
    if (!addon_env_scratch(env, aenv, 4096))
      return false;
    if (n + 1 < sizeof units / sizeof units[0]) {
      /* The whole string (a longer one would have filled `units`), encoded
       * here: cheaper than napi_get_value_string_utf8, same bytes. */
      n = addon_utf8_from_utf16(units, n, (char *)aenv->scratch + 1,
                                aenv->scratch_cap - 1, &lone);
    } else {
      NAPI_CALL_RETURN_FALSE(
          env, napi_get_value_string_utf8(env, value, (char *)aenv->scratch + 1,
                                          aenv->scratch_cap - 1, &n));
      /* Whole characters only: a copy that stops within 4 bytes of the end
       * may be truncated; measure and retry with room. */
      if (n + 5 >= aenv->scratch_cap - 1) {
        NAPI_CALL_RETURN_FALSE(
            env, napi_get_value_string_utf8(env, value, NULL, 0, &n));
        if (n > limit)
          return addon_text_too_large(env, n, kind, limit);
        if (!addon_env_scratch(env, aenv, n + 2))
          return false;
        NAPI_CALL_RETURN_FALSE(env, napi_get_value_string_utf8(
                                        env, value, (char *)aenv->scratch + 1,
                                        aenv->scratch_cap - 1, &n));
      }
    }
  } else if (kind == ADDON_KIND_BUFFER || kind == ADDON_KIND_UINT8ARRAY) {
    bool is_ta = false;
    napi_typedarray_type tt;
    void *data = NULL;
    NAPI_CALL_RETURN_FALSE(env, napi_is_typedarray(env, value, &is_ta));
    if (!is_ta) {
      addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                  "The \"value\" argument must be a Buffer or Uint8Array here");
      return false;
    }
    NAPI_CALL_RETURN_FALSE(
        env, napi_get_typedarray_info(env, value, &tt, &n, &data, NULL, NULL));
    if (tt != napi_uint8_array) {
      addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                  "The \"value\" argument must be a Buffer or Uint8Array here");
      return false;
    }
    if (n > limit) {
      addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_VALUE_TOO_LARGE",
                  "The \"value\" argument is %zu bytes; the limit is %zu "
                  "bytes",
                  n, limit);
      return false;
    }
    if (!addon_env_scratch(env, aenv, n + 1))
      return false;
    if (n > 0)
      memcpy(aenv->scratch + 1, data, n);
  } else {
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_INVALID_ARG_VALUE",
                "unknown value kind %u", kind);
    return false;
  }
  if (n > limit)
    return addon_text_too_large(env, n, kind, limit);
  aenv->scratch[0] = (uint8_t)kind;
  *out = aenv->scratch;
  *out_len = n + 1;
  return true;
}

/* Encodes the well-formed UTF-16 text u[0..n) with its kind tag into out
 * (room for 1 + 3 * n bytes): *out_len bytes. Throws as
 * addon_encode_value does for text over the limit. */
static bool addon_encode_text_utf16(napi_env env, uint32_t max_value_bytes,
                                    const char16_t *u, size_t n, uint32_t kind,
                                    uint8_t *out, size_t *out_len) {
  size_t lone,
      bytes = addon_utf8_from_utf16(u, n, (char *)out + 1, 3 * n, &lone);
  if (bytes > max_value_bytes - 1)
    return addon_text_too_large(env, bytes, kind, max_value_bytes - 1);
  out[0] = (uint8_t)kind;
  *out_len = bytes + 1;
  return true;
}

/* Room for n more bytes in the arena; false with an exception pending. */
static bool addon_batch_reserve(napi_env env, addon_batch_t *b, size_t n) {
  size_t cap = b->cap ? b->cap : 4096;
  uint8_t *p;
  if (b->len + n <= b->cap)
    return true;
  while (cap < b->len + n)
    cap *= 2;
  if ((p = realloc(b->data, cap)) == NULL) {
    addon_throw_core(env, EVS_ENOMEM, "setMany()");
    return false;
  }
  b->data = p;
  b->cap = cap;
  return true;
}

bool addon_batch_add(napi_env env, addon_env_t *aenv, uint32_t max_value_bytes,
                     addon_batch_t *b, const char16_t *p, uint32_t plen,
                     uint32_t kind, const char16_t *v, uint32_t x,
                     napi_value bufs) {
  size_t k = b->count, start = b->len, len;
  if (!addon_batch_reserve(env, b, ADDON_PATH_BUF + 1 + 3 * (size_t)x))
    return false;
  b->path_off[k] = b->len;
  if (!addon_path_utf16(env, p, plen, "path", "ERR_EVS_BAD_PATH",
                        (char *)b->data + b->len, &b->e[k].path_len))
    return false;
  b->len += b->e[k].path_len;
  b->value_off[k] = b->len;
  if (kind == ADDON_KIND_STRING || kind == ADDON_KIND_JSON) {
    if (!addon_encode_text_utf16(env, max_value_bytes, v, x, kind,
                                 b->data + b->len, &len)) {
      b->len = start;
      return false;
    }
  } else {
    const uint8_t *bytes;
    napi_value buf;
    if (napi_get_element(env, bufs, x, &buf) != napi_ok ||
        !addon_encode_value(env, aenv, max_value_bytes, buf, kind, &bytes,
                            &len) ||
        !addon_batch_reserve(env, b, len)) {
      b->len = start;
      return false;
    }
    memcpy(b->data + b->len, bytes, len);
  }
  b->len += len;
  b->e[k].value_len = len;
  b->count++;
  return true;
}

const evs_set_entry_t *addon_batch_entries(addon_batch_t *b) {
  size_t i;
  for (i = 0; i < b->count; i++) {
    b->e[i].path = (const char *)b->data + b->path_off[i];
    b->e[i].value = b->data + b->value_off[i];
  }
  return b->e;
}

void addon_batch_reset(addon_batch_t *b) {
  b->count = b->len = 0;
}

void addon_batch_free(addon_batch_t *b) {
  free(b->data);
  b->data = NULL;
  b->count = b->len = b->cap = 0;
}

napi_value addon_decode_value(napi_env env, addon_env_t *aenv,
                              const uint8_t *bytes, size_t len) {
  napi_value result, global, json, parse, text;
  void *data = NULL;
  uint8_t kind = len > 0 ? bytes[0] : ADDON_KIND_NONE;

  switch (kind) {
  case ADDON_KIND_STRING:
    NAPI_CALL(env, napi_create_string_utf8(env, (const char *)bytes + 1,
                                           len - 1, &result));
    return result;
  case ADDON_KIND_BUFFER:
    NAPI_CALL(env,
              napi_create_buffer_copy(env, len - 1, bytes + 1, NULL, &result));
    return result;
  case ADDON_KIND_UINT8ARRAY: {
    napi_value ab;
    NAPI_CALL(env, napi_create_arraybuffer(env, len - 1, &data, &ab));
    if (len > 1)
      memcpy(data, bytes + 1, len - 1);
    NAPI_CALL(env, napi_create_typedarray(env, napi_uint8_array, len - 1, ab, 0,
                                          &result));
    return result;
  }
  case ADDON_KIND_JSON:
    NAPI_CALL(env, napi_create_string_utf8(env, (const char *)bytes + 1,
                                           len - 1, &text));
    NAPI_CALL(env, napi_get_reference_value(env, aenv->json_parse, &parse));
    NAPI_CALL(env, napi_get_global(env, &global));
    NAPI_CALL(env, napi_get_named_property(env, global, "JSON", &json));
    NAPI_CALL(env, napi_call_function(env, json, parse, 1, &text, &result));
    return result;
  default:
    /* Bytes not written by this addon: hand them over raw. */
    NAPI_CALL(env, napi_create_buffer_copy(env, len, bytes, NULL, &result));
    return result;
  }
}
