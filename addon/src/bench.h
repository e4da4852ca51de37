/* Private to the addon: the INTERNAL native writer for benchmarks and tests,
 * not part of the public API. `_benchWrite(store, count, paths, values,
 * threaded)` writes `count` string values cycling through `paths` and
 * `values`, on a native thread (threaded) or on the JS thread, and returns
 * the number written (undefined when threaded); `_benchJoin(store)` waits for
 * the thread and returns the number written. Its state is not part of the
 * store: it is allocated on the first write and registered as the store's
 * dependent (ADDON_DEP_STAGE_SECOND), so closing the store stops and joins a
 * running writer, then frees the state.
 *
 * Threads: both functions run on the JS thread; the writer thread only calls
 * evs_store_set on the store's core. */
#ifndef ADDON_BENCH_H
#define ADDON_BENCH_H

#include <node_api.h>

napi_value addon_bench_write_js(napi_env env, napi_callback_info info);
napi_value addon_bench_join_js(napi_env env, napi_callback_info info);

#endif
