/* Private to the addon: reading path and pattern arguments, and the error
 * for a malformed pattern. JS thread only. */
#ifndef ADDON_PATH_H
#define ADDON_PATH_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

#include <evstore.h>

/* Room addon_get_path needs: 5 bytes over the limit (UTF-8 output stops on
 * whole characters, at most 4 bytes), plus the NUL. */
#define ADDON_PATH_BUF (EVS_PATH_MAX + 6)

/* Reads a path/pattern argument into buf (the caller's, at least
 * ADDON_PATH_BUF bytes) as UTF-8 of *len bytes (not NUL-terminated; it may
 * hold NULs, which the core refuses). Throws TypeError ERR_INVALID_ARG_TYPE
 * (not a string), RangeError ERR_EVS_PATH_TOO_LONG (over EVS_PATH_MAX bytes)
 * or RangeError `bad_code` (an unpaired UTF-16 surrogate, which UTF-8 cannot
 * hold), naming the argument `what`; returns false then, *len unchanged. */
bool addon_get_path(napi_env env, napi_value v, const char *what,
                    const char *bad_code, char *buf, size_t *len);

/* Throws RangeError ERR_EVS_BAD_PATTERN for the malformed pattern `v` (the
 * `what` argument), shown whole and escaped, with the rules. Returns NULL. */
napi_value addon_throw_bad_pattern(napi_env env, const char *what,
                                   napi_value v);

#endif
