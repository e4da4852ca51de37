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

/* Encodes a string value already read as the UTF-16 units u[0..n)
 * (well-formed: an unpaired surrogate would become U+FFFD) with its kind tag
 * (KIND_STRING or KIND_JSON) into out, which has room for 1 + 3 * n bytes:
 * *out_len bytes. Over max_value_bytes - 1 bytes of text throws RangeError
 * ERR_EVS_VALUE_TOO_LARGE as addon_encode_value does and returns false. */
bool addon_encode_text_utf16(napi_env env, uint32_t max_value_bytes,
                             const char16_t *u, size_t n, uint32_t kind,
                             uint8_t *out, size_t *out_len);

/* Converts kind-tagged bytes (borrowed) to a new JS value: a string, Buffer,
 * Uint8Array or the JSON-parsed value; untagged bytes as a Buffer. Returns
 * NULL with an exception pending on failure (JSON.parse's included). */
napi_value addon_decode_value(napi_env env, addon_env_t *aenv,
                              const uint8_t *bytes, size_t len);

#endif
