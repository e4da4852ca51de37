/* Private to the addon: the JS errors it throws. Every thrown error is an
 * Error, TypeError or RangeError carrying a `code` string, and none replaces
 * an exception that is already pending. All functions here run on the JS
 * thread of `env`, except the pure string helpers (addon_escape_utf16,
 * addon_find_lone_surrogate, addon_fmt_number), which any thread may call. */
#ifndef ADDON_ERRORS_H
#define ADDON_ERRORS_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <uchar.h>

#include <evstore.h>

typedef enum addon_error_kind_e {
  ADDON_ERROR = 0,
  ADDON_TYPE_ERROR = 1,
  ADDON_RANGE_ERROR = 2
} addon_error_kind_t;

/* Throws a new Error/TypeError/RangeError with `code` and a printf-style
 * message, unless an exception is already pending. Always returns NULL so a
 * callback can `return addon_throw(...)`. The message is truncated to its
 * buffer (an escaped path plus 512 bytes of text). */
napi_value addon_throw(napi_env env, addon_error_kind_t kind, const char *code,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Throws the JS error for a core error code `err`, with the message prefixed
 * by `what` (e.g. "set('/a/b')"): the class and code come from one table of
 * core codes; an unknown code gives Error ERR_EVS_UNKNOWN. Returns NULL. */
napi_value addon_throw_core(napi_env env, int err, const char *what);

/* Throws the error of a failed Node-API call `call_text` that returned
 * `status` (used by the NAPI_CALL family, napi_util.h): the message of
 * napi_get_last_error_info, as TypeError ERR_INVALID_ARG_TYPE for the
 * "expected a ..." statuses, else Error ERR_EVS_NAPI. Does nothing when an
 * exception is already pending. */
void addon_throw_napi_error(napi_env env, napi_status status,
                            const char *call_text);

/* Room for any path or pattern (at most EVS_PATH_MAX bytes of UTF-8) escaped
 * by addon_escape_js_string: each UTF-8 byte becomes at most 4 bytes (a
 * control character as \xNN; an unpaired surrogate, 3 bytes as U+FFFD,
 * becomes the 6 of \uDXXX), plus "..." and the NUL. */
#define ADDON_ESCAPED_MAX (4 * EVS_PATH_MAX + 8)

/* Writes the JS string `v` into out[0..cap) (always NUL-terminated) for an
 * error message, whole and unambiguous: NUL as \0, other C0/C1 control
 * characters and DEL as \xNN, backslash and quote escaped, an unpaired
 * surrogate as \uDXXX, everything else as UTF-8. Strings longer than
 * EVS_PATH_MAX units, or than `cap` allows, end in "...". Never throws;
 * writes "<unreadable>" if the string cannot be read. */
void addon_escape_js_string(napi_env env, napi_value v, char *out, size_t cap);
/* The same for UTF-16 units u[0..n); `truncated` appends "...". */
void addon_escape_utf16(const char16_t *u, size_t n, bool truncated, char *out,
                        size_t cap);
/* Whether u[0..n) holds a surrogate that is not half of a pair; if so, *at is
 * the index of the first one. */
bool addon_find_lone_surrogate(const char16_t *u, size_t n, size_t *at);
/* Formats a double as JavaScript would print it (NaN, Infinity, -0, shortest
 * round-trip digits) into buf (the caller's, `cap` bytes); returns buf. */
const char *addon_fmt_number(double d, char *buf, size_t cap);

#endif
