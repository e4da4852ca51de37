/* The Store binding: open/close, set/get/delete, subscriptions and queue
 * statistics. JS thread only; the dispatcher thread enters through
 * addon_delivery_listener (delivery.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"

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

static void addon_unlink(addon_store_t *s) {
  if (s->prev != NULL)
    s->prev->next = s->next;
  else if (s->aenv->stores == s)
    s->aenv->stores = s->next;
  if (s->next != NULL)
    s->next->prev = s->prev;
  s->prev = s->next = NULL;
}

void addon_store_close(napi_env env, addon_store_t *s) {
  uint32_t i;
  addon_delivery_t *d = &s->delivery;

  if (!s->open)
    return;
  s->open = false;
  addon_delivery_close(d);

  addon_js_enter(d);
  while (s->workers != NULL)
    addon_worker_release(s->workers, true);
  /* Undelivered events are discarded: no listener runs after close(). */
  evs_store_close(s->core, EVS_CLOSE_DISCARD);
  addon_bench_stop_and_join(s);
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
  addon_unlink(s);
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

/* ---- helpers ------------------------------------------------------------- */

/* Refuses a path or pattern holding an unpaired UTF-16 surrogate. UTF-8
 * cannot encode one: napi_get_value_string_utf8 writes U+FFFD instead, so
 * '/k/\uD800' and '/k/\uDBFF' would name the same key. Only a string whose
 * UTF-8 form holds U+FFFD (EF BF BD) can have one, so the common case costs
 * a memmem over the bytes already read, and only those strings are read
 * again as UTF-16 to tell a real U+FFFD from a replaced surrogate. */
static bool addon_check_surrogates(napi_env env, napi_value v, const char *what,
                                   const char *bad_code, const char *buf,
                                   size_t len) {
  char16_t units[EVS_PATH_MAX + 2];
  char shown[ADDON_ESCAPED_MAX];
  size_t n = 0, at = 0;

  if (memmem(buf, len, "\xef\xbf\xbd", 3) == NULL)
    return true;
  /* len <= EVS_PATH_MAX UTF-8 bytes, so at most as many UTF-16 units. */
  NAPI_CALL_RETURN_FALSE(
      env, napi_get_value_string_utf16(env, v, units,
                                       sizeof units / sizeof units[0], &n));
  if (!addon_find_lone_surrogate(units, n, &at))
    return true;
  addon_escape_utf16(units, n, false, shown, sizeof shown);
  addon_throw(env, ADDON_RANGE_ERROR, bad_code,
              "The \"%s\" argument '%s' holds an unpaired UTF-16 surrogate "
              "(\\u%04X at index %zu); it must be well-formed Unicode",
              what, shown, (unsigned)units[at], at);
  return false;
}

bool addon_get_path(napi_env env, napi_value v, const char *what,
                    const char *bad_code, char *buf, size_t *len) {
  napi_valuetype t;
  size_t n = 0;

  NAPI_CALL_RETURN_FALSE(env, napi_typeof(env, v, &t));
  if (t != napi_string) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "The \"%s\" argument must be of type string", what);
    return false;
  }
  /* A buffer 5 bytes over the limit: UTF-8 output stops on whole characters
   * (at most 4 bytes), so any string over the limit copies > EVS_PATH_MAX. */
  NAPI_CALL_RETURN_FALSE(
      env, napi_get_value_string_utf8(env, v, buf, ADDON_PATH_BUF, &n));
  if (n > EVS_PATH_MAX) {
    NAPI_CALL_RETURN_FALSE(env,
                           napi_get_value_string_utf8(env, v, NULL, 0, &n));
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_PATH_TOO_LONG",
                "The \"%s\" argument is %zu bytes long (UTF-8); the limit is "
                "%d bytes",
                what, n, EVS_PATH_MAX);
    return false;
  }
  if (!addon_check_surrogates(env, v, what, bad_code, buf, n))
    return false;
  *len = n;
  return true;
}

bool addon_encode_value(napi_env env, addon_store_t *s, napi_value value,
                        uint32_t kind, const uint8_t **out, size_t *out_len) {
  addon_env_t *aenv = s->aenv;
  size_t limit = s->max_value_bytes - 1; /* one byte for the kind tag */
  size_t n = 0;

  if (kind == ADDON_KIND_STRING || kind == ADDON_KIND_JSON) {
    napi_valuetype t;
    NAPI_CALL_RETURN_FALSE(env, napi_typeof(env, value, &t));
    if (t != napi_string) {
      addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                  "The \"value\" argument must be a string here");
      return false;
    }
    if (!addon_env_scratch(env, aenv, 4096))
      return false;
    NAPI_CALL_RETURN_FALSE(
        env, napi_get_value_string_utf8(env, value, (char *)aenv->scratch + 1,
                                        aenv->scratch_cap - 1, &n));
    /* Whole characters only: a copy that stops within 4 bytes of the end
     * may be truncated; measure and retry with room. */
    if (n + 5 >= aenv->scratch_cap - 1) {
      NAPI_CALL_RETURN_FALSE(
          env, napi_get_value_string_utf8(env, value, NULL, 0, &n));
      if (n > limit) {
        addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_VALUE_TOO_LARGE",
                    "The \"value\" argument is %zu bytes (UTF-8%s); the limit "
                    "is %zu bytes",
                    n, kind == ADDON_KIND_JSON ? " JSON" : "", limit);
        return false;
      }
      if (!addon_env_scratch(env, aenv, n + 2))
        return false;
      NAPI_CALL_RETURN_FALSE(
          env, napi_get_value_string_utf8(env, value, (char *)aenv->scratch + 1,
                                          aenv->scratch_cap - 1, &n));
    }
  } else if (kind == ADDON_KIND_BUFFER || kind == ADDON_KIND_UINT8ARRAY) {
    bool is_ta = false;
    napi_typedarray_type tt;
    void *data = NULL;
    NAPI_CALL_RETURN_FALSE(env, napi_is_typedarray(env, value, &is_ta));
    if (!is_ta) {
      addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                  "The \"value\" argument must be a Buffer or Uint8Array here");
      return false;
    }
    NAPI_CALL_RETURN_FALSE(
        env, napi_get_typedarray_info(env, value, &tt, &n, &data, NULL, NULL));
    if (tt != napi_uint8_array) {
      addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                  "The \"value\" argument must be a Buffer or Uint8Array here");
      return false;
    }
    if (n > limit) {
      addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_VALUE_TOO_LARGE",
                  "The \"value\" argument is %zu bytes; the limit is %zu "
                  "bytes",
                  n, limit);
      return false;
    }
    if (!addon_env_scratch(env, aenv, n + 1))
      return false;
    if (n > 0)
      memcpy(aenv->scratch + 1, data, n);
  } else {
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_INVALID_ARG_VALUE",
                "unknown value kind %u", kind);
    return false;
  }
  if (n > limit) {
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_VALUE_TOO_LARGE",
                "The \"value\" argument is %zu bytes (UTF-8%s); the limit is "
                "%zu bytes",
                n, kind == ADDON_KIND_JSON ? " JSON" : "", limit);
    return false;
  }
  aenv->scratch[0] = (uint8_t)kind;
  *out = aenv->scratch;
  *out_len = n + 1;
  return true;
}

napi_value addon_decode_value(napi_env env, addon_env_t *aenv,
                              const uint8_t *bytes, size_t len) {
  napi_value result, global, json, parse, text;
  void *data = NULL;
  uint8_t kind = len > 0 ? bytes[0] : ADDON_KIND_NONE;

  switch (kind) {
  case ADDON_KIND_STRING:
    NAPI_CALL(env, napi_create_string_utf8(env, (const char *)bytes + 1,
                                           len - 1, &result));
    return result;
  case ADDON_KIND_BUFFER:
    NAPI_CALL(env,
              napi_create_buffer_copy(env, len - 1, bytes + 1, NULL, &result));
    return result;
  case ADDON_KIND_UINT8ARRAY: {
    napi_value ab;
    NAPI_CALL(env, napi_create_arraybuffer(env, len - 1, &data, &ab));
    if (len > 1)
      memcpy(data, bytes + 1, len - 1);
    NAPI_CALL(env, napi_create_typedarray(env, napi_uint8_array, len - 1, ab, 0,
                                          &result));
    return result;
  }
  case ADDON_KIND_JSON:
    NAPI_CALL(env, napi_create_string_utf8(env, (const char *)bytes + 1,
                                           len - 1, &text));
    NAPI_CALL(env, napi_get_reference_value(env, aenv->json_parse, &parse));
    NAPI_CALL(env, napi_get_global(env, &global));
    NAPI_CALL(env, napi_get_named_property(env, global, "JSON", &json));
    NAPI_CALL(env, napi_call_function(env, json, parse, 1, &text, &result));
    return result;
  default:
    /* Bytes not written by this addon: hand them over raw. */
    NAPI_CALL(env, napi_create_buffer_copy(env, len, bytes, NULL, &result));
    return result;
  }
}

/* Reads the optional numeric option `name` of `obj` into *out: a power of
 * two in [min, max] when present. Absent or undefined leaves *out at 0 (the
 * core's default); any other value, 0 included, must be in range: an option
 * the caller spelled out is never silently replaced by the default. Throws
 * TypeError (not a number) or RangeError ERR_EVS_BAD_OPTION naming the option
 * and its bounds; returns false then. */
static bool addon_get_pow2_opt(napi_env env, napi_value obj, const char *name,
                               uint32_t min, uint32_t max, uint32_t *out) {
  bool has = false;
  napi_value v;
  napi_valuetype t;
  double d;
  char shown[40];

  NAPI_CALL_RETURN_FALSE(env, napi_has_named_property(env, obj, name, &has));
  if (!has)
    return true;
  NAPI_CALL_RETURN_FALSE(env, napi_get_named_property(env, obj, name, &v));
  NAPI_CALL_RETURN_FALSE(env, napi_typeof(env, v, &t));
  if (t == napi_undefined)
    return true;
  if (t != napi_number) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "The \"options.%s\" property must be of type number", name);
    return false;
  }
  NAPI_CALL_RETURN_FALSE(env, napi_get_value_double(env, v, &d));
  if (!(d >= min && d <= max) || d != (double)(uint32_t)d ||
      ((uint32_t)d & ((uint32_t)d - 1)) != 0) {
    addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_BAD_OPTION",
                "The \"options.%s\" property must be a power of two, at "
                "least %u (the minimum) and at most %u; received %s",
                name, min, max, addon_fmt_number(d, shown, sizeof shown));
    return false;
  }
  *out = (uint32_t)d;
  return true;
}

/* ---- storeOpen(options, decoder, arrayBuffer) ---------------------------- */

napi_value addon_store_open_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], handle, name;
  napi_valuetype t;
  evs_store_config_t cfg;
  addon_env_t *aenv;
  addon_store_t *s = NULL;
  void *ab_data = NULL;
  size_t ab_len = 0;
  bool is_ab = false;
  int rc;

  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "storeOpen(options, decoder, arrayBuffer)");
  aenv = addon_env_get(env);
  if (aenv == NULL)
    return NULL;
  if (aenv->tearing_down)
    return addon_throw(env, ADDON_ERROR, "ERR_EVS_CLOSED",
                       "the environment is shutting down");

  memset(&cfg, 0, sizeof cfg);
  NAPI_CALL(env, napi_typeof(env, argv[0], &t));
  if (t == napi_object) {
    napi_value ov;
    bool has = false;
    if (!addon_get_pow2_opt(env, argv[0], "queueSlots", 2u, 1u << 24,
                            &cfg.queue_slots) ||
        !addon_get_pow2_opt(env, argv[0], "valueRingBytes", 4096u, 1u << 30,
                            &cfg.value_ring_bytes))
      return NULL;
    NAPI_CALL(env, napi_has_named_property(env, argv[0], "overflow", &has));
    if (has) {
      char pol[16];
      size_t n = 0;
      NAPI_CALL(env, napi_get_named_property(env, argv[0], "overflow", &ov));
      NAPI_CALL(env, napi_typeof(env, ov, &t));
      if (t == napi_string) {
        NAPI_CALL(env,
                  napi_get_value_string_utf8(env, ov, pol, sizeof pol, &n));
        /* By length too: 'block\0x' must not pass as 'block'. */
        if (n == 5 && memcmp(pol, "block", 5) == 0)
          cfg.overflow = EVS_OVERFLOW_BLOCK;
        else if (n == 4 && memcmp(pol, "drop", 4) == 0)
          cfg.overflow = EVS_OVERFLOW_DROP;
        else {
          char shown[ADDON_ESCAPED_MAX];
          addon_escape_js_string(env, ov, shown, sizeof shown);
          return addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_BAD_OPTION",
                             "The \"options.overflow\" property must be "
                             "'block' or 'drop'; received '%s'",
                             shown);
        }
      } else if (t != napi_undefined) {
        return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                           "The \"options.overflow\" property must be of "
                           "type string");
      }
    }
  } else if (t != napi_undefined) {
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "The \"options\" argument must be of type object");
  }
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
  cfg.on_drained_user = s;
  rc = evs_store_open(&cfg, &s->core);
  if (rc != EVS_OK) {
    addon_store_free(s);
    return addon_throw_core(env, rc, "new Store()");
  }
  s->open = true;
  atomic_fetch_add(&addon_count_stores, 1);
  /* From here on, failures unwind through addon_store_close(). */
  s->prev = NULL;
  s->next = aenv->stores;
  if (aenv->stores != NULL)
    aenv->stores->prev = s;
  aenv->stores = s;

  NAPI_CALL_GOTO(
      env,
      napi_create_string_utf8(env, "evstore.delivery", NAPI_AUTO_LENGTH, &name),
      fail);
  NAPI_CALL_GOTO(env,
                 napi_create_threadsafe_function(
                     env, argv[1], NULL, name, 0, 1, s, addon_tsfn_finalize, s,
                     addon_delivery_call_js, &s->delivery.tsfn),
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
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                "expected a store handle");
    return NULL;
  }
  return addon_store_from(env, argv[0], false);
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
  size_t argc = need;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < need) {
    addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE", "%s", usage);
    return NULL;
  }
  addon_store_t *s = addon_store_from(env, argv[0], true);
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

napi_value addon_throw_bad_pattern(napi_env env, const char *what,
                                   napi_value v) {
  char shown[ADDON_ESCAPED_MAX];
  addon_escape_js_string(env, v, shown, sizeof shown);
  return addon_throw(
      env, ADDON_RANGE_ERROR, "ERR_EVS_BAD_PATTERN",
      "The \"%s\" argument '%s' is malformed: it must start with '/', have "
      "no empty segment and no NUL, use '*' only as a whole segment and '**' "
      "only as the last one, and be at most %d bytes",
      what, shown, EVS_PATH_MAX);
}

/* ---- storeSet(h, path, value, kind) ---------------------------------------
 */

napi_value addon_store_set_js(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  char path[ADDON_PATH_BUF];
  size_t path_len;
  uint32_t kind;
  const uint8_t *bytes;
  size_t len;
  int rc;

  addon_store_t *s =
      addon_path_args(env, info, 4, "storeSet(handle, path, value, kind)", argv,
                      path, &path_len);
  if (s == NULL)
    return NULL;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[3], &kind));
  if (!addon_encode_value(env, s, argv[2], kind, &bytes, &len))
    return NULL;
  addon_js_enter(&s->delivery);
  rc = evs_store_set(s->core, path, path_len, bytes, len);
  addon_js_leave(&s->delivery);
  if (rc != EVS_OK)
    return addon_throw_path_op(env, rc, "set", argv[1]);
  return NULL;
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

/* ---- storeSubscribe(h, pattern, slot, gen) --------------------------------
 */

#define ADDON_MAX_SLOTS (1u << 24)

napi_value addon_store_subscribe_js(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  addon_store_t *s;
  char pattern[ADDON_PATH_BUF];
  size_t pattern_len;
  uint32_t slot, gen;
  addon_sub_t *sub;
  int rc;

  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "storeSubscribe(handle, pattern, slot, gen)");
  s = addon_store_from(env, argv[0], true);
  if (s == NULL ||
      !addon_get_path(env, argv[1], "pattern", "ERR_EVS_BAD_PATTERN", pattern,
                      &pattern_len))
    return NULL;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[2], &slot));
  NAPI_CALL(env, napi_get_value_uint32(env, argv[3], &gen));
  if (slot >= ADDON_MAX_SLOTS)
    return addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_TOO_MANY",
                       "too many subscriptions on one store (limit %u)",
                       ADDON_MAX_SLOTS);
  if (slot >= s->subs_cap) {
    uint32_t cap = s->subs_cap ? s->subs_cap : 16;
    addon_sub_t **p;
    while (cap <= slot)
      cap *= 2;
    p = realloc(s->subs, cap * sizeof *p);
    if (p == NULL)
      return addon_throw_core(env, EVS_ENOMEM, "watch().subscribe()");
    memset(p + s->subs_cap, 0, (cap - s->subs_cap) * sizeof *p);
    s->subs = p;
    s->subs_cap = cap;
  }
  if (s->subs[slot] != NULL)
    return addon_throw(env, ADDON_ERROR, "ERR_EVS_INTERNAL",
                       "subscription slot %u is in use", slot);
  sub = malloc(sizeof *sub);
  if (sub == NULL)
    return addon_throw_core(env, EVS_ENOMEM, "watch().subscribe()");
  sub->store = s;
  sub->slot = slot;
  sub->gen = gen;
  sub->core_id = 0;
  addon_js_enter(&s->delivery);
  rc = evs_store_subscribe(s->core, pattern, pattern_len,
                           addon_delivery_listener, sub, &sub->core_id);
  addon_js_leave(&s->delivery);
  if (rc != EVS_OK) {
    char shown[ADDON_ESCAPED_MAX];
    char what[ADDON_ESCAPED_MAX + 32];
    free(sub);
    if (rc == EVS_EPATTERN || rc == EVS_EPATH)
      return addon_throw_bad_pattern(env, "pattern", argv[1]);
    addon_escape_js_string(env, argv[1], shown, sizeof shown);
    snprintf(what, sizeof what, "watch('%s').subscribe()", shown);
    return addon_throw_core(env, rc, what);
  }
  s->subs[slot] = sub;
  atomic_fetch_add(&addon_count_subscriptions, 1);
  if (s->active_subs++ == 0 && !s->tsfn_refed) {
    /* Active subscriptions keep the event loop alive, as listeners on a
     * socket do. */
    if (napi_ref_threadsafe_function(env, s->delivery.tsfn) == napi_ok)
      s->tsfn_refed = true;
  }
  return NULL;
}

/* ---- storeUnsubscribe(h, slot, gen) -> boolean ----------------------------
 */

napi_value addon_store_unsubscribe_js(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  addon_store_t *s;
  uint32_t slot, gen;
  addon_sub_t *sub;
  bool removed = false;

  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "storeUnsubscribe(handle, slot, gen)");
  s = addon_store_from(env, argv[0], false);
  if (s == NULL)
    return NULL;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[1], &slot));
  NAPI_CALL(env, napi_get_value_uint32(env, argv[2], &gen));
  if (s->open && slot < s->subs_cap && s->subs[slot] != NULL &&
      s->subs[slot]->gen == gen) {
    sub = s->subs[slot];
    addon_js_enter(&s->delivery);
    /* After this returns the listener never runs again for `sub`. */
    evs_store_unsubscribe(s->core, sub->core_id);
    addon_js_leave(&s->delivery);
    s->subs[slot] = NULL;
    free(sub);
    atomic_fetch_sub(&addon_count_subscriptions, 1);
    removed = true;
    if (--s->active_subs == 0 && s->tsfn_refed) {
      if (napi_unref_threadsafe_function(env, s->delivery.tsfn) == napi_ok)
        s->tsfn_refed = false;
    }
  }
  NAPI_CALL(env, napi_get_boolean(env, removed, &result));
  return result;
}

/* ---- storeStats(h) ----------------------------------------------------------
 */

napi_value addon_store_stats_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj;
  addon_store_t *s;
  evs_queue_stats_t st;
  int rc;

  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "storeStats(handle)");
  s = addon_store_from(env, argv[0], true);
  if (s == NULL)
    return NULL;
  addon_js_enter(&s->delivery);
  rc = evs_store_queue_stats(s->core, &st);
  addon_js_leave(&s->delivery);
  if (rc != EVS_OK)
    return addon_throw_core(env, rc, "getEventQueueStats()");
  NAPI_CALL(env, napi_create_object(env, &obj));
  pthread_mutex_lock(&s->delivery.mu);
  st.dropped += s->delivery.enomem_drops;
  pthread_mutex_unlock(&s->delivery.mu);
  if (!addon_set_u64(env, obj, "pending", st.pending) ||
      !addon_set_u64(env, obj, "processed", st.processed) ||
      !addon_set_u64(env, obj, "dropped", st.dropped) ||
      !addon_set_u64(env, obj, "highWater", st.high_water) ||
      !addon_set_u64(env, obj, "slotWraps", st.slot_wraps) ||
      !addon_set_u64(env, obj, "valueWraps", st.value_wraps) ||
      !addon_set_u64(env, obj, "valueBytesInUse", st.value_bytes_in_use))
    return NULL;
  return obj;
}

/* ---- patternValidate(pattern): throws like subscribe would ----------------
 */

napi_value addon_pattern_validate_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char pattern[ADDON_PATH_BUF];
  size_t pattern_len;
  int rc;

  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1)
    return addon_throw(env, ADDON_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
                       "The \"pattern\" argument must be of type string");
  if (!addon_get_path(env, argv[0], "pattern", "ERR_EVS_BAD_PATTERN", pattern,
                      &pattern_len))
    return NULL;
  rc = evs_pattern_validate(pattern, pattern_len);
  if (rc == EVS_EPATTERN || rc == EVS_EPATH)
    return addon_throw_bad_pattern(env, "pattern", argv[0]);
  if (rc != EVS_OK)
    return addon_throw_core(env, rc, "watch()");
  return NULL;
}
