/* Module entry of evstore.node: registers the fault points, installs the
 * per-environment state (env.c) and exports the functions of every binding
 * module, the wire table (wire.h) and a few constants. It uses every module
 * and no module uses it. */
#include <evstore.h>
#include <evstore/testing.h>

#include "bench.h"
#include "delivery.h"
#include "env.h"
#include "faults.h"
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

static napi_value addon_init(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"storeOpen", addon_store_open_js},
      {"storeClose", addon_store_close_js},
      {"storeIsOpen", addon_store_is_open_js},
      {"storeBind", addon_store_bind_js},
      {"storeGet", addon_store_get_js},
      {"storeDelete", addon_store_delete_js},
      {"storeSubscribe", addon_store_subscribe_js},
      {"storeUnsubscribe", addon_store_unsubscribe_js},
      {"storeStats", addon_store_stats_js},
      {"patternValidate", addon_pattern_validate_js},
      {"workerBootstrap", addon_worker_bootstrap_js},
      {"workerStatus", addon_worker_status_js},
      {"workerPoll", addon_worker_poll_js},
      {"workerComplete", addon_worker_complete_js},
      {"workerStop", addon_worker_stop_js},
      {"workerStatusRaw", addon_worker_status_raw_js},
      {"rawRead", addon_raw_read_js},
      {"rawFree", addon_raw_free_js},
      {"nativeStats", addon_native_stats_js},
      {"faultNamed", addon_fault_named_js},
      {"_benchWrite", addon_bench_write_js},
      {"_benchJoin", addon_bench_join_js},
  };
  napi_value fn, wire;
  size_t i;
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

  for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    NAPI_CALL(env, napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH,
                                        fns[i].fn, NULL, &fn));
    NAPI_CALL(env, napi_set_named_property(env, exports, fns[i].name, fn));
  }
  if (!addon_export_u32(env, exports, "PATH_MAX", EVS_PATH_MAX) ||
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

NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void);
NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env,
                                                      napi_value exports);

NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void) {
  return NAPI_VERSION;
}

NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env,
                                                      napi_value exports) {
  return addon_init(env, exports);
}
