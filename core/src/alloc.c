/* The accounted allocator. Each block carries a 16-byte header holding the
 * requested size, so frees are accounted exactly without a side table. The
 * counters are relaxed atomics: they are statistics, not synchronisation. */
#include "evstore/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_int.h"
#include "evstore/error.h"
#include "evstore/testing.h"

typedef union evs__header_u {
  size_t size;
  max_align_t align_;
} evs__header_t;

static atomic_uint_fast64_t live_bytes, live_blocks, peak_bytes, total_allocs,
    failed_allocs;
/* live_* minus the blocks released by their owner and awaiting a deferred
 * free (evs__defer): each its own single counter, so exact at any instant. */
static atomic_uint_fast64_t in_use_bytes, in_use_blocks;
static atomic_uint_fast64_t fail_countdown; /* 0 = injection off */

static void *libc_malloc(size_t size, void *ctx) {
  (void)ctx;
  return malloc(size);
}
static void libc_free(void *ptr, void *ctx) {
  (void)ctx;
  free(ptr);
}
static evs_allocator_t hook = {libc_malloc, libc_free, NULL};

evs__counts_t evs__counts;

static int should_fail(void) {
#ifdef EVS_ALLOC_FAILURES
  uint_fast64_t n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
  while (n != 0) {
    if (atomic_compare_exchange_weak_explicit(&fail_countdown, &n, n - 1,
                                              memory_order_relaxed,
                                              memory_order_relaxed))
      return n == 1;
  }
#endif
  return 0;
}

void *evs__malloc(size_t size) {
  if (size > SIZE_MAX - sizeof(evs__header_t) || should_fail()) {
    atomic_fetch_add_explicit(&failed_allocs, 1, memory_order_relaxed);
    return NULL;
  }
  evs__header_t *h = hook.malloc_fn(sizeof(*h) + size, hook.ctx);
  if (h == NULL) {
    atomic_fetch_add_explicit(&failed_allocs, 1, memory_order_relaxed);
    return NULL;
  }
  h->size = size;
  uint_fast64_t now =
      atomic_fetch_add_explicit(&live_bytes, size, memory_order_relaxed) + size;
  atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&in_use_bytes, size, memory_order_relaxed);
  atomic_fetch_add_explicit(&in_use_blocks, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&total_allocs, 1, memory_order_relaxed);
  uint_fast64_t peak = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
  while (now > peak && !atomic_compare_exchange_weak_explicit(
                           &peak_bytes, &peak, now, memory_order_relaxed,
                           memory_order_relaxed)) {
  }
  return h + 1;
}

void *evs__calloc(size_t n, size_t size) {
  if (size != 0 && n > SIZE_MAX / size)
    return NULL;
  void *p = evs__malloc(n * size);
  if (p != NULL)
    memset(p, 0, n * size);
  return p;
}

/* Moves a block into (sign 1) or out of (sign -1) the in-use counters. */
static void in_use_add(const void *ptr, int sign) {
  const evs__header_t *h = (const evs__header_t *)ptr - 1;
  if (sign > 0) {
    atomic_fetch_add_explicit(&in_use_bytes, h->size, memory_order_relaxed);
    atomic_fetch_add_explicit(&in_use_blocks, 1, memory_order_relaxed);
  } else {
    atomic_fetch_sub_explicit(&in_use_bytes, h->size, memory_order_relaxed);
    atomic_fetch_sub_explicit(&in_use_blocks, 1, memory_order_relaxed);
  }
}

static void free_live(void *ptr) {
  evs__header_t *h = (evs__header_t *)ptr - 1;
  atomic_fetch_sub_explicit(&live_bytes, h->size, memory_order_relaxed);
  atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
  hook.free_fn(h, hook.ctx);
}

void evs__free(void *ptr) {
  if (ptr == NULL)
    return;
  in_use_add(ptr, -1);
  free_live(ptr);
}

void evs__defer(void *ptr) {
  in_use_add(ptr, -1);
}

void evs__undefer(void *ptr) {
  in_use_add(ptr, 1);
}

void evs__free_deferred(void *ptr) {
  if (ptr != NULL)
    free_live(ptr);
}

char *evs__memdup0(const void *src, size_t len) {
  char *p = evs__malloc(len + 1);
  if (p == NULL)
    return NULL;
  if (len != 0)
    memcpy(p, src, len);
  p[len] = '\0';
  return p;
}

int evs_alloc_stats(evs_alloc_stats_t *out) {
  if (out == NULL)
    return EVS_EINVAL;
  out->live_bytes = atomic_load_explicit(&live_bytes, memory_order_relaxed);
  out->live_blocks = atomic_load_explicit(&live_blocks, memory_order_relaxed);
  out->peak_bytes = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
  out->total_allocs = atomic_load_explicit(&total_allocs, memory_order_relaxed);
  out->failed_allocs =
      atomic_load_explicit(&failed_allocs, memory_order_relaxed);
  out->in_use_bytes = atomic_load_explicit(&in_use_bytes, memory_order_relaxed);
  out->in_use_blocks =
      atomic_load_explicit(&in_use_blocks, memory_order_relaxed);
  return EVS_OK;
}

int evs_alloc_set_hook(const evs_allocator_t *allocator) {
  if (atomic_load(&live_blocks) != 0)
    return EVS_EBUSY;
  if (allocator == NULL) {
    hook = (evs_allocator_t){libc_malloc, libc_free, NULL};
    return EVS_OK;
  }
  if (allocator->malloc_fn == NULL || allocator->free_fn == NULL)
    return EVS_EINVAL;
  hook = *allocator;
  return EVS_OK;
}

int evs_alloc_fail_nth(uint64_t n) {
#ifdef EVS_ALLOC_FAILURES
  atomic_store(&fail_countdown, n);
  return EVS_OK;
#else
  (void)n;
  (void)fail_countdown;
  return EVS_ENOTSUP;
#endif
}

int evs_core_counts(evs_core_counts_t *out) {
  if (out == NULL)
    return EVS_EINVAL;
  out->stores = atomic_load(&evs__counts.stores);
  out->open_stores = atomic_load(&evs__counts.open_stores);
  out->subscriptions = atomic_load(&evs__counts.subscriptions);
  out->workers = atomic_load(&evs__counts.workers);
  out->threads = atomic_load(&evs__counts.threads);
  return EVS_OK;
}
