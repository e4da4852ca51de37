/* Path and pattern arguments (path.h): UTF-8 within EVS_PATH_MAX bytes and
 * no unpaired surrogate; the malformed-pattern error. JS thread only. */
#include <string.h>

#include "napi_util.h"
#include "path.h"

/* Refuses a path or pattern holding an unpaired UTF-16 surrogate. UTF-8
 * cannot encode one: napi_get_value_string_utf8 writes U+FFFD instead, so
 * '/k/\uD800' and '/k/\uDBFF' would name the same key. Only a string whose
 * UTF-8 form holds U+FFFD (EF BF BD) can have one, so the common case costs
 * a memmem over the bytes already read, and only those strings are read
 * again as UTF-16 to tell a real U+FFFD from a replaced surrogate. */
static bool addon_check_surrogates(napi_env env, napi_value v, const char *what,
                                   const char *bad_code, const char *buf,
                                   size_t len) {
  char16_t units[EVS_PATH_MAX + 2];
  char shown[ADDON_ESCAPED_MAX];
  size_t n = 0, at = 0;

  if (memmem(buf, len, "\xef\xbf\xbd", 3) == NULL)
    return true;
  /* len <= EVS_PATH_MAX UTF-8 bytes, so at most as many UTF-16 units. */
  NAPI_CALL_RETURN_FALSE(
      env, napi_get_value_string_utf16(env, v, units,
                                       sizeof units / sizeof units[0], &n));
  if (!addon_find_lone_surrogate(units, n, &at))
    return true;
  addon_escape_utf16(units, n, false, shown, sizeof shown);
  addon_throw(env, ADDON_RANGE_ERROR, bad_code,
              "The \"%s\" argument '%s' holds an unpaired UTF-16 surrogate "
              "(\\u%04X at index %zu); it must be well-formed Unicode",
              what, shown, (unsigned)units[at], at);
  return false;
}

bool addon_get_path(napi_env env, napi_value v, const char *what,
                    const char *bad_code, char *buf, size_t *len) {
  napi_valuetype t;
  size_t n = 0;

  NAPI_CALL_RETURN_FALSE(env, napi_typeof(env, v, &t));
  if (t != napi_string) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "The \"%s\" argument must be of type string", what);
    return false;
  }
  /* A buffer 5 bytes over the limit: UTF-8 output stops on whole characters
   * (at most 4 bytes), so any string over the limit copies > EVS_PATH_MAX. */
  NAPI_CALL_RETURN_FALSE(
      env, napi_get_value_string_utf8(env, v, buf, ADDON_PATH_BUF, &n));
  if (n > EVS_PATH_MAX) {
    NAPI_CALL_RETURN_FALSE(env,
                           napi_get_value_string_utf8(env, v, NULL, 0, &n));
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_PATH_TOO_LONG",
                "The \"%s\" argument is %zu bytes long (UTF-8); the limit is "
                "%d bytes",
                what, n, EVS_PATH_MAX);
    return false;
  }
  if (!addon_check_surrogates(env, v, what, bad_code, buf, n))
    return false;
  *len = n;
  return true;
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
