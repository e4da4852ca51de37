/* Private to the addon: the two well-known entry points of a Node-API
 * module, for evstore.node (module.c) and the bench peer addon
 * (bench/peers.c). Macros only, so a module that links nothing of the addon
 * can use it. node_api.h's NAPI_MODULE_INIT() does not declare
 * NODE_API_MODULE_GET_API_VERSION first, which -Wmissing-prototypes
 * refuses; this declares both, then defines them. */
#ifndef ADDON_MODULE_ENTRY_H
#define ADDON_MODULE_ENTRY_H

#include <node_api.h>

/* Defines the entry points of a module whose exports are filled in by
 * `napi_value init_fn(napi_env env, napi_value exports)`. Use once per
 * module, at file scope. */
#define ADDON_MODULE_ENTRY(init_fn)                                            \
  NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void);            \
  NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env,          \
                                                        napi_value exports);   \
  NAPI_MODULE_EXPORT int32_t NODE_API_MODULE_GET_API_VERSION(void) {           \
    return NAPI_VERSION;                                                       \
  }                                                                            \
  NAPI_MODULE_EXPORT napi_value NAPI_MODULE_INITIALIZER(napi_env env,          \
                                                        napi_value exports) {  \
    return init_fn(env, exports);                                              \
  }

#endif
