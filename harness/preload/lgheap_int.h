/* Private to liblgheap.so (lgheap*.c, see lgheap.h): what its pieces
 * share. Every name declared here is hidden (LG_HIDDEN, besides the
 * library's -fvisibility=hidden): the library exports the malloc family and
 * lg_heap_read, nothing else.
 *   lgheap.c         the interposer: bootstrap, block headers, the malloc
 *                    family and its exported aliases
 *   lgheap_stripes.c the published page and its per-thread stripes, the
 *                    sanitizer hooks, the mode decision (the constructor)
 *                    and lg_heap_read
 *   lgheap_sites.c   sampled allocation sites (lgheap.h, "Allocation
 *                    sites")
 * The rules of lgheap.c's opening comment hold in all of them: nothing on
 * the hot path locks, allocates or makes a system call; thread-locals are
 * initial-exec (no __tls_get_addr). */
#ifndef LG_HEAP_INT_H
#define LG_HEAP_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "lgheap.h"

#define LG_EXPORT __attribute__((visibility("default")))
#define LG_LIKELY(x) __builtin_expect(!!(x), 1)
#define LG_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LG_HIDDEN __attribute__((visibility("hidden")))

/* 16 bytes before the header of a sampled block (its offset is then at
 * least 16): the site it is charged to and the weight of its draw, from
 * which the charge is recomputed, identically, when it comes off. */
typedef struct lg_heap_side_s {
  uint32_t site; /* index + 1 in the site table; 0: not charged */
  uint32_t pad;
  double weight; /* 1 / probability of the draw that sampled it */
} lg_heap_side_t;

/* ---- lgheap_stripes.c ---- */

/* The published page (lgheap.h), in .data where probe.js finds it. */
extern LG_HIDDEN lg_heap_pub_t lg_heap_pub;
/* The calling thread's stripe (index + 1), 0 before its first count. */
extern LG_HIDDEN _Thread_local uint32_t lg_heap_slot
    __attribute__((tls_model("initial-exec")));
/* First call on a thread: claims a stripe (see there). */
LG_HIDDEN uint32_t lg_heap_claim(void);

static inline void lg_heap_count(int64_t bytes, int64_t blocks) {
  uint32_t s = lg_heap_slot;
  if (LG_UNLIKELY(s == 0))
    s = lg_heap_claim();
  lg_heap_stripe_t *st = &lg_heap_pub.stripes[s - 1];
  if (LG_LIKELY(s <= LG_HEAP_OWNED)) {
    /* Single writer: plain load/add/store. The stores are atomic (aligned
     * 64-bit), so a reader on another thread never sees a torn value. */
    __atomic_store_n(&st->bytes,
                     __atomic_load_n(&st->bytes, __ATOMIC_RELAXED) + bytes,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&st->blocks,
                     __atomic_load_n(&st->blocks, __ATOMIC_RELAXED) + blocks,
                     __ATOMIC_RELAXED);
  } else {
    __atomic_fetch_add(&st->bytes, bytes, __ATOMIC_RELAXED);
    __atomic_fetch_add(&st->blocks, blocks, __ATOMIC_RELAXED);
  }
}

/* ---- lgheap_sites.c ---- */

enum { LG_SITES_OFF = 0, LG_SITES_ON = 1, LG_SITES_UNDECIDED = 2 };
/* Whether this process samples (LG_SITES_*; decided by the constructor). */
extern LG_HIDDEN atomic_int lg_sites_state;
/* Bytes this thread may still allocate before its next sample. */
extern LG_HIDDEN _Thread_local int64_t lg_sample_left
    __attribute__((tls_model("initial-exec")));
/* lg_sample_left went negative: is this allocation the sample? */
LG_HIDDEN int lg_heap_sample_due(const void *caller);
/* Charges a sampled block to the current stack / takes its charge off. */
LG_HIDDEN void lg_site_charge(lg_heap_side_t *sd, size_t size);
LG_HIDDEN void lg_site_discharge(lg_heap_side_t *sd, size_t size);
/* Creates and maps this process's site table (the constructor only). */
LG_HIDDEN void lg_sites_init(void);

#endif
