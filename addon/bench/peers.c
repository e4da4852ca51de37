/* Bench-only addon (evstore_bench_peers.node), not part of evstore: the
 * "per-event threadsafe function" peer of bench/pipeline.js, i.e. what a
 * user would write without evstore to hand events from a native thread to a
 * JS callback. A writer thread copies each event (path + value bytes, the
 * same strings cycled as evstore's native bench writer in src/bench.c) into
 * one malloc'd block and calls napi_call_threadsafe_function once per event
 * (blocking, bounded queue); on the JS thread the call converts path and
 * value to strings and calls the callback with (path, value), then frees the
 * block.
 *
 *   tsfnRun(count, paths, values, callback, queueSize) -> Promise<written>
 *
 * It also holds the Node-API call floor of store.set() (pipeline.js 'floor'):
 * functions that do a growing part of what any (path, value) setter must do,
 * so that set()'s rate can be read against the cheapest native call of the
 * same shape on the same machine:
 *
 *   floorNoop(path, value)      reads nothing, returns undefined
 *   floorArgs(path, value)      napi_get_cb_info of the two arguments
 *   floorStrings(path, value)   and both strings copied out as UTF-8 into
 *                               stack buffers (what set() must read)
 *
 * The promise settles when the threadsafe function is finalised, i.e. after
 * every queued call ran (or the environment ended), so a JS side that lost
 * events still sees the run end; the writer thread is joined there and
 * everything is freed. */
#include <node_api.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/module_entry.h"

typedef struct {
  uint32_t path_len;
  uint32_t value_len;
  char bytes[]; /* path, then value; no terminators */
} peer_event_t;

typedef struct {
  char **strs[2];   /* paths, values */
  size_t *lens[2];  /* their byte lengths */
  size_t nstrs[2];  /* how many of each */
  uint64_t count;   /* events to write */
  uint64_t written; /* set by the writer before it releases the tsfn */
  napi_threadsafe_function tsfn;
  napi_deferred deferred;
  pthread_t thread;
  bool started;
} peer_run_t;

static void peer_throw(napi_env env, const char *msg) {
  napi_throw_error(env, "ERR_BENCH_PEERS", msg);
}

#define PEER_CALL(env, the_call, label)                                        \
  do {                                                                         \
    if ((the_call) != napi_ok) {                                               \
      const napi_extended_error_info *info_ = NULL;                            \
      bool pending_ = false;                                                   \
      napi_get_last_error_info((env), &info_);                                 \
      napi_is_exception_pending((env), &pending_);                             \
      if (!pending_)                                                           \
        peer_throw((env), info_ && info_->error_message ? info_->error_message \
                                                        : #the_call);          \
      goto label;                                                              \
    }                                                                          \
  } while (0)

static void peer_run_free(peer_run_t *run) {
  int k;
  size_t i;
  for (k = 0; k < 2; k++) {
    for (i = 0; run->strs[k] != NULL && i < run->nstrs[k]; i++)
      free(run->strs[k][i]);
    free(run->strs[k]);
    free(run->lens[k]);
  }
  free(run);
}

/* Copies a non-empty JS array of strings into malloc'd UTF-8 byte strings. */
static bool peer_strings(napi_env env, napi_value arr, peer_run_t *run, int k) {
  uint32_t len = 0, i;
  bool is_arr = false;
  PEER_CALL(env, napi_is_array(env, arr, &is_arr), fail);
  if (is_arr)
    PEER_CALL(env, napi_get_array_length(env, arr, &len), fail);
  if (!is_arr || len == 0) {
    peer_throw(env, "tsfnRun: paths and values must be non-empty arrays");
    return false;
  }
  run->strs[k] = calloc(len, sizeof *run->strs[k]);
  run->lens[k] = calloc(len, sizeof *run->lens[k]);
  if (run->strs[k] == NULL || run->lens[k] == NULL)
    goto oom;
  run->nstrs[k] = len;
  for (i = 0; i < len; i++) {
    napi_value el;
    size_t sl = 0;
    PEER_CALL(env, napi_get_element(env, arr, i, &el), fail);
    PEER_CALL(env, napi_get_value_string_utf8(env, el, NULL, 0, &sl), fail);
    run->strs[k][i] = malloc(sl + 1);
    if (run->strs[k][i] == NULL)
      goto oom;
    PEER_CALL(env,
              napi_get_value_string_utf8(env, el, run->strs[k][i], sl + 1, &sl),
              fail);
    run->lens[k][i] = sl;
  }
  return true;
oom:
  peer_throw(env, "tsfnRun: out of memory");
fail:
  return false;
}

static void *peer_writer(void *arg) {
  peer_run_t *run = arg;
  uint64_t i;
  for (i = 0; i < run->count; i++) {
    size_t p = i % run->nstrs[0], v = i % run->nstrs[1];
    size_t pl = run->lens[0][p], vl = run->lens[1][v];
    peer_event_t *ev = malloc(sizeof *ev + pl + vl);
    if (ev == NULL)
      break;
    ev->path_len = (uint32_t)pl;
    ev->value_len = (uint32_t)vl;
    memcpy(ev->bytes, run->strs[0][p], pl);
    memcpy(ev->bytes + pl, run->strs[1][v], vl);
    if (napi_call_threadsafe_function(run->tsfn, ev, napi_tsfn_blocking) !=
        napi_ok) {
      free(ev); /* closing: the environment is ending */
      break;
    }
  }
  run->written = i;
  napi_release_threadsafe_function(run->tsfn, napi_tsfn_release);
  return NULL;
}

/* On the JS thread, once per event. */
static void peer_call_js(napi_env env, napi_value js_cb, void *context,
                         void *data) {
  peer_event_t *ev = data;
  (void)context;
  if (env != NULL && js_cb != NULL) {
    napi_value argv[2], undef;
    if (napi_create_string_utf8(env, ev->bytes, ev->path_len, &argv[0]) ==
            napi_ok &&
        napi_create_string_utf8(env, ev->bytes + ev->path_len, ev->value_len,
                                &argv[1]) == napi_ok &&
        napi_get_undefined(env, &undef) == napi_ok)
      napi_call_function(env, undef, js_cb, 2, argv, NULL);
  }
  free(ev);
}

/* After the last call ran (or at environment teardown, where blocked calls
 * return napi_closing and the writer stops): join, settle, free. */
static void peer_finalize(napi_env env, void *data, void *hint) {
  peer_run_t *run = data;
  (void)hint;
  if (run->started)
    pthread_join(run->thread, NULL);
  if (env != NULL && run->deferred != NULL) {
    napi_value written;
    if (napi_create_double(env, (double)run->written, &written) == napi_ok)
      napi_resolve_deferred(env, run->deferred, written);
  }
  peer_run_free(run);
}

static napi_value peer_tsfn_run(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], name, promise = NULL;
  double count = 0, queue = 0;
  napi_valuetype cb_type = napi_undefined;
  peer_run_t *run;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
    return NULL;
  if (argc < 5) {
    peer_throw(env, "tsfnRun(count, paths, values, callback, queueSize)");
    return NULL;
  }
  run = calloc(1, sizeof *run);
  if (run == NULL) {
    peer_throw(env, "tsfnRun: out of memory");
    return NULL;
  }
  PEER_CALL(env, napi_get_value_double(env, argv[0], &count), fail);
  PEER_CALL(env, napi_get_value_double(env, argv[4], &queue), fail);
  PEER_CALL(env, napi_typeof(env, argv[3], &cb_type), fail);
  if (cb_type != napi_function || !(count >= 0) || !(queue >= 0)) {
    peer_throw(env, "tsfnRun: bad count, callback or queueSize");
    goto fail;
  }
  if (!peer_strings(env, argv[1], run, 0) ||
      !peer_strings(env, argv[2], run, 1))
    goto fail;
  run->count = (uint64_t)count;
  PEER_CALL(env, napi_create_string_utf8(env, "bench-peer-tsfn", 15, &name),
            fail);
  PEER_CALL(env,
            napi_create_threadsafe_function(
                env, argv[3], NULL, name, (size_t)queue, 1, run, peer_finalize,
                NULL, peer_call_js, &run->tsfn),
            fail);
  /* From here on the finaliser owns `run`. */
  if (napi_create_promise(env, &run->deferred, &promise) != napi_ok)
    run->deferred = NULL;
  if (pthread_create(&run->thread, NULL, peer_writer, run) != 0) {
    napi_release_threadsafe_function(run->tsfn, napi_tsfn_abort);
    peer_throw(env, "tsfnRun: cannot start the writer thread");
    return NULL;
  }
  run->started = true;
  return promise;
fail:
  peer_run_free(run);
  return NULL;
}

/* ---- the N-API call floor -------------------------------------------- */

static napi_value peer_floor_noop(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  return NULL;
}

static napi_value peer_floor_args(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
    peer_throw(env, "floorArgs: napi_get_cb_info failed");
  return NULL;
}

static napi_value peer_floor_strings(napi_env env, napi_callback_info info) {
  size_t argc = 2, n = 0;
  napi_value argv[2];
  char path[261], value[4096];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &n) !=
          napi_ok ||
      napi_get_value_string_utf8(env, argv[1], value, sizeof value, &n) !=
          napi_ok)
    peer_throw(env, "floorStrings(path, value): two strings");
  return NULL;
}

static napi_value peer_init(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"tsfnRun", peer_tsfn_run},
      {"floorNoop", peer_floor_noop},
      {"floorArgs", peer_floor_args},
      {"floorStrings", peer_floor_strings},
  };
  napi_value fn;
  size_t i;
  for (i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn,
                             NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok)
      return NULL;
  }
  return exports;
}

ADDON_MODULE_ENTRY(peer_init)
