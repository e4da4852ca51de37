/* Private to core: the accounted allocator and small shared helpers. */
#ifndef EVSTORE_INTERNAL_H
#define EVSTORE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evstore/queue.h"
#include "evstore/store.h"
#include "evstore/testing.h"

/* Every core allocation goes through these; sizes are accounted exactly. */
void *evs__malloc(size_t size);
void *evs__calloc(size_t n, size_t size);
void evs__free(void *ptr);
/* Copies len bytes and appends a NUL; NULL on failure. */
char *evs__memdup0(const void *src, size_t len);

/* Process-wide object counters behind evs_core_counts(). */
typedef struct evs__counts_s {
  atomic_uint_fast64_t stores;
  atomic_uint_fast64_t open_stores;
  atomic_uint_fast64_t subscriptions;
  atomic_uint_fast64_t workers;
  atomic_uint_fast64_t threads;
} evs__counts_t;
extern evs__counts_t evs__counts;

#define EVS__INC(c)                                                            \
  atomic_fetch_add_explicit(&evs__counts.c, 1, memory_order_relaxed)
#define EVS__DEC(c)                                                            \
  atomic_fetch_sub_explicit(&evs__counts.c, 1, memory_order_relaxed)

/* Queue internals for tests (queue.c). The sleeping handshake's fence pair:
 * asymmetric (compiler barrier + membarrier) when the kernel allows it, else
 * seq_cst fences on both sides; tests switch a new queue to the latter to
 * cover both, or make heavy fences fail to cover the switch between them.
 * Call before the queue is shared. */
void evs__queue_use_symmetric_fences(evs_queue_t *q);
bool evs__queue_asymmetric_fences(evs_queue_t *q);
/* Makes the next n heavy fences fail as a failed membarrier would. */
void evs__queue_fail_heavy_fences(evs_queue_t *q, unsigned n);

/* True while the store is open (not closing or closed). Any thread. */
bool evs__store_is_open(evs_store_t *s);

#endif
