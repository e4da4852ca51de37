/* Module entry of evstore.node: registers the fault points, the
 * per-environment state (instance data + env cleanup hook that closes every
 * open store and worker when the environment ends) and the exported
 * functions; nativeStats(). */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"

atomic_long addon_count_stores;
atomic_long addon_count_subscriptions;
atomic_long addon_count_tsfns;
atomic_long addon_count_workers;

/* Present when a sanitizer runtime is loaded (glibc's mallinfo2 sees nothing
 * of the sanitizer's allocator then). */
extern size_t __sanitizer_get_current_allocated_bytes(void)
    __attribute__((weak));

static const char *const addon_fault_names[] = {
    ADDON_FAULT_SKIP_TSFN_RELEASE, ADDON_FAULT_RETAIN_JS_EVENTS, NULL};

/* ---- per-environment state ------------------------------------------------
 */

typedef struct addon_env_holder_s {
  addon_env_t aenv;
  napi_env env;
} addon_env_holder_t;

addon_env_t *addon_env_get(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok || data == NULL) {
    addon_throw(env, ADDON_ERROR, "ERR_EVS_NAPI",
                "evstore: no per-environment state");
    return NULL;
  }
  return data;
}

void addon_env_ref(addon_env_t *aenv) {
  aenv->refs++;
}

void addon_env_unref(addon_env_t *aenv) {
  if (--aenv->refs == 0) {
    free(aenv->scratch);
    free(aenv); /* the holder: aenv is its first member */
  }
}

bool addon_env_scratch(napi_env env, addon_env_t *aenv, size_t n) {
  uint8_t *p;
  size_t cap;
  if (aenv->scratch_cap >= n)
    return true;
  cap = aenv->scratch_cap ? aenv->scratch_cap : 4096;
  while (cap < n)
    cap *= 2;
  p = realloc(aenv->scratch, cap);
  if (p == NULL) {
    addon_throw_core(env, EVS_ENOMEM, "encoding a value");
    return false;
  }
  aenv->scratch = p;
  aenv->scratch_cap = cap;
  return true;
}

/* Runs when the environment ends (process exit, worker_threads terminate)
 * before Node finalises references: closes what is still open. */
static void addon_env_cleanup(void *arg) {
  addon_env_holder_t *h = arg;
  addon_env_t *aenv = &h->aenv;
  aenv->tearing_down = true;
  while (aenv->stores != NULL)
    addon_store_close(h->env, aenv->stores);
  if (aenv->json_parse != NULL) {
    napi_delete_reference(h->env, aenv->json_parse);
    aenv->json_parse = NULL;
  }
  /* Trim what a large value left in the scratch buffer. */
  free(aenv->scratch);
  aenv->scratch = NULL;
  aenv->scratch_cap = 0;
  addon_env_unref(aenv);
}

static void addon_env_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  addon_env_unref(data);
}

/* ---- handles ------------------------------------------------------------- */

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

/* ---- small helpers ------------------------------------------------------- */

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

static uint64_t addon_malloc_in_use(void) {
  if (__sanitizer_get_current_allocated_bytes != NULL)
    return __sanitizer_get_current_allocated_bytes();
  return mallinfo2().uordblks;
}

napi_value addon_native_stats_js(napi_env env, napi_callback_info info) {
  napi_value obj;
  evs_alloc_stats_t as;
  evs_core_counts_t cc;
  (void)info;

  if (evs_alloc_stats(&as) != EVS_OK)
    memset(&as, 0, sizeof as);
  if (evs_core_counts(&cc) != EVS_OK)
    memset(&cc, 0, sizeof cc);
  NAPI_CALL(env, napi_create_object(env, &obj));
  if (!addon_set_u64(env, obj, "liveBytes", as.live_bytes) ||
      !addon_set_u64(env, obj, "liveBlocks", as.live_blocks) ||
      !addon_set_u64(env, obj, "peakBytes", as.peak_bytes) ||
      !addon_set_u64(env, obj, "stores",
                     (uint64_t)atomic_load(&addon_count_stores)) ||
      !addon_set_u64(env, obj, "subscriptions",
                     (uint64_t)atomic_load(&addon_count_subscriptions)) ||
      !addon_set_u64(env, obj, "tsfns",
                     (uint64_t)atomic_load(&addon_count_tsfns)) ||
      !addon_set_u64(env, obj, "workers",
                     (uint64_t)atomic_load(&addon_count_workers)) ||
      !addon_set_u64(env, obj, "threads", cc.threads) ||
      !addon_set_u64(env, obj, "mallocInUse", addon_malloc_in_use()))
    return NULL;
  return obj;
}

static napi_value addon_fault_named_js(napi_env env, napi_callback_info info) {
  size_t argc = 1, n = 0;
  napi_value argv[1], result;
  char name[64];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "faultNamed(name)");
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
      {"storeSet", addon_store_set_js},
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
  addon_env_holder_t *h;
  napi_value global, json, parse, fn;
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

  h = calloc(1, sizeof *h);
  if (h == NULL)
    return addon_throw_core(env, EVS_ENOMEM, "loading evstore.node");
  h->env = env;
  h->aenv.refs = 1; /* the instance data */
  NAPI_CALL_GOTO(env, napi_get_global(env, &global), fail);
  NAPI_CALL_GOTO(env, napi_get_named_property(env, global, "JSON", &json),
                 fail);
  NAPI_CALL_GOTO(env, napi_get_named_property(env, json, "parse", &parse),
                 fail);
  NAPI_CALL_GOTO(env, napi_create_reference(env, parse, 1, &h->aenv.json_parse),
                 fail);
  if (napi_set_instance_data(env, &h->aenv, addon_env_finalize, NULL) !=
      napi_ok) {
    napi_delete_reference(env, h->aenv.json_parse);
    addon_throw(env, ADDON_ERROR, "ERR_EVS_NAPI", "cannot set instance data");
    goto fail;
  }
  /* From here the instance data owns h; the hook holds a second reference. */
  if (napi_add_env_cleanup_hook(env, addon_env_cleanup, h) != napi_ok)
    return addon_throw(env, ADDON_ERROR, "ERR_EVS_NAPI",
                       "cannot add the env cleanup hook");
  h->aenv.refs++;

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
                        evs_fault_compiled() ? 1 : 0))
    return NULL;
  return exports;

fail:
  free(h);
  return NULL;
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
