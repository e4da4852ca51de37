/* JS errors of the addon: every thrown error is an Error, TypeError or
 * RangeError carrying a `code` string, and never replaces a pending exception.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

static bool addon_exception_pending(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok)
    return true; /* cannot tell: do not pile another error on top */
  return pending;
}

static napi_value addon_throw_v(napi_env env, addon_error_kind_t kind,
                                const char *code, const char *fmt, va_list ap) {
  /* Room for an escaped path (ADDON_ESCAPED_MAX) and the text around it. */
  char msg[ADDON_ESCAPED_MAX + 512];
  napi_value js_code, js_msg, err;

  if (addon_exception_pending(env))
    return NULL;
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &js_code) !=
          napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &js_msg) != napi_ok)
    return NULL;
  switch (kind) {
  case ADDON_TYPE_ERROR:
    if (napi_create_type_error(env, js_code, js_msg, &err) != napi_ok)
      return NULL;
    break;
  case ADDON_RANGE_ERROR:
    if (napi_create_range_error(env, js_code, js_msg, &err) != napi_ok)
      return NULL;
    break;
  default:
    if (napi_create_error(env, js_code, js_msg, &err) != napi_ok)
      return NULL;
    break;
  }
  napi_throw(env, err);
  return NULL;
}

napi_value addon_throw(napi_env env, addon_error_kind_t kind, const char *code,
                       const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  addon_throw_v(env, kind, code, fmt, ap);
  va_end(ap);
  return NULL;
}

void addon_throw_napi_error(napi_env env, napi_status status,
                            const char *call_text) {
  const napi_extended_error_info *info = NULL;
  const char *msg = NULL;
  addon_error_kind_t kind = ADDON_ERROR;
  const char *code = "ERR_EVS_NAPI";

  if (addon_exception_pending(env))
    return;
  if (napi_get_last_error_info(env, &info) == napi_ok && info != NULL)
    msg = info->error_message;
  switch (status) {
  case napi_object_expected:
  case napi_string_expected:
  case napi_name_expected:
  case napi_function_expected:
  case napi_number_expected:
  case napi_boolean_expected:
  case napi_array_expected:
  case napi_bigint_expected:
  case napi_date_expected:
  case napi_arraybuffer_expected:
  case napi_detachable_arraybuffer_expected:
  case napi_invalid_arg:
    kind = ADDON_TYPE_ERROR;
    code = "ERR_INVALID_ARG_TYPE";
    break;
  default:
    break;
  }
  addon_throw(env, kind, code, "%s (in %s)",
              msg != NULL ? msg : "Node-API call failed", call_text);
}

typedef struct addon_code_map_s {
  int err;
  addon_error_kind_t kind;
  const char *code;
} addon_code_map_t;

/* Core error -> JS error class and code. */
static const addon_code_map_t addon_code_map[] = {
    {EVS_EINVAL, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE"},
    {EVS_ENOMEM, ADDON_ERROR, "ERR_EVS_NOMEM"},
    {EVS_EPATHLEN, ADDON_RANGE_ERROR, "ERR_EVS_PATH_TOO_LONG"},
    {EVS_EPATH, ADDON_RANGE_ERROR, "ERR_EVS_BAD_PATH"},
    {EVS_EPATTERN, ADDON_RANGE_ERROR, "ERR_EVS_BAD_PATTERN"},
    {EVS_E2BIG, ADDON_RANGE_ERROR, "ERR_EVS_VALUE_TOO_LARGE"},
    {EVS_ECLOSED, ADDON_ERROR, "ERR_EVS_CLOSED"},
    {EVS_ENOTFOUND, ADDON_ERROR, "ERR_EVS_NOT_FOUND"},
    {EVS_EUNKNOWNID, ADDON_RANGE_ERROR, "ERR_EVS_UNKNOWN_ID"},
    {EVS_EAGAIN, ADDON_ERROR, "ERR_EVS_AGAIN"},
    {EVS_EDEADLK, ADDON_ERROR, "ERR_EVS_DEADLOCK"},
    {EVS_ERANGE, ADDON_RANGE_ERROR, "ERR_EVS_BAD_OPTION"},
    {EVS_ENOTSUP, ADDON_ERROR, "ERR_EVS_NOT_SUPPORTED"},
    {EVS_ETHREAD, ADDON_ERROR, "ERR_EVS_THREAD"},
    {EVS_EFAULTNAME, ADDON_ERROR, "ERR_EVS_FAULT_NAME"},
    {EVS_EBUSY, ADDON_ERROR, "ERR_EVS_BUSY"},
};

napi_value addon_throw_core(napi_env env, int err, const char *what) {
  size_t i;
  for (i = 0; i < sizeof addon_code_map / sizeof addon_code_map[0]; i++) {
    if (addon_code_map[i].err == err)
      return addon_throw(env, addon_code_map[i].kind, addon_code_map[i].code,
                         "%s: %s (%s)", what, evs_strerror(err),
                         evs_err_name(err));
  }
  return addon_throw(env, ADDON_ERROR, "ERR_EVS_UNKNOWN", "%s: %s (%d)", what,
                     evs_strerror(err), err);
}

/* Appends the UTF-8 form of code point `cp` to out[*o..cap). */
static void addon_put_utf8(char *out, size_t cap, size_t *o, uint32_t cp) {
  char b[4];
  size_t n, i;
  if (cp < 0x80) {
    b[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    b[0] = (char)(0xc0 | cp >> 6);
    b[1] = (char)(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = (char)(0xe0 | cp >> 12);
    b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    b[2] = (char)(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    b[0] = (char)(0xf0 | cp >> 18);
    b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    b[3] = (char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  for (i = 0; i < n && *o + 1 < cap; i++)
    out[(*o)++] = b[i];
}

static void addon_put_str(char *out, size_t cap, size_t *o, const char *s) {
  while (*s != '\0' && *o + 1 < cap)
    out[(*o)++] = *s++;
}

void addon_escape_utf16(const char16_t *u, size_t n, bool truncated, char *out,
                        size_t cap) {
  size_t i, o = 0;
  char esc[8];

  if (cap == 0)
    return;
  for (i = 0; i < n; i++) {
    uint32_t c = u[i];
    /* Stop where a whole escape (at most 6 bytes) and "..." may not fit, so
     * the text is never cut inside an escape. */
    if (o + 6 + 3 + 1 > cap) {
      truncated = true;
      break;
    }
    if (c == 0) {
      /* "\0" before a digit would read as another escape: spell it out. */
      addon_put_str(out, cap, &o,
                    i + 1 < n && u[i + 1] >= '0' && u[i + 1] <= '9' ? "\\x00"
                                                                    : "\\0");
    } else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
      snprintf(esc, sizeof esc, "\\x%02X", (unsigned)c);
      addon_put_str(out, cap, &o, esc);
    } else if (c == '\\' || c == '\'') {
      out[o++] = '\\';
      out[o++] = (char)c;
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && u[i + 1] >= 0xdc00 &&
               u[i + 1] < 0xe000) {
      addon_put_utf8(out, cap, &o,
                     0x10000 + ((c - 0xd800) << 10) + (u[i + 1] - 0xdc00));
      i++;
    } else if (c >= 0xd800 && c < 0xe000) { /* unpaired surrogate */
      snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
      addon_put_str(out, cap, &o, esc);
    } else {
      addon_put_utf8(out, cap, &o, c);
    }
  }
  if (truncated)
    addon_put_str(out, cap, &o, "...");
  out[o] = '\0';
}

void addon_escape_js_string(napi_env env, napi_value v, char *out, size_t cap) {
  /* Enough units for any path or pattern that reaches an error message
   * (at most EVS_PATH_MAX UTF-8 bytes, so at most as many UTF-16 units);
   * longer strings are shown truncated. */
  char16_t units[EVS_PATH_MAX + 2];
  size_t n = 0, total = 0;

  if (cap == 0)
    return;
  if (napi_get_value_string_utf16(env, v, NULL, 0, &total) != napi_ok ||
      napi_get_value_string_utf16(env, v, units, sizeof units / sizeof units[0],
                                  &n) != napi_ok) {
    snprintf(out, cap, "<unreadable>");
    return;
  }
  addon_escape_utf16(units, n, n < total, out, cap);
}

bool addon_find_lone_surrogate(const char16_t *u, size_t n, size_t *at) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (u[i] < 0xd800 || u[i] >= 0xe000)
      continue;
    if (u[i] < 0xdc00 && i + 1 < n && u[i + 1] >= 0xdc00 && u[i + 1] < 0xe000) {
      i++; /* a pair */
      continue;
    }
    *at = i;
    return true;
  }
  return false;
}

const char *addon_fmt_number(double d, char *buf, size_t cap) {
  if (isnan(d))
    snprintf(buf, cap, "NaN");
  else if (isinf(d))
    snprintf(buf, cap, d > 0 ? "Infinity" : "-Infinity");
  else if (d == 0 && signbit(d))
    snprintf(buf, cap, "-0");
  else {
    /* The shortest of %.15g and %.17g that reads back as d, as JS prints. */
    snprintf(buf, cap, "%.15g", d);
    if (strtod(buf, NULL) != d)
      snprintf(buf, cap, "%.17g", d);
  }
  return buf;
}
