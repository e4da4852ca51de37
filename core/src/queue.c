/* EventQueue: lock-free SPSC ring of fixed slots plus a byte ring for values.
 *
 * Roles. One producer (P) and one consumer (C) at any time. P owns p_tail,
 * p_vtail and its caches of C's indices; C owns c_head, c_vhead and its cache
 * of P's index. The store serialises writers with its lock, so "the producer"
 * may be a different thread from one push to the next: that lock orders their
 * accesses to the producer-private fields.
 *
 * Indices are 64-bit and never wrap in practice (2^64 events); the slot index
 * is idx & mask, the value offset is pos & vmask. Invariants:
 *   head <= tail, tail - head <= slots,
 *   vhead <= vtail, vtail - vhead <= value_ring_bytes.
 *
 * Ordering. P writes a slot and its value bytes with plain stores, then
 * publishes tail with a release store. C reads tail with an acquire load, so
 * the slot and value bytes written before that release are visible to it.
 * Symmetrically C reads a slot and its value (and runs the listeners on the
 * borrowed view), then publishes vhead and head with release stores; P reads
 * them with acquire loads before reusing that space, so C's reads happen
 * before P's overwrites. C publishes vhead before head; P may see a newer
 * vhead than head, which only ever frees bytes already consumed.
 * Caches: P keeps head_cache and reloads head only when the ring looks full;
 * C keeps tail_cache and reloads tail only when the ring looks empty. A stale
 * cache only underestimates free space (P) or available items (C), never the
 * reverse, so it costs a reload, never correctness.
 * Handover counters (c_polls, c_sleeps, p_polls: statistics only) are each
 * written by their owner alone, with a relaxed load and store, and read
 * relaxed by stats(); nothing is ordered by them. p_sleeps likewise, written
 * under mu (writers waiting for space may be several).
 * Batching, consumer side. C publishes its indices every
 * EVS_QUEUE_PUBLISH_BATCH releases, when it catches up with its cached tail,
 * and always before it sleeps. It also re-reads tail in batches: when it
 * has caught up with its cached tail, peek first waits `gap` pauses and
 * only then re-reads tail, and the gap adapts to what each re-read brings
 * (evs__gap_adapt: it grows while re-reads bring 2 to EVS_QUEUE_BATCH_LOW - 1
 * events, shrinks when they bring more than EVS_QUEUE_BATCH_HIGH, ends when
 * one brings a single event, and is bounded by EVS_QUEUE_GAP_MAX pauses). Each
 * re-read that finds a new tail moves tail's line to C's core, and P's next
 * tail store must fetch it back before anything P stores after it can
 * become visible (stores leave the core in order): re-reading after every
 * event or two made each handover cost such a round trip (figures:
 * reports/bench/design-measurements.md). The gap is a delay before a load
 * that C would make anyway; it orders nothing and changes no argument here.
 * A re-read that finds nothing sends C to wait_items as before, so the gap
 * costs at most EVS_QUEUE_GAP_MAX pauses of latency per drain, never an
 * event; it also halves the gap (the producer went quiet: a sparse producer,
 * whose events wait_items finds, would otherwise leave the gap at its
 * maximum and pay it after every event). Nor does it hold up a producer waiting
 * for space: C reaches the gap only with c_head == tail_cache, which release()
 * publishes on reaching it (and peek's empty path publishes too), so head is
 * already published. Batching, producer side. P still publishes tail with every
 * push: the API has no flush point (the store pushes one event per
 * evs_store_set and returns), so an event pushed but not yet published could
 * wait forever for a next push, and the Dekker argument below needs P's tail
 * store before its read of consumer_sleeping on every push. The publication is
 * batched where it costs: a store to a line that P already holds is local, and
 * C takes the line away only once per re-read, so tail's line moves twice per
 * batch rather than twice per event.
 *
 * Sleeping (Dekker pattern, slow path only). Before sleeping C sets
 * consumer_sleeping under mu, issues the heavy fence and re-reads tail; P,
 * after publishing tail, issues the light fence and reads consumer_sleeping.
 * At least one side sees the other's store: either C sees the new item and
 * does not sleep, or P sees the flag and signals under mu, which C holds
 * until cond_wait releases it, so the signal cannot be lost. Producers
 * waiting for space use the same scheme with producers_waiting and C's
 * publication of head, with seq_cst fences on both sides (below). close()
 * sets `closed` and broadcasts both condition variables under mu.
 *
 * Asymmetric fences. Every push would otherwise pay a seq_cst fence (a full
 * store-buffer drain, which waits for the line transfers of the slot just
 * written), while the consumer's side runs only after a long idle wait. So
 * that pair is split unevenly, as in user-space RCU: the light fence is a
 * compiler barrier and the heavy fence is
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which makes every running
 * thread of the process execute a full barrier (and a thread not running has
 * passed one in the context switch). So P's store-then-load is either wholly
 * before that barrier (C's re-read sees the new tail) or its load comes after
 * it (P sees the flag). A queue uses the pair when it could register for
 * expedited membarrier at creation (Linux >= 4.14); otherwise, or once a
 * heavy fence has failed, both fences are seq_cst fences
 * (`fences.asymmetric` false; the pair is in queue_wait.c). A failed heavy
 * fence cannot vouch for the light fences before it (nor, in the C model, for a
 * push that has yet to see the switch), so from then on every sleep of C is
 * bounded (EVS_QUEUE_FALLBACK_WAIT_NS). The space pair stays symmetric: C
 * publishes once per EVS_QUEUE_PUBLISH_BATCH releases, so its fence is
 * amortised, while a producer waits for space often when the consumer is the
 * slower side, and an expedited membarrier is an inter-processor interrupt,
 * expensive when the other CPU is busy (figures:
 * reports/bench/design-measurements.md).
 *
 * Waiting before sleeping. Before that slow path each waiter polls for a
 * while, pausing and then yielding the CPU between polls (queue_wait.h; C:
 * tail with acquire loads; a waiting producer: has_space, also acquire
 * loads), so the handshake, and P's mutex + signal, are only reached when
 * the other side has stayed idle through the whole wait. The polls are the
 * fast path's own loads repeated and sched_yield() orders nothing; the
 * Dekker argument above is unchanged: P still fences and reads
 * consumer_sleeping after every publication, and C still sets it, fences and
 * re-reads tail before every cond_wait.
 *
 * Prefetching. P issues write prefetches for the slot a few pushes ahead and
 * the value bytes a few lines after the current value. They are hints with no
 * effect in the C memory model: they read and write no data, so they can
 * neither expose a half-written slot to C nor disturb a slot C is still
 * reading; at worst they move a cache line early. Their use is to keep the line
 * transfers out of P's store buffer, which a seq_cst fence (symmetric mode)
 * must drain. */
#include "evstore/queue.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "alloc_int.h"
#include "evstore/error.h"
#include "evstore/path.h"
#include "queue_int.h"
#include "queue_wait.h"

#define EVS_CACHE_LINE 64
#define EVS_QUEUE_PUBLISH_BATCH 32u
/* Values up to this size are copied inline (copy_inline), larger ones with
 * memcpy, whose vectorised loops win once the call overhead is amortised. */
#define EVS_QUEUE_INLINE_COPY 256u
/* How far ahead P prefetches for writing (push; figures:
 * reports/bench/design-measurements.md). */
#define EVS_QUEUE_PREFETCH_SLOTS 4u
#define EVS_QUEUE_PREFETCH_BYTES 256u

/* A slot is five whole cache lines, header first: a short event touches one
 * line, and the producer filling slot i+1 never writes a line the consumer
 * is reading in slot i (no false sharing between neighbours). */
typedef struct evs_slot_s {
  uint64_t seq;
  uint64_t value_pos; /* ring position (unmasked) of the value */
  uint32_t value_len;
  uint16_t path_len;
  uint8_t type;
  char path[EVS_QUEUE_PATH_BYTES];
  char pad_[5 * EVS_CACHE_LINE - 24 - EVS_QUEUE_PATH_BYTES];
} evs_slot_t;

_Static_assert(sizeof(evs_slot_t) == 5 * EVS_CACHE_LINE,
               "a slot is a whole number of cache lines");

struct evs_queue_s {
  /* Read-only after creation, but for the fences' mode, which is only ever
   * switched once to symmetric, and their test hook. */
  evs_slot_t *slots; /* slots_mem rounded up to a cache line */
  void *slots_mem;
  unsigned char *values;
  uint64_t mask, nslots, vmask, vcap;
  evs_fences_t fences; /* the sleeping handshake's fence pair */

  /* Padding instead of alignas: core allocations are 16-byte aligned, and a
   * full line of padding between groups keeps them on different cache lines
   * whatever the base alignment. */
  char pad0_[EVS_CACHE_LINE];
  /* Published by P. */
  atomic_uint_fast64_t tail;
  atomic_uint_fast64_t vtail;
  atomic_uint_fast64_t high_water;
  atomic_uint_fast64_t value_wraps;
  atomic_uint_fast64_t dropped;

  char pad1_[EVS_CACHE_LINE];
  /* Private to P (ordered by the owner's writer lock). */
  uint64_t p_tail, p_vtail;
  uint64_t head_cache, vhead_cache;
  atomic_uint_fast64_t p_polls; /* stats: re-reads of head that moved it */

  char pad2_[EVS_CACHE_LINE];
  /* Published by C. */
  atomic_uint_fast64_t head;
  atomic_uint_fast64_t vhead;

  char pad3_[EVS_CACHE_LINE];
  /* Private to C. */
  uint64_t c_head, c_vhead, tail_cache;
  uint32_t unpublished;
  uint32_t gap;  /* pauses before re-reading tail once caught up */
  bool degraded; /* a heavy fence failed: every sleep is bounded since */
  atomic_uint_fast64_t c_polls;  /* stats: re-reads of tail that moved it */
  atomic_uint_fast64_t c_sleeps; /* stats: waits on items_cv */

  char pad4_[EVS_CACHE_LINE];
  /* Slow path. */
  pthread_mutex_t mu;
  pthread_cond_t items_cv, space_cv;
  atomic_int consumer_sleeping;
  atomic_int producers_waiting;
  atomic_uint_fast64_t p_sleeps; /* stats, under mu: waits on space_cv */
  atomic_bool closed;
};

void evs__queue_use_symmetric_fences(evs_queue_t *q) {
  atomic_store(&q->fences.asymmetric, false);
}

void evs__queue_fail_heavy_fences(evs_queue_t *q, unsigned n) {
  atomic_store(&q->fences.fail_heavy, n);
}

unsigned evs__queue_gap(const evs_queue_t *q) {
  return q->gap;
}

bool evs__queue_asymmetric_fences(evs_queue_t *q) {
  return atomic_load(&q->fences.asymmetric);
}

static int is_pow2(uint64_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

int evs_queue_open(const evs_queue_config_t *cfg, evs_queue_t **out) {
  uint64_t nslots = cfg && cfg->slots ? cfg->slots : EVS_QUEUE_DEFAULT_SLOTS;
  uint64_t vcap = cfg && cfg->value_ring_bytes ? cfg->value_ring_bytes
                                               : EVS_QUEUE_DEFAULT_VALUE_RING;
  if (out == NULL)
    return EVS_EINVAL;
  if (!is_pow2(nslots) || nslots < 2 || nslots > (1u << 24) || !is_pow2(vcap) ||
      vcap < 4096 || vcap > (1u << 30))
    return EVS_ERANGE;

  int rc = EVS_ENOMEM;
  evs_queue_t *q = evs__calloc(1, sizeof(*q));
  if (q == NULL)
    return EVS_ENOMEM;
  q->slots_mem = evs__malloc(nslots * sizeof(evs_slot_t) + EVS_CACHE_LINE);
  q->values = evs__malloc(vcap);
  if (q->slots_mem == NULL || q->values == NULL)
    goto fail;
  q->slots = (evs_slot_t *)(((uintptr_t)q->slots_mem + EVS_CACHE_LINE - 1) &
                            ~(uintptr_t)(EVS_CACHE_LINE - 1));
  q->nslots = nslots;
  q->mask = nslots - 1;
  q->vcap = vcap;
  q->vmask = vcap - 1;
  if (pthread_mutex_init(&q->mu, NULL) != 0)
    goto fail;
  if (evs__cond_init_monotonic(&q->items_cv) != 0)
    goto fail_mu;
  if (pthread_cond_init(&q->space_cv, NULL) != 0)
    goto fail_items;
  evs__fences_init(&q->fences);
  *out = q;
  return EVS_OK;

fail_items:
  pthread_cond_destroy(&q->items_cv);
fail_mu:
  pthread_mutex_destroy(&q->mu);
  rc = EVS_ENOMEM;
fail:
  evs__free(q->values);
  evs__free(q->slots_mem);
  evs__free(q);
  return rc;
}

void evs_queue_free(evs_queue_t *q) {
  if (q == NULL)
    return;
  pthread_cond_destroy(&q->space_cv);
  pthread_cond_destroy(&q->items_cv);
  pthread_mutex_destroy(&q->mu);
  evs__free(q->values);
  evs__free(q->slots_mem);
  evs__free(q);
}

/* Where a value of len bytes would start if written at ring position vt, and
 * where it would end: a value that does not fit before the end of the ring
 * starts at the next multiple of vcap (the rule in queue.h). */
static uint64_t value_start(const evs_queue_t *q, uint64_t vt, size_t len) {
  uint64_t off = vt & q->vmask;
  return (len != 0 && off + len > q->vcap) ? vt + (q->vcap - off) : vt;
}

/* Copies n <= EVS_QUEUE_INLINE_COPY bytes with fixed-size moves the compiler
 * inlines (glibc's memcpy with a run-time length costs a call and a dispatch
 * on size, about as much as the copy itself at these sizes). Overlapping
 * head/tail moves cover the remainder, so no byte outside [src, src + n) is
 * ever read and none outside [dst, dst + n) written. */
static inline void copy_inline(char *restrict dst, const char *restrict src,
                               size_t n) {
  if (n >= 32) {
    for (size_t i = 0; i + 32 <= n; i += 32)
      memcpy(dst + i, src + i, 32);
    memcpy(dst + n - 32, src + n - 32, 32);
  } else if (n >= 16) {
    memcpy(dst, src, 16);
    memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n >= 8) {
    memcpy(dst, src, 8);
    memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4) {
    memcpy(dst, src, 4);
    memcpy(dst + n - 4, src + n - 4, 4);
  } else if (n != 0) {
    dst[0] = src[0];
    dst[n / 2] = src[n / 2];
    dst[n - 1] = src[n - 1];
  }
}

/* Owner-only statistics counter: one writer, so load+store needs no RMW. */
static inline void count(atomic_uint_fast64_t *c) {
  atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                        memory_order_relaxed);
}

/* Asks for the line at p in a writable state ahead of the store. */
static inline void prefetch_for_write(const void *p) {
#if defined(__x86_64__)
  /* PREFETCHW: plain __builtin_prefetch(p, 1) becomes a read prefetch
   * unless the target enables PRFCHW. */
  __asm__ __volatile__("prefetchw %0" : : "m"(*(const char *)p));
#else
  __builtin_prefetch(p, 1, 3);
#endif
}

int evs_queue_push(evs_queue_t *q, evs_event_type_t type, uint64_t seq,
                   const char *path, size_t path_len, const void *value,
                   size_t value_len) {
  if (path_len > EVS_PATH_MAX)
    return EVS_EPATHLEN;
  if (value_len > q->vcap / 2)
    return EVS_E2BIG;
  if (atomic_load_explicit(&q->closed, memory_order_relaxed))
    return EVS_ECLOSED;

  uint64_t t = q->p_tail;
  if (t - q->head_cache >= q->nslots) {
    uint64_t old = q->head_cache;
    q->head_cache = atomic_load_explicit(&q->head, memory_order_acquire);
    if (q->head_cache != old)
      count(&q->p_polls);
    if (t - q->head_cache >= q->nslots)
      return EVS_EAGAIN;
  }
  uint64_t vt = q->p_vtail;
  uint64_t pos = value_start(q, vt, value_len);
  uint64_t vend = pos + value_len;
  if (vend - q->vhead_cache > q->vcap) {
    q->vhead_cache = atomic_load_explicit(&q->vhead, memory_order_acquire);
    if (vend - q->vhead_cache > q->vcap)
      return EVS_EAGAIN;
  }

  evs_slot_t *slot = &q->slots[t & q->mask];
  slot->seq = seq;
  slot->value_pos = pos;
  slot->value_len = (uint32_t)value_len;
  slot->path_len = (uint16_t)path_len;
  slot->type = (uint8_t)type;
  copy_inline(slot->path, path, path_len);
  slot->path[path_len] = '\0';
  if (value_len > EVS_QUEUE_INLINE_COPY)
    memcpy(q->values + (pos & q->vmask), value, value_len);
  else
    copy_inline((char *)q->values + (pos & q->vmask), value, value_len);

  /* Pushes a few events from now will very likely write the header of slot
   * t + EVS_QUEUE_PREFETCH_SLOTS and the value bytes EVS_QUEUE_PREFETCH_BYTES
   * after this one. Those lines were last read by the consumer; fetching them
   * for writing now lets the transfer (a few hundred ns between cores, where
   * a push takes tens) overlap with the pushes in between instead of
   * stalling a later push's stores. Only hints: both addresses are inside
   * the rings, whatever the indices. */
  prefetch_for_write(&q->slots[(t + EVS_QUEUE_PREFETCH_SLOTS) & q->mask]);
  prefetch_for_write(q->values +
                     ((vend + EVS_QUEUE_PREFETCH_BYTES) & q->vmask));

  /* Statistics: only P writes these, so load+store needs no RMW. */
  if ((vend & ~q->vmask) != (vt & ~q->vmask))
    atomic_store_explicit(
        &q->value_wraps,
        atomic_load_explicit(&q->value_wraps, memory_order_relaxed) + 1,
        memory_order_relaxed);
  uint64_t depth = t + 1 - q->head_cache;
  if (depth > atomic_load_explicit(&q->high_water, memory_order_relaxed))
    atomic_store_explicit(&q->high_water, depth, memory_order_relaxed);

  q->p_tail = t + 1;
  q->p_vtail = vend;
  atomic_store_explicit(&q->vtail, vend, memory_order_relaxed);
  atomic_store_explicit(&q->tail, t + 1, memory_order_release);

  evs__light_fence(&q->fences);
  if (atomic_load_explicit(&q->consumer_sleeping, memory_order_relaxed)) {
    pthread_mutex_lock(&q->mu);
    pthread_cond_signal(&q->items_cv);
    pthread_mutex_unlock(&q->mu);
  }
  return EVS_OK;
}

/* True when a push of value_len bytes would find room, judged from the
 * published indices (usable by any thread). */
static bool has_space(evs_queue_t *q, size_t value_len) {
  uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
  uint64_t vt = atomic_load_explicit(&q->vtail, memory_order_relaxed);
  uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
  uint64_t vh = atomic_load_explicit(&q->vhead, memory_order_acquire);
  return t - h < q->nslots &&
         value_start(q, vt, value_len) + value_len - vh <= q->vcap;
}

int evs_queue_wait_space(evs_queue_t *q, size_t value_len) {
  if (value_len > q->vcap / 2)
    return EVS_E2BIG;
  for (;;) {
    if (atomic_load_explicit(&q->closed, memory_order_acquire))
      return EVS_ECLOSED;
    if (has_space(q, value_len))
      return EVS_OK;
    for (int i = 0; i < EVS_QUEUE_SPIN_POLLS + EVS_QUEUE_YIELD_POLLS; i++) {
      evs__wait_step(i);
      if (has_space(q, value_len) ||
          atomic_load_explicit(&q->closed, memory_order_relaxed))
        break;
    }
    if (has_space(q, value_len))
      return EVS_OK;
    pthread_mutex_lock(&q->mu);
    atomic_fetch_add_explicit(&q->producers_waiting, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    if (!has_space(q, value_len) &&
        !atomic_load_explicit(&q->closed, memory_order_relaxed)) {
      count(&q->p_sleeps);
      pthread_cond_wait(&q->space_cv, &q->mu);
    }
    atomic_fetch_sub_explicit(&q->producers_waiting, 1, memory_order_relaxed);
    pthread_mutex_unlock(&q->mu);
  }
}

/* C: makes the released indices visible to P and wakes waiting producers. */
static void publish(evs_queue_t *q) {
  q->unpublished = 0;
  atomic_store_explicit(&q->vhead, q->c_vhead, memory_order_release);
  atomic_store_explicit(&q->head, q->c_head, memory_order_release);
  atomic_thread_fence(memory_order_seq_cst);
  if (atomic_load_explicit(&q->producers_waiting, memory_order_relaxed)) {
    pthread_mutex_lock(&q->mu);
    pthread_cond_broadcast(&q->space_cv);
    pthread_mutex_unlock(&q->mu);
  }
}

/* C: re-reads tail into tail_cache; true when it moved (new events). */
static bool reload_tail(evs_queue_t *q) {
  uint64_t old = q->tail_cache;
  q->tail_cache = atomic_load_explicit(&q->tail, memory_order_acquire);
  if (q->tail_cache == old)
    return false;
  count(&q->c_polls);
  return true;
}

int evs_queue_peek(evs_queue_t *q, evs_event_t *ev) {
  uint64_t h = q->c_head;
  if (h == q->tail_cache) {
    /* Caught up: the batching gap first (top comment, "Batching"). */
    evs__relax(q->gap);
    if (!reload_tail(q)) {
      q->gap /= 2;
      if (q->unpublished)
        publish(q);
      return EVS_EAGAIN;
    }
    q->gap = evs__gap_adapt(q->gap, q->tail_cache - h);
  }
  const evs_slot_t *slot = &q->slots[h & q->mask];
  ev->seq = slot->seq;
  ev->type = (evs_event_type_t)slot->type;
  ev->path = slot->path;
  ev->path_len = slot->path_len;
  ev->value_len = slot->value_len;
  ev->value = slot->value_len ? q->values + (slot->value_pos & q->vmask) : NULL;
  return EVS_OK;
}

void evs_queue_release(evs_queue_t *q) {
  const evs_slot_t *slot = &q->slots[q->c_head & q->mask];
  q->c_vhead = slot->value_pos + slot->value_len;
  q->c_head++;
  if (++q->unpublished >= EVS_QUEUE_PUBLISH_BATCH || q->c_head == q->tail_cache)
    publish(q);
}

int evs_queue_wait_items(evs_queue_t *q) {
  for (;;) {
    if (q->c_head != q->tail_cache || reload_tail(q))
      return EVS_OK;
    if (q->unpublished)
      publish(q);
    if (atomic_load_explicit(&q->closed, memory_order_acquire)) {
      /* Pushes stop before closed is set, so this reload is final. */
      return reload_tail(q) ? EVS_OK : EVS_ECLOSED;
    }
    for (int i = 0; i < EVS_QUEUE_SPIN_POLLS + EVS_QUEUE_YIELD_POLLS; i++) {
      evs__wait_step(i);
      if (reload_tail(q))
        return EVS_OK;
      if (atomic_load_explicit(&q->closed, memory_order_relaxed))
        break;
    }
    pthread_mutex_lock(&q->mu);
    atomic_store_explicit(&q->consumer_sleeping, 1, memory_order_relaxed);
    if (!evs__heavy_fence(&q->fences))
      q->degraded = true;
    if (!reload_tail(q) &&
        !atomic_load_explicit(&q->closed, memory_order_relaxed)) {
      count(&q->c_sleeps);
      evs__wait_cv(&q->items_cv, &q->mu, q->degraded);
    }
    atomic_store_explicit(&q->consumer_sleeping, 0, memory_order_relaxed);
    pthread_mutex_unlock(&q->mu);
  }
}

void evs_queue_close(evs_queue_t *q) {
  pthread_mutex_lock(&q->mu);
  atomic_store(&q->closed, true);
  pthread_cond_broadcast(&q->items_cv);
  pthread_cond_broadcast(&q->space_cv);
  pthread_mutex_unlock(&q->mu);
}

void evs_queue_count_drop(evs_queue_t *q) {
  atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
}

void evs_queue_stats(const evs_queue_t *cq, evs_queue_stats_t *out) {
  evs_queue_t *q = (evs_queue_t *)cq; /* atomics are read, never written */
  uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
  uint64_t vh = atomic_load_explicit(&q->vhead, memory_order_acquire);
  uint64_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
  uint64_t vt = atomic_load_explicit(&q->vtail, memory_order_acquire);
  out->pending = t - h;
  out->processed = h;
  out->dropped = atomic_load_explicit(&q->dropped, memory_order_relaxed);
  out->high_water = atomic_load_explicit(&q->high_water, memory_order_relaxed);
  out->slot_wraps = t / q->nslots;
  out->value_wraps =
      atomic_load_explicit(&q->value_wraps, memory_order_relaxed);
  out->value_bytes_in_use = vt - vh;
  out->slots = (uint32_t)q->nslots;
  out->value_ring_bytes = (uint32_t)q->vcap;
  out->consumer_polls = atomic_load_explicit(&q->c_polls, memory_order_relaxed);
  out->consumer_sleeps =
      atomic_load_explicit(&q->c_sleeps, memory_order_relaxed);
  out->producer_polls = atomic_load_explicit(&q->p_polls, memory_order_relaxed);
  out->producer_sleeps =
      atomic_load_explicit(&q->p_sleeps, memory_order_relaxed);
}
