/* The Worker binding (pull model) and the raw status handle (the manual
 * one-way handoff of a C string). JS thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "napi_util.h"
#include "path.h"
#include "stats.h"
#include "store.h"
#include "wire.h"
#include "worker.h"

typedef struct addon_worker_s {
  addon_store_t *store; /* holds a reference */
  evs_worker_t *core;   /* NULL once stopped or the store closed */
  addon_dep_t dep;      /* in the store's dependents while core != NULL */
  bool store_closed;    /* freed because the store closed */
  evs_worker_status_t final_status;
} addon_worker_t;

static const napi_type_tag addon_worker_tag = {0x6576732d776f726bull,
                                               0x65722d68616e646cull};
static const napi_type_tag addon_raw_tag = {0x6576732d72617773ull,
                                            0x7472696e672d6864ull};

typedef struct addon_raw_s {
  char *str;  /* owned until free(); NULL afterwards */
  bool freed; /* free() was called */
} addon_raw_t;

/* ---- lifetime ------------------------------------------------------------ */

/* Frees the core worker (keeping the final status) and leaves the store's
 * dependents. Idempotent. */
static void addon_worker_release(addon_worker_t *w, bool store_closing) {
  addon_delivery_t *d = addon_store_delivery(w->store);
  if (w->core == NULL)
    return;
  if (evs_worker_status(w->core, &w->final_status) != EVS_OK)
    memset(&w->final_status, 0, sizeof w->final_status);
  w->final_status.running = false;
  addon_js_enter(d);
  evs_worker_close(w->core);
  evs_worker_free(w->core);
  addon_js_leave(d);
  w->core = NULL;
  w->store_closed = store_closing;
  addon_dep_remove(&w->dep);
  atomic_fetch_sub(&addon_count_workers, 1);
}

/* The store closes (its dependents' first stage). */
static void addon_worker_store_closing(napi_env env, addon_dep_t *dep) {
  (void)env;
  addon_worker_release(dep->data, true);
}

static void addon_worker_finalize(napi_env env, void *data, void *hint) {
  addon_worker_t *w = data;
  (void)env;
  (void)hint;
  addon_worker_release(w, false);
  addon_store_unref(w->store);
  free(w);
}

static addon_worker_t *addon_worker_from(napi_env env, napi_value v) {
  addon_worker_t *p = addon_handle_get(env, v, &addon_worker_tag);
  if (p == NULL)
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "expected a worker handle");
  return p;
}

/* Like addon_worker_from, but throws when the worker no longer runs. */
static addon_worker_t *addon_worker_live(napi_env env, napi_value v,
                                         const char *what) {
  addon_worker_t *w = addon_worker_from(env, v);
  if (w == NULL)
    return NULL;
  if (w->core == NULL) {
    if (w->store_closed)
      addon_throw(env, ADDON_ERROR, "ERR_EVS_CLOSED",
                  "%s: the worker's store is closed", what);
    else
      addon_throw(env, ADDON_ERROR, "ERR_EVS_WORKER_STOPPED",
                  "%s: the worker was stopped", what);
    return NULL;
  }
  return w;
}

/* The prologue of every worker call: reads the call's first `n` arguments
 * (addon_args, `usage`) and the worker handle in argv[0]. `live` names the
 * operation when it needs a running worker (addon_worker_live), NULL when a
 * stopped one will do. NULL with an exception pending on failure. */
static addon_worker_t *addon_worker_args(napi_env env, napi_callback_info info,
                                         size_t n, napi_value *argv,
                                         const char *usage, const char *live) {
  if (!addon_args(env, info, n, argv, usage))
    return NULL;
  return live != NULL ? addon_worker_live(env, argv[0], live)
                      : addon_worker_from(env, argv[0]);
}

/* Reads a count argument or property `v`, an integer in [1, 2^24], into
 * *out. `name` is how messages name it ("\"max\" argument"): TypeError
 * ERR_INVALID_ARG_TYPE unless a number, RangeError `range_code` when out of
 * range. False with an exception pending on failure. */
static bool addon_get_count(napi_env env, napi_value v, const char *name,
                            const char *range_code, uint32_t *out) {
  napi_valuetype t;
  double d;
  char shown[40];

  NAPI_CALL_RETURN_FALSE(env, napi_typeof(env, v, &t));
  if (t != napi_number) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "The %s must be of type number", name);
    return false;
  }
  NAPI_CALL_RETURN_FALSE(env, napi_get_value_double(env, v, &d));
  if (!(d >= 1 && d <= (double)(1u << 24)) || d != (double)(uint32_t)d) {
    addon_throw(env, ADDON_RANGE_ERROR, range_code,
                "The %s must be an integer, at least 1 (the minimum) and at "
                "most 16777216; received %s",
                name, addon_fmt_number(d, shown, sizeof shown));
    return false;
  }
  *out = (uint32_t)d;
  return true;
}

/* ---- workerBootstrap(storeHandle, namespace, capacity) --------------------
 */

napi_value addon_worker_bootstrap_js(napi_env env, napi_callback_info info) {
  napi_value argv[3], handle;
  addon_store_t *s;
  char pattern[ADDON_PATH_BUF];
  size_t pattern_len;
  uint32_t capacity;
  addon_worker_t *w;
  int rc;

  s = addon_store_args(env, info, 3, argv,
                       "workerBootstrap(store, namespace, capacity)", true);
  if (s == NULL ||
      !addon_get_path(env, argv[1], "config.namespace", "ERR_EVS_BAD_PATTERN",
                      pattern, &pattern_len) ||
      !addon_get_count(env, argv[2], "\"config.capacity\" property",
                       "ERR_EVS_BAD_OPTION", &capacity))
    return NULL;

  w = calloc(1, sizeof *w);
  if (w == NULL)
    return addon_throw_core(env, EVS_ENOMEM, "Worker.bootstrap()");
  addon_js_enter(addon_store_delivery(s));
  rc = evs_worker_open(addon_store_core(s), pattern, pattern_len, capacity,
                       &w->core);
  addon_js_leave(addon_store_delivery(s));
  if (rc != EVS_OK) {
    free(w);
    if (rc == EVS_EPATTERN || rc == EVS_EPATH)
      return addon_throw_bad_pattern(env, "config.namespace", argv[1]);
    return addon_throw_core(env, rc, "Worker.bootstrap()");
  }
  w->store = s;
  addon_store_ref(s);
  addon_store_add_dependent(s, &w->dep, addon_worker_store_closing, w,
                            ADDON_DEP_STAGE_FIRST);
  atomic_fetch_add(&addon_count_workers, 1);
  if (!addon_handle_new(env, w, addon_worker_finalize, &addon_worker_tag,
                        &handle)) {
    addon_worker_finalize(env, w, NULL);
    return NULL;
  }
  return handle;
}

/* ---- workerStatus(w) ------------------------------------------------------
 */

static napi_value addon_status_object(napi_env env,
                                      const evs_worker_status_t *st) {
  napi_value obj;
  NAPI_CALL(env, napi_create_object(env, &obj));
  if (!addon_set_bool(env, obj, "running", st->running) ||
      !addon_set_u64(env, obj, "pendingCount", st->pending) ||
      !addon_set_u64(env, obj, "inFlight", st->in_flight) ||
      !addon_set_u64(env, obj, "completed", st->completed) ||
      !addon_set_u64(env, obj, "failed", st->failed) ||
      !addon_set_u64(env, obj, "dropped", st->dropped))
    return NULL;
  return obj;
}

napi_value addon_worker_status_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  addon_worker_t *w;
  evs_worker_status_t st;
  int rc;

  w = addon_worker_args(env, info, 1, argv, "workerStatus(handle)", NULL);
  if (w == NULL)
    return NULL;
  if (w->core == NULL)
    return addon_status_object(env, &w->final_status);
  rc = evs_worker_status(w->core, &st);
  if (rc != EVS_OK)
    return addon_throw_core(env, rc, "status()");
  return addon_status_object(env, &st);
}

/* ---- workerPoll(w, max) -> ArrayBuffer | null ------------------------------
 * One step record per event (STEP_* in wire.h). */

static size_t addon_pad4(size_t n) {
  return (n + 3) & ~(size_t)3;
}

napi_value addon_worker_poll_js(napi_env env, napi_callback_info info) {
  napi_value argv[2], ab = NULL;
  addon_worker_t *w;
  uint32_t max;
  evs_step_event_t *events = NULL;
  size_t count = 0, i, total = 0, off = 0;
  uint8_t *data = NULL;
  void *ab_data = NULL;
  int rc;

  w = addon_worker_args(env, info, 2, argv, "workerPoll(handle, max)",
                        "pollStepEvents()");
  if (w == NULL || !addon_get_count(env, argv[1], "\"max\" argument",
                                    "ERR_OUT_OF_RANGE", &max))
    return NULL;
  rc = evs_worker_poll(w->core, max, &events, &count);
  if (rc != EVS_OK)
    return addon_throw_core(env, rc, "pollStepEvents()");
  if (count == 0)
    return NULL; /* undefined: the wrapper returns [] */
  for (i = 0; i < count; i++) {
    size_t vlen = 0;
    if (events[i].type == EVS_EVENT_SET && events[i].value_len > 0)
      vlen = (uint8_t)events[i].value[0] < ADDON_KIND_COUNT
                 ? events[i].value_len - 1
                 : events[i].value_len;
    total += ADDON_STEP_WORDS * 4 + addon_pad4(events[i].path_len) +
             addon_pad4(vlen);
  }
  if (napi_create_arraybuffer(env, total, &ab_data, &ab) != napi_ok) {
    /* The events are in flight now; they cannot be handed back. Complete
     * them as failed so the worker's books stay consistent. */
    for (i = 0; i < count; i++)
      evs_worker_complete(w->core, events[i].id, "lost: out of memory");
    evs_step_events_free(events, count);
    addon_throw(env, ADDON_ERROR, "ERR_EVS_NOMEM",
                "pollStepEvents(): cannot allocate %zu bytes", total);
    return NULL;
  }
  data = ab_data;
  memset(data, 0, total);
  for (i = 0; i < count; i++) {
    const evs_step_event_t *e = &events[i];
    uint32_t h[ADDON_STEP_WORDS];
    uint32_t kind = ADDON_KIND_NONE, ascii = 0;
    const uint8_t *vb = (const uint8_t *)e->value;
    size_t vlen = e->value_len, j;
    if (e->type == EVS_EVENT_SET && vlen > 0) {
      kind = vb[0];
      if (kind >= ADDON_KIND_COUNT)
        kind = ADDON_KIND_BUFFER; /* untagged: whole bytes as a Buffer */
      else {
        vb++;
        vlen--;
      }
      ascii = 1;
      for (j = 0; j < vlen; j++)
        if (vb[j] >= 0x80) {
          ascii = 0;
          break;
        }
    } else {
      vlen = 0;
    }
    h[ADDON_STEP_ID_LO] = (uint32_t)e->id;
    h[ADDON_STEP_ID_HI] = (uint32_t)(e->id >> 32);
    h[ADDON_STEP_SEQ_LO] = (uint32_t)e->seq;
    h[ADDON_STEP_SEQ_HI] = (uint32_t)(e->seq >> 32);
    h[ADDON_STEP_TYPE] = (uint32_t)e->type;
    h[ADDON_STEP_META] = kind | ascii << ADDON_STEP_ASCII_SHIFT;
    h[ADDON_STEP_PATH_LEN] = (uint32_t)e->path_len;
    h[ADDON_STEP_VALUE_LEN] = (uint32_t)vlen;
    memcpy(data + off, h, sizeof h);
    off += sizeof h;
    memcpy(data + off, e->path, e->path_len);
    off += addon_pad4(e->path_len);
    if (vlen > 0)
      memcpy(data + off, vb, vlen);
    off += addon_pad4(vlen);
  }
  evs_step_events_free(events, count);
  return ab;
}

/* ---- workerComplete(w, id, errorMessage | null) ---------------------------
 */

napi_value addon_worker_complete_js(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  addon_worker_t *w;
  double id_d;
  char shown[40];
  napi_valuetype t;
  char *msg = NULL;
  size_t msg_len = 0;
  int rc;

  w = addon_worker_args(env, info, 3, argv, "workerComplete(handle, id, error)",
                        "completeStepEvent()");
  if (w == NULL)
    return NULL;
  NAPI_CALL(env, napi_typeof(env, argv[1], &t));
  if (t != napi_number)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "The \"id\" argument must be of type number");
  NAPI_CALL(env, napi_get_value_double(env, argv[1], &id_d));
  if (!(id_d >= 1 && id_d <= 9007199254740991.0) ||
      id_d != (double)(uint64_t)id_d)
    return addon_throw(env, ADDON_RANGE_ERROR, "ERR_OUT_OF_RANGE",
                       "The \"id\" argument must be a positive safe integer; "
                       "received %s",
                       addon_fmt_number(id_d, shown, sizeof shown));
  NAPI_CALL(env, napi_typeof(env, argv[2], &t));
  if (t == napi_string) {
    NAPI_CALL(env, napi_get_value_string_utf8(env, argv[2], NULL, 0, &msg_len));
    msg = malloc(msg_len + 1);
    if (msg == NULL)
      return addon_throw_core(env, EVS_ENOMEM, "completeStepEvent()");
    if (napi_get_value_string_utf8(env, argv[2], msg, msg_len + 1, &msg_len) !=
        napi_ok) {
      free(msg);
      return addon_throw(env, ADDON_ERROR, "ERR_EVS_NAPI",
                         "cannot read the error message");
    }
  } else if (t != napi_null && t != napi_undefined) {
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "The \"result.error\" property must be of type string");
  }
  rc = evs_worker_complete(w->core, (uint64_t)id_d, msg);
  free(msg);
  if (rc == EVS_EUNKNOWNID)
    return addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_UNKNOWN_ID",
                       "completeStepEvent(): step event id %.0f is unknown, "
                       "was never polled, or is already completed",
                       id_d);
  if (rc != EVS_OK)
    return addon_throw_core(env, rc, "completeStepEvent()");
  return NULL;
}

/* ---- workerStop(w) ---------------------------------------------------------
 */

napi_value addon_worker_stop_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  addon_worker_t *w;

  w = addon_worker_args(env, info, 1, argv, "workerStop(handle)", NULL);
  if (w == NULL)
    return NULL;
  addon_worker_release(w, false);
  return NULL;
}

/* ---- raw status handle ----------------------------------------------------
 */

static void addon_raw_finalize(napi_env env, void *data, void *hint) {
  addon_raw_t *r = data;
  (void)env;
  (void)hint;
  /* A handle dropped without free(): release the string here so that GC
   * keeps the automatic guarantee; explicit free() stays the contract. */
  if (!r->freed)
    evs_string_free(r->str);
  free(r);
}

napi_value addon_worker_status_raw_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], handle;
  addon_worker_t *w;
  addon_raw_t *r;

  w = addon_worker_args(env, info, 1, argv, "workerStatusRaw(handle)",
                        "statusRaw()");
  if (w == NULL)
    return NULL;
  r = calloc(1, sizeof *r);
  if (r == NULL)
    return addon_throw_core(env, EVS_ENOMEM, "statusRaw()");
  r->str = evs_worker_status_json(w->core);
  if (r->str == NULL) {
    free(r);
    return addon_throw_core(env, EVS_ENOMEM, "statusRaw()");
  }
  if (!addon_handle_new(env, r, addon_raw_finalize, &addon_raw_tag, &handle)) {
    addon_raw_finalize(env, r, NULL);
    return NULL;
  }
  return handle;
}

/* The prologue of rawRead and rawFree: reads the call's one argument
 * (addon_args, `usage`), a raw status handle whose string is not freed yet.
 * Otherwise throws (a freed one: Error ERR_EVS_FREED with `freed_msg`) and
 * returns NULL. */
static addon_raw_t *addon_raw_unfreed_arg(napi_env env, napi_callback_info info,
                                          const char *usage,
                                          const char *freed_msg) {
  napi_value argv[1];
  addon_raw_t *r;

  if (!addon_args(env, info, 1, argv, usage))
    return NULL;
  r = addon_handle_get(env, argv[0], &addon_raw_tag);
  if (r == NULL) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "expected a raw status handle");
    return NULL;
  }
  if (r->freed) {
    addon_throw(env, ADDON_ERROR, "ERR_EVS_FREED", "%s", freed_msg);
    return NULL;
  }
  return r;
}

napi_value addon_raw_read_js(napi_env env, napi_callback_info info) {
  napi_value result;
  addon_raw_t *r;

  r = addon_raw_unfreed_arg(env, info, "rawRead(handle)",
                            "read(): the status string was already freed");
  if (r == NULL)
    return NULL;
  NAPI_CALL(env,
            napi_create_string_utf8(env, r->str, NAPI_AUTO_LENGTH, &result));
  return result;
}

napi_value addon_raw_free_js(napi_env env, napi_callback_info info) {
  addon_raw_t *r;

  r = addon_raw_unfreed_arg(env, info, "rawFree(handle)",
                            "free(): the status string was already freed "
                            "(double free refused)");
  if (r == NULL)
    return NULL;
  evs_string_free(r->str);
  r->str = NULL;
  r->freed = true;
  return NULL;
}
