/* Private to the addon: the per-environment state (one per main thread or
 * worker_threads Worker that loads evstore.node). It lives in the
 * environment's instance data; only that environment's JS thread touches
 * it. It is reference counted, because stores are finalised in an order
 * Node does not specify relative to the instance data: the instance data
 * holds one reference, the env cleanup hook one, and every store one. */
#ifndef ADDON_ENV_H
#define ADDON_ENV_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deps.h"

typedef struct addon_env_s {
  int refs;
  bool tearing_down; /* the env cleanup hook ran */
  /* Open stores, newest first. The env cleanup hook closes each through its
   * callback (one stage: ADDON_DEP_STAGE_FIRST). */
  addon_dep_list_t stores;
  napi_ref json_parse; /* JSON.parse, for get() of JSON values */
  uint8_t *scratch;    /* reusable value-encoding buffer */
  size_t scratch_cap;
} addon_env_t;

/* Creates the state of `env` (module load): JSON.parse reference, instance
 * data and the env cleanup hook, which closes every store still registered
 * in `stores` when the environment ends. False with an exception pending on
 * failure (nothing left behind, except after the instance data was set:
 * then Node frees the state at teardown). */
bool addon_env_install(napi_env env);

/* The state of `env`; borrowed (take a reference with addon_env_ref to keep
 * it). Throws Error ERR_EVS_NAPI and returns NULL if there is none. */
addon_env_t *addon_env_get(napi_env env);
void addon_env_ref(addon_env_t *aenv);
/* Drops a reference; the last one frees the state and its scratch. */
void addon_env_unref(addon_env_t *aenv);

/* Ensures aenv->scratch holds at least `n` bytes (owned by aenv; valid until
 * the next call). Throws (ERR_EVS_NOMEM) and returns false on allocation
 * failure, the old buffer unchanged. */
bool addon_env_scratch(napi_env env, addon_env_t *aenv, size_t n);

#endif
