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

/* Blocks in use (allocated and not released by their owner) and blocks
 * released but awaiting a deferred free (evs__defer); live = the sum. Every
 * allocation and free touches only the in-use pair, so each in-use counter
 * is one atomic, exact at any instant; the deferred pair moves only on the
 * rare deferral path. */
static atomic_uint_fast64_t in_use_bytes, in_use_blocks, deferred_bytes,
    deferred_blocks, peak_bytes, total_allocs, failed_allocs;
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
      atomic_fetch_add_explicit(&in_use_bytes, size, memory_order_relaxed) +
      size + atomic_load_explicit(&deferred_bytes, memory_order_relaxed);
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

/* Moves a block's size and count from one counter pair to another (either
 * may be NULL: the block enters or leaves the accounting). */
static void move_block(const void *ptr, atomic_uint_fast64_t *from_bytes,
                       atomic_uint_fast64_t *from_blocks,
                       atomic_uint_fast64_t *to_bytes,
                       atomic_uint_fast64_t *to_blocks) {
  size_t size = ((const evs__header_t *)ptr - 1)->size;
  if (from_bytes) {
    atomic_fetch_sub_explicit(from_bytes, size, memory_order_relaxed);
    atomic_fetch_sub_explicit(from_blocks, 1, memory_order_relaxed);
  }
  if (to_bytes) {
    atomic_fetch_add_explicit(to_bytes, size, memory_order_relaxed);
    atomic_fetch_add_explicit(to_blocks, 1, memory_order_relaxed);
  }
}

void evs__free(void *ptr) {
  if (ptr == NULL)
    return;
  move_block(ptr, &in_use_bytes, &in_use_blocks, NULL, NULL);
  hook.free_fn((evs__header_t *)ptr - 1, hook.ctx);
}

void evs__defer(void *ptr) {
  move_block(ptr, &in_use_bytes, &in_use_blocks, &deferred_bytes,
             &deferred_blocks);
}

void evs__undefer(void *ptr) {
  move_block(ptr, &deferred_bytes, &deferred_blocks, &in_use_bytes,
             &in_use_blocks);
}

void evs__free_deferred(void *ptr) {
  if (ptr == NULL)
    return;
  move_block(ptr, &deferred_bytes, &deferred_blocks, NULL, NULL);
  hook.free_fn((evs__header_t *)ptr - 1, hook.ctx);
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
  out->in_use_bytes = atomic_load_explicit(&in_use_bytes, memory_order_relaxed);
  out->in_use_blocks =
      atomic_load_explicit(&in_use_blocks, memory_order_relaxed);
  out->live_bytes = out->in_use_bytes +
                    atomic_load_explicit(&deferred_bytes, memory_order_relaxed);
  out->live_blocks =
      out->in_use_blocks +
      atomic_load_explicit(&deferred_blocks, memory_order_relaxed);
  out->peak_bytes = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
  out->total_allocs = atomic_load_explicit(&total_allocs, memory_order_relaxed);
  out->failed_allocs =
      atomic_load_explicit(&failed_allocs, memory_order_relaxed);
  return EVS_OK;
}

int evs_alloc_set_hook(const evs_allocator_t *allocator) {
  if (atomic_load(&in_use_blocks) + atomic_load(&deferred_blocks) != 0)
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
