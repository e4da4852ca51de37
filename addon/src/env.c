/* The per-environment state (env.h): instance data, env cleanup hook that
 * closes every store still open when the environment ends, the value
 * scratch buffer. JS thread of the environment only. */
#include <stdlib.h>

#include <evstore.h>

#include "env.h"
#include "napi_util.h"

typedef struct addon_env_holder_s {
  addon_env_t aenv;
  napi_env env;
} addon_env_holder_t;

addon_env_t *addon_env_get(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok || data == NULL) {
    addon_throw(env, ADDON_ERROR, "ERR_EVS_NAPI",
                "evstore: no per-environment state");
    return NULL;
  }
  return data;
}

void addon_env_ref(addon_env_t *aenv) {
  aenv->refs++;
}

void addon_env_unref(addon_env_t *aenv) {
  if (--aenv->refs == 0) {
    free(aenv->scratch);
    free(aenv); /* the holder: aenv is its first member */
  }
}

bool addon_env_scratch(napi_env env, addon_env_t *aenv, size_t n) {
  uint8_t *p;
  size_t cap;
  if (aenv->scratch_cap >= n)
    return true;
  cap = aenv->scratch_cap ? aenv->scratch_cap : 4096;
  while (cap < n)
    cap *= 2;
  p = realloc(aenv->scratch, cap);
  if (p == NULL) {
    addon_throw_core(env, EVS_ENOMEM, "encoding a value");
    return false;
  }
  aenv->scratch = p;
  aenv->scratch_cap = cap;
  return true;
}

/* Runs when the environment ends (process exit, worker_threads terminate)
 * before Node finalises references: closes what is still open. */
static void addon_env_cleanup(void *arg) {
  addon_env_holder_t *h = arg;
  addon_env_t *aenv = &h->aenv;
  aenv->tearing_down = true;
  addon_dep_close_stage(h->env, &aenv->stores, ADDON_DEP_STAGE_FIRST);
  if (aenv->json_parse != NULL) {
    napi_delete_reference(h->env, aenv->json_parse);
    aenv->json_parse = NULL;
  }
  /* Trim what a large value left in the scratch buffer. */
  free(aenv->scratch);
  aenv->scratch = NULL;
  aenv->scratch_cap = 0;
  addon_env_unref(aenv);
}

static void addon_env_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  addon_env_unref(data);
}

bool addon_env_install(napi_env env) {
  addon_env_holder_t *h;
  napi_value global, json, parse;

  h = calloc(1, sizeof *h);
  if (h == NULL) {
    addon_throw_core(env, EVS_ENOMEM, "loading evstore.node");
    return false;
  }
  h->env = env;
  h->aenv.refs = 1; /* the instance data */
  NAPI_CALL_GOTO(env, napi_get_global(env, &global), fail);
  NAPI_CALL_GOTO(env, napi_get_named_property(env, global, "JSON", &json),
                 fail);
  NAPI_CALL_GOTO(env, napi_get_named_property(env, json, "parse", &parse),
                 fail);
  NAPI_CALL_GOTO(env, napi_create_reference(env, parse, 1, &h->aenv.json_parse),
                 fail);
  if (napi_set_instance_data(env, &h->aenv, addon_env_finalize, NULL) !=
      napi_ok) {
    napi_delete_reference(env, h->aenv.json_parse);
    addon_throw(env, ADDON_ERROR, "ERR_EVS_NAPI", "cannot set instance data");
    goto fail;
  }
  /* From here the instance data owns h; the hook holds a second reference. */
  if (napi_add_env_cleanup_hook(env, addon_env_cleanup, h) != napi_ok) {
    addon_throw(env, ADDON_ERROR, "ERR_EVS_NAPI",
                "cannot add the env cleanup hook");
    return false;
  }
  h->aenv.refs++;
  return true;

fail:
  free(h);
  return false;
}
