/* Process-wide counters of live addon handles and nativeStats() (stats.h). */
#include <malloc.h>
#include <string.h>

#include <evstore.h>
#include <evstore/testing.h>

#include "napi_util.h"
#include "stats.h"

atomic_long addon_count_stores;
atomic_long addon_count_subscriptions;
atomic_long addon_count_tsfns;
atomic_long addon_count_workers;

/* Present when a sanitizer runtime is loaded (glibc's mallinfo2 sees nothing
 * of the sanitizer's allocator then). */
extern size_t __sanitizer_get_current_allocated_bytes(void)
    __attribute__((weak));

static uint64_t addon_malloc_in_use(void) {
  if (__sanitizer_get_current_allocated_bytes != NULL)
    return __sanitizer_get_current_allocated_bytes();
  return mallinfo2().uordblks;
}

napi_value addon_native_stats_js(napi_env env, napi_callback_info info) {
  napi_value obj;
  evs_alloc_stats_t as;
  evs_core_counts_t cc;
  (void)info;

  if (evs_alloc_stats(&as) != EVS_OK)
    memset(&as, 0, sizeof as);
  if (evs_core_counts(&cc) != EVS_OK)
    memset(&cc, 0, sizeof cc);
  NAPI_CALL(env, napi_create_object(env, &obj));
  /* In use (alloc.h): exact whenever the dispatcher frees what a removed
   * subscription left it. */
  if (!addon_set_u64(env, obj, "liveBytes", as.in_use_bytes) ||
      !addon_set_u64(env, obj, "liveBlocks", as.in_use_blocks) ||
      !addon_set_u64(env, obj, "peakBytes", as.peak_bytes) ||
      !addon_set_u64(env, obj, "stores",
                     (uint64_t)atomic_load(&addon_count_stores)) ||
      !addon_set_u64(env, obj, "subscriptions",
                     (uint64_t)atomic_load(&addon_count_subscriptions)) ||
      !addon_set_u64(env, obj, "tsfns",
                     (uint64_t)atomic_load(&addon_count_tsfns)) ||
      !addon_set_u64(env, obj, "workers",
                     (uint64_t)atomic_load(&addon_count_workers)) ||
      !addon_set_u64(env, obj, "threads", cc.threads) ||
      !addon_set_u64(env, obj, "mallocInUse", addon_malloc_in_use()))
    return NULL;
  return obj;
}
