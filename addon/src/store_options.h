/* Private to the addon: the `options` argument of storeOpen. JS thread. */
#ifndef ADDON_STORE_OPTIONS_H
#define ADDON_STORE_OPTIONS_H

#include <node_api.h>
#include <stdbool.h>

#include <evstore.h>

/* Fills *cfg (zeroed first: the core's defaults) from `options`, undefined
 * or an object with optional queueSlots and valueRingBytes (powers of two
 * within the core's bounds) and overflow ('block' or 'drop'). Throws
 * TypeError ERR_INVALID_ARG_TYPE (a wrong type) or RangeError
 * ERR_EVS_BAD_OPTION (a value out of range) naming the option, and returns
 * false then. The caller's hooks (on_drained) are left zero. */
bool addon_store_options(napi_env env, napi_value options,
                         evs_store_config_t *cfg);

#endif
