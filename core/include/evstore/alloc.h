/* evstore accounting: every core allocation goes through one allocator
 * interface that keeps exact counters and can be replaced or made to fail;
 * the core also counts the objects it has open (evs_core_counts). */
#ifndef EVSTORE_ALLOC_H
#define EVSTORE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A snapshot of the core's allocation counters. Bytes are the sizes the core
 * asked for (excluding the allocator's own per-block header). */
typedef struct evs_alloc_stats_s {
  uint64_t live_bytes;   /* bytes currently allocated by the core */
  uint64_t live_blocks;  /* blocks currently allocated by the core */
  uint64_t peak_bytes;   /* highest live_bytes seen since process start */
  uint64_t total_allocs; /* successful allocations since process start */
  uint64_t
      failed_allocs; /* allocations that returned NULL (real or injected) */
  /* live_bytes and live_blocks minus the blocks already released by their
   * owner that a dispatcher thread frees later (a subscription removed
   * while its store's dispatcher walks the list is freed by the dispatcher
   * before its next event, or when it goes idle). Unlike live_*, these do
   * not depend on when that thread runs, so they are the exact figures a
   * leak check compares; each is one counter, exact at any instant. */
  uint64_t in_use_bytes;
  uint64_t in_use_blocks;
} evs_alloc_stats_t;

/* Fills *out with the current counters. Any thread; the fields are read one by
 * one, so a snapshot taken while other threads allocate is only approximately
 * consistent. Returns EVS_OK, or EVS_EINVAL if out is NULL. */
int evs_alloc_stats(evs_alloc_stats_t *out);

/* The underlying allocator the core uses (default: libc malloc/free). */
typedef struct evs_allocator_s {
  void *(*malloc_fn)(size_t size, void *ctx);
  void (*free_fn)(void *ptr, void *ctx);
  void *ctx;
} evs_allocator_t;

/* Replaces the underlying allocator; NULL restores libc. The struct is copied.
 * Only allowed while the core holds no live blocks (call it before opening any
 * store): returns EVS_EBUSY otherwise, and the hook is unchanged. Not
 * thread-safe against concurrent core allocations. */
int evs_alloc_set_hook(const evs_allocator_t *allocator);

/* Process-wide object counts of the core, for leak checks: each returns to
 * its earlier value when everything opened since has been closed and freed. */
typedef struct evs_core_counts_s {
  uint64_t stores;        /* store handles allocated and not yet freed */
  uint64_t open_stores;   /* stores open (not yet closed) */
  uint64_t subscriptions; /* live subscriptions over all stores */
  uint64_t workers;       /* worker handles not yet freed */
  uint64_t threads;       /* dispatcher threads started and not yet joined */
} evs_core_counts_t;

/* Fills *out. Any thread. Returns EVS_OK or EVS_EINVAL. */
int evs_core_counts(evs_core_counts_t *out);

/* Allocation-failure injection (evs_alloc_fail_nth) is a test control:
 * evstore/testing.h. */

#ifdef __cplusplus
}
#endif
#endif
