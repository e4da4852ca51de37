/* Private to core: the accounted allocator (alloc.c) and the process-wide
 * object counters behind evs_core_counts(). */
#ifndef EVSTORE_ALLOC_INT_H
#define EVSTORE_ALLOC_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Every core allocation goes through these; sizes are accounted exactly. */
void *evs__malloc(size_t size);
void *evs__calloc(size_t n, size_t size);
void evs__free(void *ptr);
/* Deferred frees. A block its owner has released but another thread must
 * free later (a subscription removed while its dispatcher walks the list)
 * leaves the in-use counters at evs__defer, and stays in the live ones until
 * evs__free_deferred frees it. evs__undefer puts a deferred block back in
 * use (a planted defect that never frees it: then it counts as held). Each
 * block: evs__defer at most once, then exactly one of evs__free_deferred or
 * evs__undefer (then evs__free as usual, or never). */
void evs__defer(void *ptr);
void evs__undefer(void *ptr);
void evs__free_deferred(void *ptr);
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

#endif
