/* Private to the addon: the exports of evstore.node, filled in by module.c.
 * entry.c makes them the entry point of evstore.node; the bench-only module
 * evstore_bench.node (bench/writer.c) calls addon_module_init too, then adds
 * its internal native writer.
 *
 * Threads: both functions run on the JS thread of the environment being
 * initialised. */
#ifndef ADDON_MODULE_H
#define ADDON_MODULE_H

#include <stdbool.h>
#include <stddef.h>

#include <node_api.h>

/* One exported function: exports[name] = fn. */
typedef struct addon_export_s {
  const char *name; /* static string */
  napi_callback fn;
} addon_export_t;

#define ADDON_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* exports[name] = a new function, for each of the n rows of `fns`.
 * Returns false with a JS exception pending if Node-API fails. */
bool addon_export_fns(napi_env env, napi_value exports,
                      const addon_export_t *fns, size_t n);

/* Registers the fault points (EVS_FAULT), installs the per-environment state
 * (env.c) and fills `exports`: every binding's functions, the wire table
 * (`wire`) and the constants. Returns `exports`, or NULL with a JS exception
 * pending (an unknown EVS_FAULT name, EVS_FAULT in a build without fault
 * points, or a Node-API failure). */
napi_value addon_module_init(napi_env env, napi_value exports);

#endif
