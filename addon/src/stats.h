/* Private to the addon: process-wide counts of live addon handles over every
 * environment, and nativeStats(), which reports them with the core's
 * allocation counters. The counters are atomics: any thread may update or
 * read them (in practice every JS thread of the process). */
#ifndef ADDON_STATS_H
#define ADDON_STATS_H

#include <node_api.h>
#include <stdatomic.h>

extern atomic_long addon_count_stores;        /* stores open */
extern atomic_long addon_count_subscriptions; /* native subscriptions alive */
extern atomic_long addon_count_tsfns;         /* tsfns created, not released */
extern atomic_long addon_count_workers;       /* core workers alive */

/* nativeStats() -> {liveBytes, liveBlocks, peakBytes, stores, subscriptions,
 * tsfns, workers, threads, mallocInUse}: a new object. JS thread; throws
 * through NAPI_CALL only if the object cannot be built. */
napi_value addon_native_stats_js(napi_env env, napi_callback_info info);

#endif
