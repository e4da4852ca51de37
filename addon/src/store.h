/* Private to the addon: the Store binding (store.c). A store wraps one core
 * evs_store_t, its delivery (delivery.h) and its native subscriptions; it is
 * opaque outside store.c.
 *
 * Dependents. Objects that must end before the store does (workers, the
 * bench writer) register an addon_dep_t with addon_store_add_dependent;
 * addon_store_close calls their callbacks, so store.c never calls the
 * modules that use it. Stages, in the order close runs them:
 *   ADDON_DEP_STAGE_FIRST   while the core store is still open (release
 *                           core objects that belong to it, e.g. workers);
 *   ADDON_DEP_STAGE_SECOND  after the core store was closed with its
 *                           undelivered events discarded, before it is
 *                           freed (stop threads that still call into it).
 * Both run inside addon_js_enter/leave of the store's delivery.
 *
 * Threads: every function here runs on the JS thread of the store's
 * environment. Lifetime: reference counted (the JS handle, the tsfn and each
 * holder that called addon_store_ref); the memory outlives close() until
 * the last reference goes. */
#ifndef ADDON_STORE_H
#define ADDON_STORE_H

#include <node_api.h>
#include <stdbool.h>

#include <evstore.h>

#include "delivery.h"
#include "deps.h"
#include "napi_util.h"

typedef struct addon_store_s addon_store_t;

/* Unwraps a store handle (borrowed). Throws TypeError ERR_INVALID_ARG_TYPE
 * "expected a store handle" and returns NULL if `v` is not one. When
 * `require_open`, throws Error ERR_EVS_CLOSED for a closed store. */
addon_store_t *addon_store_from(napi_env env, napi_value v, bool require_open);

/* The arguments of a call on a store: reads the first n into argv
 * (addon_args: fewer throw TypeError ERR_INVALID_ARG_TYPE with `usage`) and
 * unwraps argv[0] as addon_store_from(..., require_open) does. Returns the
 * store (borrowed), or NULL with an exception pending. JS thread. */
addon_store_t *addon_store_args(napi_env env, napi_callback_info info, size_t n,
                                napi_value *argv, const char *usage,
                                bool require_open);

/* Takes and drops a reference; the last one frees the store's memory. */
void addon_store_ref(addon_store_t *s);
void addon_store_unref(addon_store_t *s);

/* Closes the store: closes its dependents (see above), closes and frees the
 * core store (discarding undelivered events), frees subscriptions and
 * batches and releases the tsfn. Idempotent; never throws. */
void addon_store_close(napi_env env, addon_store_t *s);

/* The core store (borrowed; NULL once closed) and the delivery (valid while
 * a reference is held), for calls into the core bracketed by
 * addon_js_enter/leave. */
evs_store_t *addon_store_core(addon_store_t *s);
addon_delivery_t *addon_store_delivery(addon_store_t *s);

/* Registers `dep` (memory owned by the caller, valid until it is removed or
 * closed) to be closed by `close_cb` at `stage` when the store closes. The
 * store must be open. */
void addon_store_add_dependent(addon_store_t *s, addon_dep_t *dep,
                               addon_dep_close_cb close_cb, void *data,
                               addon_dep_stage_t stage);
/* The newest dependent registered with `close_cb`, or NULL. */
addon_dep_t *addon_store_find_dependent(addon_store_t *s,
                                        addon_dep_close_cb close_cb);

/* The exported functions: storeOpen(options, decoder, arrayBuffer),
 * storeClose(h), storeIsOpen(h), storeBind(h) (the bound set functions),
 * storeSetMany(h, text, meta, bufs, n, entries, first) (setMany()'s
 * writes), storeGet(h, path), storeDelete(h, path), storeSubscribe(h, pattern,
 * slot, gen), storeUnsubscribe(h, slot, gen), storeStats(h),
 * patternValidate(p). Each throws (returns NULL with an exception pending) as
 * documented in lib/store.js; too few arguments throw TypeError
 * ERR_INVALID_ARG_TYPE naming the call's shape. */
#define ADDON_STORE_EXPORTS(X)                                                 \
  X(storeOpen, addon_store_open_js)                                            \
  X(storeClose, addon_store_close_js)                                          \
  X(storeIsOpen, addon_store_is_open_js)                                       \
  X(storeBind, addon_store_bind_js)                                            \
  X(storeSetMany, addon_store_set_many_js)                                     \
  X(storeGet, addon_store_get_js)                                              \
  X(storeDelete, addon_store_delete_js)                                        \
  X(storeSubscribe, addon_store_subscribe_js)                                  \
  X(storeUnsubscribe, addon_store_unsubscribe_js)                              \
  X(storeStats, addon_store_stats_js)                                          \
  X(patternValidate, addon_pattern_validate_js)
ADDON_STORE_EXPORTS(ADDON_DECLARE_EXPORT)

#endif
