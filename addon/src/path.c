/* Path and pattern arguments (path.h): UTF-8 within EVS_PATH_MAX bytes and
 * no unpaired surrogate; the malformed-pattern error. JS thread only. */
#include "path.h"
#include "napi_util.h"
#include "utf8.h"

bool addon_path_utf16(napi_env env, const char16_t *u, size_t n,
                      const char *what, const char *bad_code, char *buf,
                      size_t *len) {
  char shown[ADDON_ESCAPED_MAX];
  size_t at = n;
  size_t bytes = addon_utf8_from_utf16(u, n, buf, EVS_PATH_MAX, &at);

  if (bytes > EVS_PATH_MAX) {
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_PATH_TOO_LONG",
                "The \"%s\" argument is %zu bytes long (UTF-8); the limit is "
                "%d bytes",
                what, bytes, EVS_PATH_MAX);
    return false;
  }
  if (at < n) {
    addon_escape_utf16(u, n, false, shown, sizeof shown);
    addon_throw(env, ADDON_RANGE_ERROR, bad_code,
                "The \"%s\" argument '%s' holds an unpaired UTF-16 surrogate "
                "(\\u%04X at index %zu); it must be well-formed Unicode",
                what, shown, (unsigned)u[at], at);
    return false;
  }
  buf[bytes] = '\0';
  *len = bytes;
  return true;
}

bool addon_get_path(napi_env env, napi_value v, const char *what,
                    const char *bad_code, char *buf, size_t *len) {
  /* One unit more than a valid path can have: a path of more units has more
   * UTF-8 bytes than the limit. */
  char16_t units[EVS_PATH_MAX + 2];
  size_t n = 0, bytes = 0;
  napi_status st;

  /* As UTF-16, then encoded here (addon_path_utf16): cheaper than
   * napi_get_value_string_utf8 for short strings, and it finds an unpaired
   * surrogate exactly. */
  st = napi_get_value_string_utf16(env, v, units,
                                   sizeof units / sizeof units[0], &n);
  if (st == napi_string_expected) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "The \"%s\" argument must be of type string", what);
    return false;
  }
  NAPI_CALL_RETURN_FALSE(env, st);
  if (n > EVS_PATH_MAX) {
    /* Too long whatever it holds; `units` may not hold all of it. */
    NAPI_CALL_RETURN_FALSE(env,
                           napi_get_value_string_utf8(env, v, NULL, 0, &bytes));
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_PATH_TOO_LONG",
                "The \"%s\" argument is %zu bytes long (UTF-8); the limit is "
                "%d bytes",
                what, bytes, EVS_PATH_MAX);
    return false;
  }
  return addon_path_utf16(env, units, n, what, bad_code, buf, len);
}

napi_value addon_throw_bad_pattern(napi_env env, const char *what,
                                   napi_value v) {
  char shown[ADDON_ESCAPED_MAX];
  addon_escape_js_string(env, v, shown, sizeof shown);
  return addon_throw(
      env, ADDON_RANGE_ERROR, "ERR_EVS_BAD_PATTERN",
      "The \"%s\" argument '%s' is malformed: it must start with '/', have "
      "no empty segment and no NUL, use '*' only as a whole segment and '**' "
      "only as the last one, and be at most %d bytes",
      what, shown, EVS_PATH_MAX);
}
