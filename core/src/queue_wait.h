/* Private to core: how the EventQueue's two sides wait for each other
 * (queue_wait.c): pausing, the consumer's batching gap, the poll phases
 * before sleeping, the fence pair of the sleeping handshake, and the
 * condition-variable helpers. The memory-ordering argument that uses these
 * pieces is at the top of queue.c. */
#ifndef EVSTORE_QUEUE_WAIT_H
#define EVSTORE_QUEUE_WAIT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Waiting before sleeping, in two phases. A waiter first polls the other
 * side's index EVS_QUEUE_SPIN_POLLS times, EVS_QUEUE_POLL_GAP pauses apart
 * (a few microseconds in all), then EVS_QUEUE_YIELD_POLLS times with a
 * sched_yield() before each poll, and only then takes the sleeping path. The
 * gap matters: every poll pulls the polled line to the waiter's core, and
 * the other side's next store to it then stalls at its fence; polling a few
 * pauses apart rather than after every pause lets the producer push a few
 * events per poll. The yields matter on a busy 2-core
 * machine, where the other side is often not running at all (descheduled, or
 * queued on the waiter's own core): a yield hands it the core at once, where
 * pausing would burn the time slice and sleeping would add a futex wake per
 * wait. Figures for the pause, the gap and the yield phase:
 * reports/bench/design-measurements.md. */
#define EVS_QUEUE_POLL_GAP 4
#define EVS_QUEUE_SPIN_POLLS 16
#define EVS_QUEUE_YIELD_POLLS 48
/* The longest sleep of C once a heavy fence has failed (queue.c, "Asymmetric
 * fences"). */
#define EVS_QUEUE_FALLBACK_WAIT_NS 1000000L

/* The consumer's batching gap (queue.c, "Batching"): pauses the consumer
 * waits, once it has caught up with the events it knows of, before it
 * re-reads the producer's index. It adapts to what each such re-read
 * brings: while re-reads bring 2 to EVS_QUEUE_BATCH_LOW - 1 new events (a
 * producer streaming on another core, handing over a few events at a time)
 * the gap doubles (plus one), up to EVS_QUEUE_GAP_MAX pauses (3-8 us: one
 * pause is 12-30 ns on the machines measured); when one brings more than
 * EVS_QUEUE_BATCH_HIGH it halves. A re-read that brings a single event ends
 * the gap: the producer is not streaming (or pushes from the consumer's own
 * thread, as in a push/pop loop), and waiting would only add latency.
 * Figures: reports/bench/design-measurements.md. */
#define EVS_QUEUE_BATCH_LOW 16u
#define EVS_QUEUE_BATCH_HIGH 64u
#define EVS_QUEUE_GAP_MAX 256u

/* Tells the core that this is a spin-wait loop, n times. */
static inline void evs__relax(uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#else
    atomic_signal_fence(memory_order_seq_cst); /* keeps the loop */
#endif
  }
}

/* The next batching gap after a re-read of the other side's index that
 * brought `fresh` new events (fresh > 0). */
static inline uint32_t evs__gap_adapt(uint32_t gap, uint64_t fresh) {
  if (fresh <= 1)
    return 0;
  if (fresh < EVS_QUEUE_BATCH_LOW)
    return gap < EVS_QUEUE_GAP_MAX / 2 ? 2 * gap + 1 : EVS_QUEUE_GAP_MAX;
  if (fresh > EVS_QUEUE_BATCH_HIGH)
    return gap / 2;
  return gap;
}

/* One step of the wait before sleeping: poll i of the two phases above. */
void evs__wait_step(int i);

/* The fence pair of the consumer's sleeping handshake (queue.c, "Asymmetric
 * fences"). `asymmetric` is only ever cleared once set; `fail_heavy` makes
 * that many heavy fences fail (tests). */
typedef struct evs_fences_s {
  atomic_bool asymmetric;
  atomic_uint fail_heavy;
} evs_fences_t;

/* Sets f up: asymmetric when the process could register for expedited
 * membarrier (once per process), else seq_cst fences on both sides. */
void evs__fences_init(evs_fences_t *f);

/* A seq_cst fence, out of line: gcc's TSan rejects (-Wtsan) a fence that
 * is inlined under a condition, and the symmetric mode can afford a call. */
void evs__full_fence(void);

/* The light side: after P's tail store, before reading consumer_sleeping. */
static inline void evs__light_fence(evs_fences_t *f) {
  atomic_signal_fence(memory_order_seq_cst);
  if (!atomic_load_explicit(&f->asymmetric, memory_order_relaxed))
    evs__full_fence();
}

/* The heavy side: after setting consumer_sleeping, before re-reading tail.
 * Consumer only. Returns false when the expedited membarrier failed: f is
 * then switched to seq_cst fences on both sides, and the caller must bound
 * every later sleep (the light fences issued before cannot be relied on). */
bool evs__heavy_fence(evs_fences_t *f);

/* A condition variable whose timed waits use CLOCK_MONOTONIC, so a step of
 * the wall clock cannot stretch a bounded wait. 0 or an errno value. */
int evs__cond_init_monotonic(pthread_cond_t *cv);

/* Waits on cv (mu held), for at most EVS_QUEUE_FALLBACK_WAIT_NS if bounded;
 * cv must come from evs__cond_init_monotonic. */
void evs__wait_cv(pthread_cond_t *cv, pthread_mutex_t *mu, bool bounded);

#endif
