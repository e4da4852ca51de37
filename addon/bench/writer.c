/* evstore_bench.node, a bench-only module: evstore.node's exports
 * (module.h) plus an internal native writer, so bench/pipeline.js can measure
 * delivery into JS without the cost of JS set() calls and tests can write at
 * a rate JS cannot. Not part of evstore.node or the npm package; JS loads it
 * through bench/writer.js.
 *
 * `_benchWrite(store, count, paths, values, threaded)` writes `count` string
 * values cycling through `paths` and `values`, on a native thread (threaded)
 * or on the JS thread, and returns the number written (undefined when
 * threaded); `_benchJoin(store)` waits for the thread and returns the number
 * written. The writer's state is not part of the store: it is allocated on
 * the first write and registered as the store's dependent
 * (ADDON_DEP_STAGE_SECOND), so closing the store stops and joins a running
 * writer, then frees the state.
 *
 * Threads: both functions run on the JS thread; the writer thread only calls
 * evs_store_set on the store's core. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "module_entry.h"
#include "napi_util.h"
#include "store.h"
#include "wire.h"

/* One store's writer, a dependent of the store. */
typedef struct addon_bench_s {
  addon_dep_t dep;   /* in the store's dependents until it closes */
  evs_store_t *core; /* the store's, borrowed while a write runs */
  pthread_t thread;
  bool running; /* a thread was started and not yet joined */
  atomic_int stop;
  uint64_t count;
  uint64_t written;
  int last_error;
  char **paths;
  size_t *path_lens;
  char **values; /* kind-tagged */
  size_t *value_lens;
  size_t npaths, nvalues;
} addon_bench_t;

static void addon_bench_clear(addon_bench_t *b) {
  size_t i;
  for (i = 0; i < b->npaths; i++)
    free(b->paths[i]);
  for (i = 0; i < b->nvalues; i++)
    free(b->values[i]);
  free(b->paths);
  free(b->path_lens);
  free(b->values);
  free(b->value_lens);
  b->paths = NULL;
  b->values = NULL;
  b->path_lens = b->value_lens = NULL;
  b->npaths = b->nvalues = 0;
}

static void addon_bench_run(addon_bench_t *b) {
  uint64_t i;
  for (i = 0;
       i < b->count && !atomic_load_explicit(&b->stop, memory_order_relaxed);
       i++) {
    size_t p = i % b->npaths, v = i % b->nvalues;
    int rc = evs_store_set(b->core, b->paths[p], b->path_lens[p], b->values[v],
                           b->value_lens[v]);
    if (rc != EVS_OK) {
      b->last_error = rc;
      break;
    }
  }
  b->written = i;
}

static void *addon_bench_thread(void *arg) {
  addon_bench_run(arg);
  return NULL;
}

/* The store closes (its dependents' second stage: the core store is closed,
 * not yet freed): stops and joins a running writer and frees the state. */
static void addon_bench_store_closing(napi_env env, addon_dep_t *dep) {
  addon_bench_t *b = dep->data;
  (void)env;
  if (b->running) {
    atomic_store(&b->stop, 1);
    pthread_join(b->thread, NULL);
    b->running = false;
  }
  addon_bench_clear(b);
  free(b);
}

/* The writer of store `s`, or NULL if it never wrote. */
static addon_bench_t *addon_bench_of(addon_store_t *s) {
  addon_dep_t *dep = addon_store_find_dependent(s, addon_bench_store_closing);
  return dep != NULL ? dep->data : NULL;
}

/* Copies a JS array of strings into malloc'd byte strings; with `tag`, each
 * gets the string kind byte in front. */
static bool addon_bench_strings(napi_env env, napi_value arr, bool tag,
                                char ***out, size_t **lens, size_t *n) {
  uint32_t len, i;
  bool is_arr = false;
  NAPI_CALL_RETURN_FALSE(env, napi_is_array(env, arr, &is_arr));
  if (!is_arr) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "_benchWrite: expected an array of strings");
    return false;
  }
  NAPI_CALL_RETURN_FALSE(env, napi_get_array_length(env, arr, &len));
  if (len == 0) {
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_OUT_OF_RANGE",
                "_benchWrite: empty array");
    return false;
  }
  *out = calloc(len, sizeof **out);
  *lens = calloc(len, sizeof **lens);
  *n = len;
  if (*out == NULL || *lens == NULL) {
    addon_throw_core(env, EVS_ENOMEM, "_benchWrite");
    return false;
  }
  for (i = 0; i < len; i++) {
    napi_value el;
    size_t sl = 0;
    NAPI_CALL_RETURN_FALSE(env, napi_get_element(env, arr, i, &el));
    NAPI_CALL_RETURN_FALSE(env,
                           napi_get_value_string_utf8(env, el, NULL, 0, &sl));
    (*out)[i] = malloc(sl + 2);
    if ((*out)[i] == NULL) {
      addon_throw_core(env, EVS_ENOMEM, "_benchWrite");
      return false;
    }
    if (tag)
      (*out)[i][0] = (char)ADDON_KIND_STRING;
    NAPI_CALL_RETURN_FALSE(
        env, napi_get_value_string_utf8(env, el, (*out)[i] + (tag ? 1 : 0),
                                        sl + 1, &sl));
    (*lens)[i] = sl + (tag ? 1 : 0);
  }
  return true;
}

/* The number written, as a JS number. */
static napi_value addon_bench_written(napi_env env, uint64_t written) {
  napi_value result;
  NAPI_CALL(env, napi_create_double(env, (double)written, &result));
  return result;
}

static napi_value addon_bench_write_js(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  addon_store_t *s;
  addon_bench_t *b;
  double count;
  bool threaded = false;

  s = addon_store_args(env, info, 5, argv,
                       "_benchWrite(store, count, paths, values, threaded)",
                       true);
  if (s == NULL)
    return NULL;
  b = addon_bench_of(s);
  if (b == NULL) {
    b = calloc(1, sizeof *b);
    if (b == NULL)
      return addon_throw_core(env, EVS_ENOMEM, "_benchWrite");
    atomic_init(&b->stop, 0);
    addon_store_add_dependent(s, &b->dep, addon_bench_store_closing, b,
                              ADDON_DEP_STAGE_SECOND);
  }
  if (b->running)
    return addon_throw(env, ADDON_ERROR, "ERR_EVS_BUSY",
                       "_benchWrite: a writer is already running");
  NAPI_CALL(env, napi_get_value_double(env, argv[1], &count));
  NAPI_CALL(env, napi_get_value_bool(env, argv[4], &threaded));
  addon_bench_clear(b);
  if (!addon_bench_strings(env, argv[2], false, &b->paths, &b->path_lens,
                           &b->npaths) ||
      !addon_bench_strings(env, argv[3], true, &b->values, &b->value_lens,
                           &b->nvalues)) {
    addon_bench_clear(b);
    return NULL;
  }
  b->core = addon_store_core(s);
  b->count = count > 0 ? (uint64_t)count : 0;
  b->written = 0;
  b->last_error = 0;
  atomic_store(&b->stop, 0);
  if (threaded) {
    if (pthread_create(&b->thread, NULL, addon_bench_thread, b) != 0) {
      addon_bench_clear(b);
      return addon_throw_core(env, EVS_ETHREAD, "_benchWrite");
    }
    b->running = true;
    return NULL;
  }
  addon_js_enter(addon_store_delivery(s));
  addon_bench_run(b);
  addon_js_leave(addon_store_delivery(s));
  addon_bench_clear(b);
  return addon_bench_written(env, b->written);
}

static napi_value addon_bench_join_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  addon_store_t *s;
  addon_bench_t *b;

  s = addon_store_args(env, info, 1, argv, "_benchJoin(store)", true);
  if (s == NULL)
    return NULL;
  b = addon_bench_of(s);
  if (b == NULL) /* never wrote: nothing written */
    return addon_bench_written(env, 0);
  if (b->running) {
    /* The writer may wait for queue space that only the dispatcher frees,
     * and the dispatcher must not wait for us meanwhile. */
    addon_js_enter(addon_store_delivery(s));
    pthread_join(b->thread, NULL);
    addon_js_leave(addon_store_delivery(s));
    b->running = false;
  }
  addon_bench_clear(b);
  return addon_bench_written(env, b->written);
}

static const addon_export_t addon_bench_fns[] = {
    {"_benchWrite", addon_bench_write_js},
    {"_benchJoin", addon_bench_join_js},
};

/* evstore.node's exports, then the writer's. */
static napi_value addon_bench_init(napi_env env, napi_value exports) {
  if (addon_module_init(env, exports) == NULL ||
      !addon_export_fns(env, exports, addon_bench_fns,
                        ADDON_COUNT(addon_bench_fns)))
    return NULL;
  return exports;
}

ADDON_MODULE_ENTRY(addon_bench_init)
