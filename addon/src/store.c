/* The Store binding: open/close, set/get/delete (subscriptions and queue
 * statistics: store_subs.c). JS thread only; the dispatcher thread enters
 * through addon_delivery_listener (delivery.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "faults.h"
#include "napi_util.h"
#include "path.h"
#include "stats.h"
#include "store.h"
#include "store_options.h"
#include "value.h"
#include "wire.h"

#include "store_int.h"

/* Tags the handle object that wraps an addon_store_t. */
static const napi_type_tag addon_store_tag = {0x6576732d73746f72ull,
                                              0x652d68616e646c65ull};

/* ---- lifetime ------------------------------------------------------------ */

static void addon_store_free(addon_store_t *s) {
  addon_delivery_destroy(&s->delivery);
  free(s->subs);
  addon_env_unref(s->aenv);
  free(s);
}

void addon_store_ref(addon_store_t *s) {
  s->refs++;
}

void addon_store_unref(addon_store_t *s) {
  if (--s->refs == 0)
    addon_store_free(s);
}

/* The tsfn finaliser: runs on the JS thread (or at env teardown) once Node
 * has closed the tsfn. */
static void addon_tsfn_finalize(napi_env env, void *finalize_data, void *hint) {
  addon_store_t *s = finalize_data;
  (void)env;
  (void)hint;
  s->delivery.tsfn = NULL;
  if (s->tsfn_leaked) /* fault: never released, finalised by env teardown */
    atomic_fetch_sub(&addon_count_tsfns, 1);
  addon_store_unref(s);
}

static void addon_store_finalize(napi_env env, void *data, void *hint) {
  addon_store_t *s = data;
  (void)hint;
  addon_store_close(env, s);
  addon_store_unref(s);
}

/* The finaliser of a function bound to the store (storeBind). */
static void addon_store_bound_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  addon_store_unref(data);
}

/* The env cleanup hook's callback: the environment ends. */
static void addon_store_env_close(napi_env env, addon_dep_t *dep) {
  addon_store_close(env, dep->data);
}

evs_store_t *addon_store_core(addon_store_t *s) {
  return s->core;
}

addon_delivery_t *addon_store_delivery(addon_store_t *s) {
  return &s->delivery;
}

void addon_store_add_dependent(addon_store_t *s, addon_dep_t *dep,
                               addon_dep_close_cb close_cb, void *data,
                               addon_dep_stage_t stage) {
  addon_dep_add(&s->deps, dep, close_cb, data, stage);
}

addon_dep_t *addon_store_find_dependent(addon_store_t *s,
                                        addon_dep_close_cb close_cb) {
  return addon_dep_find(&s->deps, close_cb);
}

void addon_store_close(napi_env env, addon_store_t *s) {
  uint32_t i;
  addon_delivery_t *d = &s->delivery;

  if (!s->open)
    return;
  s->open = false;
  addon_delivery_close(d);

  addon_js_enter(d);
  addon_dep_close_stage(env, &s->deps, ADDON_DEP_STAGE_FIRST);
  /* Undelivered events are discarded: no listener runs after close(). */
  evs_store_close(s->core, EVS_CLOSE_DISCARD);
  addon_dep_close_stage(env, &s->deps, ADDON_DEP_STAGE_SECOND);
  evs_store_free(s->core);
  addon_js_leave(d);
  s->core = NULL;

#if ADDON_FAULTS
  if (evs_fault_on(EVS_FAULT_NO_THREAD_JOIN)) {
    /* The core's planted defect left its dispatcher running with our
     * listener registered: leave behind everything it may still touch (the
     * subscriptions and this struct), as the core does with its own. */
    s->refs++;
    for (i = 0; i < s->subs_cap; i++) {
      if (s->subs[i] != NULL) {
        s->subs[i] = NULL;
        atomic_fetch_sub(&addon_count_subscriptions, 1);
      }
    }
  }
#endif
  /* The core freed its subscriptions; free ours. */
  for (i = 0; i < s->subs_cap; i++) {
    if (s->subs[i] != NULL) {
      free(s->subs[i]);
      s->subs[i] = NULL;
      atomic_fetch_sub(&addon_count_subscriptions, 1);
    }
  }
  s->active_subs = 0;

  if (d->tsfn != NULL) {
#if ADDON_FAULTS
    if (evs_fault_named(ADDON_FAULT_SKIP_TSFN_RELEASE)) {
      /* Planted defect: the tsfn is never released, and being referenced it
       * keeps the event loop (and this store's memory) alive until the
       * environment ends. */
      s->tsfn_leaked = true;
      napi_ref_threadsafe_function(env, d->tsfn);
    } else
#endif
    {
      napi_release_threadsafe_function(d->tsfn, napi_tsfn_abort);
      atomic_fetch_sub(&addon_count_tsfns, 1);
    }
  }
  addon_delivery_release_buffers(d);
  if (d->js_buffer != NULL) {
    napi_delete_reference(env, d->js_buffer);
    d->js_buffer = NULL;
    d->js_buffer_data = NULL;
    d->js_buffer_len = 0;
  }
  addon_dep_remove(&s->env_dep);
  atomic_fetch_sub(&addon_count_stores, 1);
}

addon_store_t *addon_store_from(napi_env env, napi_value v, bool require_open) {
  addon_store_t *s = addon_handle_get(env, v, &addon_store_tag);
  if (s == NULL) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "expected a store handle");
    return NULL;
  }
  if (require_open && !s->open) {
    addon_throw(env, ADDON_ERROR, "ERR_EVS_CLOSED", "the store is closed");
    return NULL;
  }
  return s;
}

addon_store_t *addon_store_args(napi_env env, napi_callback_info info, size_t n,
                                napi_value *argv, const char *usage,
                                bool require_open) {
  if (!addon_args(env, info, n, argv, usage))
    return NULL;
  return addon_store_from(env, argv[0], require_open);
}

/* ---- helpers ------------------------------------------------------------- */

/* ---- storeOpen(options, decoder, arrayBuffer) ---------------------------- */

napi_value addon_store_open_js(napi_env env, napi_callback_info info) {
  napi_value argv[3], handle, name;
  napi_valuetype t;
  evs_store_config_t cfg;
  addon_env_t *aenv;
  addon_store_t *s = NULL;
  void *ab_data = NULL;
  size_t ab_len = 0;
  bool is_ab = false;
  int rc;

  if (!addon_args(env, info, 3, argv,
                  "storeOpen(options, decoder, arrayBuffer)"))
    return NULL;
  aenv = addon_env_get(env);
  if (aenv == NULL)
    return NULL;
  if (aenv->tearing_down)
    return addon_throw(env, ADDON_ERROR, "ERR_EVS_CLOSED",
                       "the environment is shutting down");

  if (!addon_store_options(env, argv[0], &cfg))
    return NULL;
  NAPI_CALL(env, napi_typeof(env, argv[1], &t));
  if (t != napi_function)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "storeOpen: decoder must be a function");
  NAPI_CALL(env, napi_is_arraybuffer(env, argv[2], &is_ab));
  if (!is_ab)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "storeOpen: expected an ArrayBuffer");
  NAPI_CALL(env, napi_get_arraybuffer_info(env, argv[2], &ab_data, &ab_len));
  if (ab_len < 4096)
    return addon_throw(env, ADDON_RANGE_ERROR, "ERR_INVALID_ARG_VALUE",
                       "storeOpen: the ArrayBuffer must hold >= 4096 bytes");

  s = calloc(1, sizeof *s);
  if (s == NULL)
    return addon_throw_core(env, EVS_ENOMEM, "new Store()");
  if (addon_delivery_init(&s->delivery) != EVS_OK) {
    free(s);
    return addon_throw_core(env, EVS_ENOMEM, "new Store()");
  }
  s->aenv = aenv;
  addon_env_ref(aenv);
  s->refs = 1; /* the JS handle */
  s->max_value_bytes = (cfg.value_ring_bytes ? cfg.value_ring_bytes
                                             : EVS_QUEUE_DEFAULT_VALUE_RING) /
                       2;

  cfg.on_drained = addon_delivery_drained;
  cfg.on_drained_user = &s->delivery;
  rc = evs_store_open(&cfg, &s->core);
  if (rc != EVS_OK) {
    addon_store_free(s);
    return addon_throw_core(env, rc, "new Store()");
  }
  s->open = true;
  atomic_fetch_add(&addon_count_stores, 1);
  /* From here on, failures unwind through addon_store_close(). */
  addon_dep_add(&aenv->stores, &s->env_dep, addon_store_env_close, s,
                ADDON_DEP_STAGE_FIRST);

  NAPI_CALL_GOTO(
      env,
      napi_create_string_utf8(env, "evstore.delivery", NAPI_AUTO_LENGTH, &name),
      fail);
  NAPI_CALL_GOTO(env,
                 napi_create_threadsafe_function(
                     env, argv[1], NULL, name, 0, 1, s, addon_tsfn_finalize,
                     &s->delivery, addon_delivery_call_js, &s->delivery.tsfn),
                 fail);
  s->refs++; /* the tsfn, dropped by addon_tsfn_finalize */
  atomic_fetch_add(&addon_count_tsfns, 1);
  s->delivery.tsfn_ok = true;
  /* Referenced only while some subscription is active (see subscribe). */
  NAPI_CALL_GOTO(env, napi_unref_threadsafe_function(env, s->delivery.tsfn),
                 fail);
  NAPI_CALL_GOTO(env,
                 napi_create_reference(env, argv[2], 1, &s->delivery.js_buffer),
                 fail);
  s->delivery.js_buffer_data = ab_data;
  s->delivery.js_buffer_len = ab_len;

  if (!addon_handle_new(env, s, addon_store_finalize, &addon_store_tag,
                        &handle))
    goto fail;
  return handle;

fail:
  addon_store_close(env, s);
  addon_store_unref(s);
  return NULL;
}

/* ---- storeClose(h) --------------------------------------------------------
 */

/* The single store-handle argument of close() and isOpen(); the store may
 * be closed. Returns it, or NULL with an exception pending. */
static addon_store_t *addon_handle_arg(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  return addon_store_args(env, info, 1, argv, "expected a store handle", false);
}

napi_value addon_store_close_js(napi_env env, napi_callback_info info) {
  addon_store_t *s = addon_handle_arg(env, info);
  if (s != NULL)
    addon_store_close(env, s);
  return NULL;
}

napi_value addon_store_is_open_js(napi_env env, napi_callback_info info) {
  napi_value result;
  addon_store_t *s = addon_handle_arg(env, info);
  if (s == NULL)
    return NULL;
  NAPI_CALL(env, napi_get_boolean(env, s->open, &result));
  return result;
}

/* The (handle, path, ...) arguments of set, get and delete: at least `need`
 * of them, an open store in argv[0] and a valid path in argv[1], copied to
 * path. Returns the store, or NULL with an exception pending. */
static addon_store_t *addon_path_args(napi_env env, napi_callback_info info,
                                      size_t need, const char *usage,
                                      napi_value *argv, char *path,
                                      size_t *path_len) {
  addon_store_t *s = addon_store_args(env, info, need, argv, usage, true);
  if (s == NULL ||
      !addon_get_path(env, argv[1], "path", "ERR_EVS_BAD_PATH", path, path_len))
    return NULL;
  return s;
}

/* Throws the core error `rc` of op('path'), showing the whole path `v`
 * escaped (a NUL must not hide what follows it). */
static napi_value addon_throw_path_op(napi_env env, int rc, const char *op,
                                      napi_value v) {
  char shown[ADDON_ESCAPED_MAX];
  char what[ADDON_ESCAPED_MAX + 32];
  addon_escape_js_string(env, v, shown, sizeof shown);
  snprintf(what, sizeof what, "%s('%s')", op, shown);
  return addon_throw_core(env, rc, what);
}

/* ---- storeBind(h) -> {setters} ----------------------------------------------
 * The store's write functions, bound to it: each is a function whose data
 * pointer is the store (holding a reference, dropped by the function's
 * finaliser), so a call has no handle to check and unwrap; that check (a
 * type-tag and a wrap lookup, both private-symbol property reads) was a
 * third of set()'s time. The JS layer keeps them on its Store object.
 *   setters[kind](path, value)   set() of a value of that kind (wire.h)
 * (setMany()'s writes are storeSetMany(h, ...), below.)
 */

/* The store a bound function was called on: argv[0..n) read (missing ones
 * undefined). NULL with an exception pending when the call has fewer than n
 * arguments (TypeError naming `usage`) or the store is closed. */
static addon_store_t *addon_bound_args(napi_env env, napi_callback_info info,
                                       size_t n, napi_value *argv,
                                       const char *usage) {
  size_t argc = n;
  void *data = NULL;
  addon_store_t *s;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, &data));
  if (argc < n) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE", "%s", usage);
    return NULL;
  }
  s = data;
  if (!s->open) {
    addon_throw(env, ADDON_ERROR, "ERR_EVS_CLOSED", "the store is closed");
    return NULL;
  }
  return s;
}

/* Gives the function `fn`, bound to `s`, a reference on it, dropped when the
 * function is collected or the environment ends. False with an exception
 * pending on failure (no reference taken). */
static bool addon_bind_ref(napi_env env, addon_store_t *s, napi_value fn) {
  s->refs++;
  if (napi_add_finalizer(env, fn, s, addon_store_bound_finalize, NULL, NULL) !=
      napi_ok) {
    s->refs--;
    addon_throw_napi_error(env, napi_generic_failure, "napi_add_finalizer");
    return false;
  }
  return true;
}

static napi_value addon_store_set_kind(napi_env env, napi_callback_info info,
                                       uint32_t kind) {
  napi_value argv[2];
  char path[ADDON_PATH_BUF];
  size_t path_len;
  const uint8_t *bytes;
  size_t len;
  int rc;

  addon_store_t *s = addon_bound_args(env, info, 2, argv, "set(path, value)");
  if (s == NULL ||
      !addon_get_path(env, argv[0], "path", "ERR_EVS_BAD_PATH", path,
                      &path_len) ||
      !addon_encode_value(env, s->aenv, s->max_value_bytes, argv[1], kind,
                          &bytes, &len))
    return NULL;
  addon_js_enter(&s->delivery);
  rc = evs_store_set(s->core, path, path_len, bytes, len);
  addon_js_leave(&s->delivery);
  if (rc != EVS_OK)
    return addon_throw_path_op(env, rc, "set", argv[0]);
  return NULL;
}

static napi_value addon_set_string_js(napi_env env, napi_callback_info info) {
  return addon_store_set_kind(env, info, ADDON_KIND_STRING);
}

static napi_value addon_set_buffer_js(napi_env env, napi_callback_info info) {
  return addon_store_set_kind(env, info, ADDON_KIND_BUFFER);
}

static napi_value addon_set_uint8array_js(napi_env env,
                                          napi_callback_info info) {
  return addon_store_set_kind(env, info, ADDON_KIND_UINT8ARRAY);
}

static napi_value addon_set_json_js(napi_env env, napi_callback_info info) {
  return addon_store_set_kind(env, info, ADDON_KIND_JSON);
}

/* ---- storeSetMany(h, text, meta, bufs, n, entries, first): the batched set
 * Entries entries[first + i], i < n, as lib/store.js prepared them: `text`
 * holds every path and string value (KIND_STRING, KIND_JSON text), in
 * order, as one string, read with one Node-API call; meta (Uint32Array)
 * holds per entry [path units, kind, value units or index in bufs] (bufs:
 * the Buffer and Uint8Array values). Encoded into an addon_batch_t
 * (value.h) and written with evs_store_set_many per ADDON_BATCH_MAX entries
 * or ADDON_MANY_BYTES bytes (one store-lock hold each). The first bad entry
 * throws as set() would, with `index` (in `entries`) on the error: the ones
 * before it are written, it and the later ones are not. A module function
 * taking the handle, not one bound to the store like the setters: it runs
 * once per up to 4096 entries, so the handle check costs nothing, and V8
 * deoptimised Store#setMany on every call (--trace-deopt: 'wrong call
 * target', 1738 times in one bench run) when its call of a per-store
 * function met the function of a newer store. */
#define ADDON_MANY_BYTES (64u * 1024u)

typedef struct addon_many_s {
  napi_value entries;
  size_t first; /* entries index of this call's entry 0 */
  size_t done;  /* entries of this call written */
  addon_batch_t batch;
} addon_many_t;

/* Adds `index` to the pending exception (an Error) and throws it again. */
static void addon_rethrow_indexed(napi_env env, size_t index) {
  napi_value err, idx;
  bool is_error = false;
  if (napi_get_and_clear_last_exception(env, &err) != napi_ok)
    return;
  if (napi_create_double(env, (double)index, &idx) == napi_ok &&
      napi_is_error(env, err, &is_error) == napi_ok && is_error)
    napi_set_named_property(env, err, "index", idx);
  napi_throw(env, err);
}

/* Writes the batch. False with an indexed exception pending when an entry
 * of it failed. */
static bool addon_many_flush(napi_env env, addon_store_t *s, addon_many_t *m) {
  size_t done = 0, n = m->batch.count, failed;
  const evs_set_entry_t *e;
  napi_value entry, path;
  int rc;
  if (n == 0)
    return true;
  e = addon_batch_entries(&m->batch);
  addon_js_enter(&s->delivery);
  rc = evs_store_set_many(s->core, e, n, &done);
  addon_js_leave(&s->delivery);
  failed = m->first + m->done + done;
  m->done += n;
  addon_batch_reset(&m->batch);
  if (rc == EVS_OK)
    return true;
  if (napi_get_element(env, m->entries, (uint32_t)failed, &entry) == napi_ok &&
      napi_get_element(env, entry, 0, &path) == napi_ok)
    addon_throw_path_op(env, rc, "set", path);
  addon_rethrow_indexed(env, failed);
  return false;
}

napi_value addon_store_set_many_js(napi_env env, napi_callback_info info) {
  napi_value argv[7], err;
  uint32_t *meta = NULL;
  size_t nmeta = 0, tlen = 0, off = 0, i;
  uint32_t n = 0, first = 0;
  napi_typedarray_type tt;
  char16_t *text = NULL;
  addon_many_t *m = NULL;
  addon_store_t *s = addon_store_args(
      env, info, 7, argv,
      "storeSetMany(handle, text, meta, bufs, n, entries, first)", true);
  if (s == NULL)
    return NULL;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[4], &n));
  NAPI_CALL(env, napi_get_value_uint32(env, argv[6], &first));
  NAPI_CALL(env, napi_get_typedarray_info(env, argv[2], &tt, &nmeta,
                                          (void **)&meta, NULL, NULL));
  NAPI_CALL(env, napi_get_value_string_utf16(env, argv[1], NULL, 0, &tlen));
  if (tt != napi_uint32_array || nmeta / 3 < n)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "setMany(): meta too short");
  if ((m = calloc(1, sizeof *m)) == NULL ||
      (text = malloc((tlen + 1) * sizeof *text)) == NULL) {
    free(m);
    return addon_throw_core(env, EVS_ENOMEM, "setMany()");
  }
  m->entries = argv[5];
  m->first = first;
  if (napi_get_value_string_utf16(env, argv[1], text, tlen + 1, &tlen) !=
      napi_ok) {
    addon_throw_napi_error(env, napi_generic_failure, "setMany(): text");
    n = 0;
  }
  for (i = 0; i < n; i++) {
    uint32_t plen = meta[3 * i], kind = meta[3 * i + 1], x = meta[3 * i + 2];
    bool text_kind = kind == ADDON_KIND_STRING || kind == ADDON_KIND_JSON;
    if (off + plen + (text_kind ? x : 0) > tlen) {
      addon_throw(env, ADDON_RANGE_ERROR, "ERR_INVALID_ARG_VALUE",
                  "setMany(): meta overruns the text");
      break;
    }
    if (!addon_batch_add(env, s->aenv, s->max_value_bytes, &m->batch,
                         text + off, plen, kind, text + off + plen, x,
                         argv[3])) {
      /* Entry i is bad: write the ones before it, then throw its error (or
       * an earlier entry's, if one of those fails). */
      if (napi_get_and_clear_last_exception(env, &err) != napi_ok)
        break;
      if (addon_many_flush(env, s, m)) {
        napi_throw(env, err);
        addon_rethrow_indexed(env, first + i);
      }
      break;
    }
    off += plen + (text_kind ? x : 0);
    if ((m->batch.count == ADDON_BATCH_MAX ||
         m->batch.len >= ADDON_MANY_BYTES) &&
        !addon_many_flush(env, s, m))
      break;
  }
  if (i == n && n > 0)
    addon_many_flush(env, s, m);
  free(text);
  addon_batch_free(&m->batch);
  free(m);
  return NULL;
}

napi_value addon_store_bind_js(napi_env env, napi_callback_info info) {
  static const struct {
    uint32_t kind;
    napi_callback fn;
  } setters[] = {
      {ADDON_KIND_STRING, addon_set_string_js},
      {ADDON_KIND_BUFFER, addon_set_buffer_js},
      {ADDON_KIND_UINT8ARRAY, addon_set_uint8array_js},
      {ADDON_KIND_JSON, addon_set_json_js},
  };
  napi_value argv[1], result, array, fn;
  size_t i;
  addon_store_t *s;

  s = addon_store_args(env, info, 1, argv, "storeBind(handle)", true);
  if (s == NULL)
    return NULL;
  NAPI_CALL(env, napi_create_object(env, &result));
  NAPI_CALL(env, napi_create_array(env, &array));
  NAPI_CALL(env, napi_set_named_property(env, result, "setters", array));
  for (i = 0; i < sizeof setters / sizeof setters[0]; i++) {
    NAPI_CALL(env, napi_create_function(env, "set", NAPI_AUTO_LENGTH,
                                        setters[i].fn, s, &fn));
    if (!addon_bind_ref(env, s, fn))
      return NULL;
    NAPI_CALL(env, napi_set_element(env, array, setters[i].kind, fn));
  }
  return result;
}

/* ---- storeGet(h, path) ----------------------------------------------------
 */

napi_value addon_store_get_js(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  char path[ADDON_PATH_BUF];
  size_t path_len, len = 0;
  void *value = NULL;
  int rc;

  addon_store_t *s = addon_path_args(env, info, 2, "storeGet(handle, path)",
                                     argv, path, &path_len);
  if (s == NULL)
    return NULL;
  addon_js_enter(&s->delivery);
  rc = evs_store_get(s->core, path, path_len, &value, &len);
  addon_js_leave(&s->delivery);
  if (rc == EVS_ENOTFOUND)
    return NULL; /* undefined */
  if (rc != EVS_OK)
    return addon_throw_path_op(env, rc, "get", argv[1]);
  result = addon_decode_value(env, s->aenv, value, len);
  evs_value_free(value);
  return result;
}

/* ---- storeDelete(h, path) -> boolean --------------------------------------
 */

napi_value addon_store_delete_js(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  char path[ADDON_PATH_BUF];
  size_t path_len;
  int rc;

  addon_store_t *s = addon_path_args(env, info, 2, "storeDelete(handle, path)",
                                     argv, path, &path_len);
  if (s == NULL)
    return NULL;
  addon_js_enter(&s->delivery);
  rc = evs_store_delete(s->core, path, path_len);
  addon_js_leave(&s->delivery);
  if (rc != EVS_OK && rc != EVS_ENOTFOUND)
    return addon_throw_path_op(env, rc, "delete", argv[1]);
  NAPI_CALL(env, napi_get_boolean(env, rc == EVS_OK, &result));
  return result;
}
