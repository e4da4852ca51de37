/* Private to the addon: the NAPI_CALL macro family, the one argument reader
 * every exported function uses (addon_args), the type-tagged handle objects
 * given to JS, and small property setters. Everything here runs on the JS
 * thread of `env`. */
#ifndef ADDON_NAPI_UTIL_H
#define ADDON_NAPI_UTIL_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"

/* ---- NAPI_CALL family ------------------------------------------------------
 * On failure: throw the call's error (addon_throw_napi_error: fetches the
 * last error info, throws it unless an exception is already pending) and
 * leave the function: NAPI_CALL_ON_FAIL_ runs `on_fail` (a return or a goto)
 * and every other macro is one use of it. Never assert on a napi status. */
#define NAPI_CALL_ON_FAIL_(env, the_call, on_fail)                             \
  do {                                                                         \
    napi_status addon_status_ = (the_call);                                    \
    if (addon_status_ != napi_ok) {                                            \
      addon_throw_napi_error((env), addon_status_, #the_call);                 \
      on_fail;                                                                 \
    }                                                                          \
  } while (0)

#define NAPI_CALL_BASE_(env, the_call, ret_val)                                \
  NAPI_CALL_ON_FAIL_(env, the_call, return ret_val)

/* For functions returning napi_value (NULL = exception pending). */
#define NAPI_CALL(env, the_call) NAPI_CALL_BASE_(env, the_call, NULL)
/* For functions returning void. */
#define NAPI_CALL_RETURN_VOID(env, the_call) NAPI_CALL_BASE_(env, the_call, )
/* For functions returning bool (false = exception pending). */
#define NAPI_CALL_RETURN_FALSE(env, the_call)                                  \
  NAPI_CALL_BASE_(env, the_call, false)
/* For functions with a cleanup exit: jumps to `label` after throwing. */
#define NAPI_CALL_GOTO(env, the_call, label)                                   \
  NAPI_CALL_ON_FAIL_(env, the_call, goto label)

/* ---- arguments -------------------------------------------------------------
 * Reads the first `n` arguments of the call into argv[0..n) (missing ones
 * are undefined). Fewer than `n` given: throws TypeError
 * ERR_INVALID_ARG_TYPE whose message is `usage` verbatim (e.g.
 * "storeUnsubscribe(handle, slot, gen)", the shape the JS layer passes) and
 * returns false; a failed napi_get_cb_info throws through NAPI_CALL. The
 * caller owns argv (n slots). */
bool addon_args(napi_env env, napi_callback_info info, size_t n,
                napi_value *argv, const char *usage);

/* ---- handles ---------------------------------------------------------------
 * Handles given to JS: plain objects that wrap a native pointer and carry a
 * type tag. Not napi_create_external: node 20 leaks the small wrapper of
 * every external still alive at exit, and LSan reports it under the addon's
 * frame. addon_handle_new: on failure (exception pending, false) the caller
 * still owns `ptr`; on success the wrap does, and `finalize` runs when the
 * object is collected or the environment ends. */
bool addon_handle_new(napi_env env, void *ptr, napi_finalize finalize,
                      const napi_type_tag *tag, napi_value *out);
/* The pointer wrapped by `v` when it is a handle with `tag`; NULL, without
 * throwing, for anything else. Borrowed: the handle keeps ownership. */
void *addon_handle_get(napi_env env, napi_value v, const napi_type_tag *tag);

/* ---- properties ------------------------------------------------------------
 * obj[name] = v, as a number (u64: exact below 2^53) or a boolean. False
 * with an exception pending on failure. */
bool addon_set_u64(napi_env env, napi_value obj, const char *name, uint64_t v);
bool addon_set_bool(napi_env env, napi_value obj, const char *name, bool v);

/* ---- exported functions ----------------------------------------------------
 * A binding header lists its exported functions once, as an X-macro table of
 * X(jsName, c_function) rows (ADDON_STORE_EXPORTS, ADDON_WORKER_EXPORTS);
 * ADDON_DECLARE_EXPORT declares one row's napi_callback, and module.c
 * registers every row under its JS name. */
#define ADDON_DECLARE_EXPORT(js_name, c_function)                              \
  napi_value c_function(napi_env env, napi_callback_info info);

#endif
