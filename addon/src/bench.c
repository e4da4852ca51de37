/* INTERNAL benchmark helper, not part of the public API: native writes at
 * full speed, so addon/bench/pipeline.js can measure delivery into JS without
 * the cost of JS set() calls. `_benchWrite(store, count, paths, values,
 * threaded)` writes `count` string values cycling through `paths` and
 * `values`, on a native thread (threaded) or on the JS thread; `_benchJoin`
 * waits for the thread and returns the number written. A running writer is
 * stopped and joined by close(). */
#include <stdlib.h>
#include <string.h>

#include "addon.h"

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

static void addon_bench_run(addon_store_t *s) {
  addon_bench_t *b = &s->bench;
  uint64_t i;
  for (i = 0;
       i < b->count && !atomic_load_explicit(&b->stop, memory_order_relaxed);
       i++) {
    size_t p = i % b->npaths, v = i % b->nvalues;
    int rc = evs_store_set(s->core, b->paths[p], b->path_lens[p], b->values[v],
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

void addon_bench_stop_and_join(addon_store_t *s) {
  addon_bench_t *b = &s->bench;
  if (b->running) {
    atomic_store(&b->stop, 1);
    pthread_join(b->thread, NULL);
    b->running = false;
  }
  addon_bench_clear(b);
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

napi_value addon_bench_write_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], result;
  addon_store_t *s;
  addon_bench_t *b;
  double count;
  bool threaded = false;

  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "_benchWrite(store, count, paths, values, threaded)");
  s = addon_store_from(env, argv[0], true);
  if (s == NULL)
    return NULL;
  b = &s->bench;
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
  b->count = count > 0 ? (uint64_t)count : 0;
  b->written = 0;
  b->last_error = 0;
  atomic_store(&b->stop, 0);
  if (threaded) {
    if (pthread_create(&b->thread, NULL, addon_bench_thread, s) != 0) {
      addon_bench_clear(b);
      return addon_throw_core(env, EVS_ETHREAD, "_benchWrite");
    }
    b->running = true;
    return NULL;
  }
  addon_js_enter(&s->delivery);
  addon_bench_run(s);
  addon_js_leave(&s->delivery);
  addon_bench_clear(b);
  NAPI_CALL(env, napi_create_double(env, (double)b->written, &result));
  return result;
}

napi_value addon_bench_join_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  addon_store_t *s;
  addon_bench_t *b;

  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "_benchJoin(store)");
  s = addon_store_from(env, argv[0], true);
  if (s == NULL)
    return NULL;
  b = &s->bench;
  if (b->running) {
    /* The writer may wait for queue space that only the dispatcher frees,
     * and the dispatcher must not wait for us meanwhile. */
    addon_js_enter(&s->delivery);
    pthread_join(b->thread, NULL);
    addon_js_leave(&s->delivery);
    b->running = false;
  }
  addon_bench_clear(b);
  NAPI_CALL(env, napi_create_double(env, (double)b->written, &result));
  return result;
}
