/* Node-API helpers shared by the addon's bindings: argument reading,
 * type-tagged handles and property setters (napi_util.h). JS thread only. */
#include "napi_util.h"

bool addon_args(napi_env env, napi_callback_info info, size_t n,
                napi_value *argv, const char *usage) {
  size_t argc = n;
  NAPI_CALL_RETURN_FALSE(env,
                         napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < n) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE", "%s", usage);
    return false;
  }
  return true;
}

bool addon_handle_new(napi_env env, void *ptr, napi_finalize finalize,
                      const napi_type_tag *tag, napi_value *out) {
  napi_value obj;
  NAPI_CALL_RETURN_FALSE(env, napi_create_object(env, &obj));
  NAPI_CALL_RETURN_FALSE(env, napi_type_tag_object(env, obj, tag));
  NAPI_CALL_RETURN_FALSE(env, napi_wrap(env, obj, ptr, finalize, NULL, NULL));
  *out = obj;
  return true;
}

void *addon_handle_get(napi_env env, napi_value v, const napi_type_tag *tag) {
  napi_valuetype t;
  bool ok = false;
  void *p = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_object ||
      napi_check_object_type_tag(env, v, tag, &ok) != napi_ok || !ok ||
      napi_unwrap(env, v, &p) != napi_ok)
    return NULL;
  return p;
}

bool addon_set_u64(napi_env env, napi_value obj, const char *name, uint64_t v) {
  napi_value n;
  NAPI_CALL_RETURN_FALSE(env, napi_create_double(env, (double)v, &n));
  NAPI_CALL_RETURN_FALSE(env, napi_set_named_property(env, obj, name, n));
  return true;
}

bool addon_set_bool(napi_env env, napi_value obj, const char *name, bool v) {
  napi_value b;
  NAPI_CALL_RETURN_FALSE(env, napi_get_boolean(env, v, &b));
  NAPI_CALL_RETURN_FALSE(env, napi_set_named_property(env, obj, name, b));
  return true;
}
