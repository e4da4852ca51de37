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

napi_value addon_worker_bootstrap_js(napi_env env, napi_callback_info info);
napi_value addon_worker_status_js(napi_env env, napi_callback_info info);
napi_value addon_worker_poll_js(napi_env env, napi_callback_info info);
napi_value addon_worker_complete_js(napi_env env, napi_callback_info info);
napi_value addon_worker_stop_js(napi_env env, napi_callback_info info);
napi_value addon_worker_status_raw_js(napi_env env, napi_callback_info info);
napi_value addon_raw_read_js(napi_env env, napi_callback_info info);
napi_value addon_raw_free_js(napi_env env, napi_callback_info info);

#endif
