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
