/* The exports of evstore.node (module.h): registers the fault points,
 * installs the per-environment state (env.c) and exports the functions of
 * every binding module, the wire table (wire.h) and a few constants. It uses
 * every module; only the entry points (entry.c, bench/writer.c) use it. */
#include <evstore.h>
#include <evstore/testing.h>

#include "delivery.h"
#include "env.h"
#include "faults.h"
#include "module.h"
#include "napi_util.h"
#include "stats.h"
#include "store.h"
#include "wire.h"
#include "worker.h"

static const char *const addon_fault_names[] = {
    ADDON_FAULT_SKIP_TSFN_RELEASE, ADDON_FAULT_RETAIN_JS_EVENTS, NULL};

static napi_value addon_fault_named_js(napi_env env, napi_callback_info info) {
  size_t n = 0;
  napi_value argv[1], result;
  char name[64];
  if (!addon_args(env, info, 1, argv, "faultNamed(name)"))
    return NULL;
  NAPI_CALL(env,
            napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n));
  NAPI_CALL(env, napi_get_boolean(env, evs_fault_named(name), &result));
  return result;
}

/* ---- module registration ---------------------------------------------------
 */

static bool addon_export_u32(napi_env env, napi_value exports, const char *name,
                             uint32_t v) {
  napi_value n;
  NAPI_CALL_RETURN_FALSE(env, napi_create_uint32(env, v, &n));
  NAPI_CALL_RETURN_FALSE(env, napi_set_named_property(env, exports, name, n));
  return true;
}

/* The exported functions, in registration order: the bindings' tables
 * (napi_util.h, ADDON_DECLARE_EXPORT), then the rest. */
#define ADDON_EXPORT_ROW(js_name, c_function) {#js_name, c_function},
static const addon_export_t addon_store_fns[] = {
    ADDON_STORE_EXPORTS(ADDON_EXPORT_ROW)};
static const addon_export_t addon_worker_fns[] = {
    ADDON_WORKER_EXPORTS(ADDON_EXPORT_ROW)};
#undef ADDON_EXPORT_ROW
static const addon_export_t addon_other_fns[] = {
    {"nativeStats", addon_native_stats_js},
    {"faultNamed", addon_fault_named_js},
};

bool addon_export_fns(napi_env env, napi_value exports,
                      const addon_export_t *fns, size_t n) {
  napi_value fn;
  size_t i;
  for (i = 0; i < n; i++) {
    NAPI_CALL_RETURN_FALSE(env, napi_create_function(env, fns[i].name,
                                                     NAPI_AUTO_LENGTH,
                                                     fns[i].fn, NULL, &fn));
    NAPI_CALL_RETURN_FALSE(
        env, napi_set_named_property(env, exports, fns[i].name, fn));
  }
  return true;
}

napi_value addon_module_init(napi_env env, napi_value exports) {
  napi_value wire;
  int rc;

  rc = evs_fault_init(addon_fault_names);
  if (rc == EVS_EFAULTNAME)
    return addon_throw(env, ADDON_ERROR, "ERR_EVS_FAULT_NAME",
                       "EVS_FAULT names an unknown fault point (see stderr)");
  if (rc == EVS_ENOTSUP)
    return addon_throw(env, ADDON_ERROR, "ERR_EVS_NOT_SUPPORTED",
                       "EVS_FAULT is set but this build of evstore.node has "
                       "no fault points (use a build with EVS_FAULTS=ON)");

  if (!addon_env_install(env))
    return NULL;

  if (!addon_export_fns(env, exports, addon_store_fns,
                        ADDON_COUNT(addon_store_fns)) ||
      !addon_export_fns(env, exports, addon_worker_fns,
                        ADDON_COUNT(addon_worker_fns)) ||
      !addon_export_fns(env, exports, addon_other_fns,
                        ADDON_COUNT(addon_other_fns)) ||
      !addon_export_u32(env, exports, "PATH_MAX", EVS_PATH_MAX) ||
      !addon_export_u32(env, exports, "JS_BUFFER_BYTES",
                        ADDON_JS_BUFFER_BYTES) ||
      !addon_export_u32(env, exports, "PATH_CACHE", ADDON_PATH_CACHE) ||
      !addon_export_u32(env, exports, "VALUE_CACHE", ADDON_VALUE_CACHE) ||
      !addon_export_u32(env, exports, "faultsCompiled",
                        evs_fault_compiled() ? 1 : 0) ||
      !addon_wire_export(env, &wire))
    return NULL;
  NAPI_CALL(env, napi_set_named_property(env, exports, "wire", wire));
  return exports;
}
