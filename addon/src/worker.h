/* Private to the addon: the Worker binding (pull model) and the raw status
 * handle (the manual one-way handoff of a C string). A worker depends on its
 * store: it holds a store reference and registers itself as the store's
 * dependent (ADDON_DEP_STAGE_FIRST), so closing the store releases the core
 * worker without store.c knowing of workers.
 *
 * Threads: JS thread of the store's environment only.
 *
 * The exported functions: workerBootstrap(store, namespace, capacity),
 * workerStatus(w), workerPoll(w, max) -> ArrayBuffer of step records
 * (wire.h) or undefined, workerComplete(w, id, error | null), workerStop(w),
 * workerStatusRaw(w) -> raw handle, rawRead(raw), rawFree(raw). Each throws
 * (returns NULL with an exception pending) as documented in lib/worker.js;
 * too few arguments throw TypeError ERR_INVALID_ARG_TYPE naming the call's
 * shape. A worker handle's native state is freed by its finaliser; the raw
 * string is freed by rawFree or, if forgotten, by the raw handle's
 * finaliser. */
#ifndef ADDON_WORKER_H
#define ADDON_WORKER_H

#include <node_api.h>

#include "napi_util.h"

#define ADDON_WORKER_EXPORTS(X)                                                \
  X(workerBootstrap, addon_worker_bootstrap_js)                                \
  X(workerStatus, addon_worker_status_js)                                      \
  X(workerPoll, addon_worker_poll_js)                                          \
  X(workerComplete, addon_worker_complete_js)                                  \
  X(workerStop, addon_worker_stop_js)                                          \
  X(workerStatusRaw, addon_worker_status_raw_js)                               \
  X(rawRead, addon_raw_read_js)                                                \
  X(rawFree, addon_raw_free_js)
ADDON_WORKER_EXPORTS(ADDON_DECLARE_EXPORT)

#endif
