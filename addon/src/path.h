/* Private to the addon: reading path and pattern arguments, and the error
 * for a malformed pattern. JS thread only. */
#ifndef ADDON_PATH_H
#define ADDON_PATH_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <uchar.h>

#include <evstore.h>

/* Room for a path or pattern as these functions write it: at most
 * EVS_PATH_MAX bytes of UTF-8, then a NUL. */
#define ADDON_PATH_BUF (EVS_PATH_MAX + 1)

/* Reads a path/pattern argument into buf (the caller's, at least
 * ADDON_PATH_BUF bytes) as UTF-8 of *len bytes, NUL-terminated (it may hold
 * NULs too, which the core refuses). Throws TypeError ERR_INVALID_ARG_TYPE
 * (not a string), RangeError ERR_EVS_PATH_TOO_LONG (over EVS_PATH_MAX bytes)
 * or RangeError `bad_code` (an unpaired UTF-16 surrogate, which UTF-8 cannot
 * hold), naming the argument `what`; returns false then, *len unchanged. */
bool addon_get_path(napi_env env, napi_value v, const char *what,
                    const char *bad_code, char *buf, size_t *len);
/* The same checks and errors for a path or pattern already read as the
 * UTF-16 units u[0..n) (the whole string), encoded into buf (at least
 * ADDON_PATH_BUF bytes) as UTF-8 of *len bytes, NUL-terminated. */
bool addon_path_utf16(napi_env env, const char16_t *u, size_t n,
                      const char *what, const char *bad_code, char *buf,
                      size_t *len);

/* Throws RangeError ERR_EVS_BAD_PATTERN for the malformed pattern `v` (the
 * `what` argument), shown whole and escaped, with the rules. Returns NULL. */
napi_value addon_throw_bad_pattern(napi_env env, const char *what,
                                   napi_value v);

#endif
