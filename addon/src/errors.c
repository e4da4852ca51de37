/* JS errors of the addon: every thrown error is an Error, TypeError or
 * RangeError carrying a `code` string, and never replaces a pending exception.
 */
#include <stdio.h>
#include <string.h>

#include "addon.h"

static bool addon_exception_pending(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok)
    return true; /* cannot tell: do not pile another error on top */
  return pending;
}

static napi_value addon_throw_v(napi_env env, addon_error_kind_t kind,
                                const char *code, const char *fmt, va_list ap) {
  char msg[512];
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
