/* EventQueue: ordering, full/empty behaviour, both rings wrapping with
 * content checksums, a two-thread run under the sanitizers, the consumer's
 * batching gap (its adaptation, and short bursts that must each arrive
 * without a further push), the handover counters, and the sleeping
 * handshakes: a sleeping consumer woken by each item (with either fence pair,
 * and after a failed heavy fence), a sleeping producer by each release. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../src/queue_int.h"
#include "../src/queue_wait.h"
#include "check.h"
#include "evstore.h"

static uint32_t fnv(const void *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ ((const unsigned char *)p)[i]) * 16777619u;
  return h;
}

/* Deterministic value of length len for event i. */
static void fill(unsigned char *buf, size_t len, uint64_t i) {
  for (size_t k = 0; k < len; k++)
    buf[k] = (unsigned char)(i * 131 + k * 7);
}

static void test_config_errors(void) {
  evs_queue_t *q = NULL;
  evs_queue_config_t c = {1000, 0};
  ASSERT_EQ(evs_queue_open(&c, &q), EVS_ERANGE);
  c = (evs_queue_config_t){8, 1000};
  ASSERT_EQ(evs_queue_open(&c, &q), EVS_ERANGE);
  ASSERT_EQ(evs_queue_open(NULL, NULL), EVS_EINVAL);
  ASSERT_TRUE(q == NULL);
}

static void test_fifo_and_full(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {4, 4096};
  ASSERT_EQ(evs_queue_open(&c, &q), EVS_OK);
  evs_event_t ev;
  ASSERT_EQ(evs_queue_peek(q, &ev), EVS_EAGAIN);
  for (uint64_t i = 1; i <= 4; i++)
    ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, i, "/a", 2, "v", 1), EVS_OK);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 5, "/a", 2, "v", 1), EVS_EAGAIN);
  evs_queue_stats_t st;
  evs_queue_stats(q, &st);
  ASSERT_UINT_EQ(st.pending, 4);
  ASSERT_UINT_EQ(st.high_water, 4);
  for (uint64_t i = 1; i <= 4; i++) {
    ASSERT_EQ(evs_queue_peek(q, &ev), EVS_OK);
    ASSERT_UINT_EQ(ev.seq, i);
    ASSERT_STR_EQ(ev.path, "/a");
    evs_queue_release(q);
  }
  ASSERT_EQ(evs_queue_peek(q, &ev), EVS_EAGAIN);
  evs_queue_stats(q, &st);
  ASSERT_UINT_EQ(st.pending, 0);
  ASSERT_UINT_EQ(st.processed, 4);
  ASSERT_UINT_EQ(st.slot_wraps, 1);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 5, "/a", 2, NULL, 0), EVS_OK);
  evs_queue_close(q);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 6, "/a", 2, NULL, 0), EVS_ECLOSED);
  ASSERT_EQ(evs_queue_wait_items(q), EVS_OK); /* drains after close */
  ASSERT_EQ(evs_queue_peek(q, &ev), EVS_OK);
  ASSERT_EQ(ev.value_len, 0);
  ASSERT_TRUE(ev.value == NULL);
  evs_queue_release(q);
  ASSERT_EQ(evs_queue_wait_items(q), EVS_ECLOSED);
  evs_queue_free(q);
}

static void test_value_limits(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {8, 4096};
  static unsigned char big[4096];
  ASSERT_EQ(evs_queue_open(&c, &q), EVS_OK);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 1, "/a", 2, big, 2049), EVS_E2BIG);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 1, "/a", 2, big, 2048), EVS_OK);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 2, "/a", 2, big, 2048), EVS_OK);
  /* Ring is exactly full: one more byte does not fit. */
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 3, "/a", 2, big, 1), EVS_EAGAIN);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 1, "/a", 256, big, 1),
            EVS_EPATHLEN);
  evs_queue_free(q);
}

/* Single thread, many laps of both rings, values that straddle the end. */
static void test_wrap_checksums(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {16, 4096};
  ASSERT_EQ(evs_queue_open(&c, &q), EVS_OK);
  unsigned char buf[2048], path[EVS_PATH_MAX + 1];
  uint64_t pushed = 0, popped = 0;
  evs_event_t ev;
  while (popped < 5000) {
    size_t len = (size_t)((pushed * 977) % 2049);
    size_t plen = 2 + (size_t)(pushed % 250);
    fill(buf, len, pushed);
    memset(path, 'p', plen);
    path[0] = '/';
    int rc = evs_queue_push(q, EVS_EVENT_SET, pushed + 1, (char *)path, plen,
                            buf, len);
    if (rc == EVS_OK) {
      pushed++;
      if (pushed % 3 != 0)
        continue; /* let it fill up sometimes */
    } else {
      ASSERT_EQ(rc, EVS_EAGAIN);
    }
    while (evs_queue_peek(q, &ev) == EVS_OK) {
      size_t want = (size_t)((popped * 977) % 2049);
      unsigned char exp[2048];
      fill(exp, want, popped);
      ASSERT_UINT_EQ(ev.seq, popped + 1);
      ASSERT_UINT_EQ(ev.value_len, want);
      ASSERT_EQ(fnv(ev.value, ev.value_len), fnv(exp, want));
      ASSERT_UINT_EQ(ev.path_len, 2 + popped % 250);
      evs_queue_release(q);
      popped++;
      if (popped % 2 == 0)
        break;
    }
  }
  evs_queue_stats_t st;
  evs_queue_stats(q, &st);
  ASSERT_GT(st.slot_wraps, 100);
  ASSERT_GT(st.value_wraps, 100);
  evs_queue_free(q);
}

typedef struct {
  evs_queue_t *q;
  uint64_t n;
} prod_arg_t;

static void *producer(void *arg) {
  prod_arg_t *a = arg;
  unsigned char buf[600];
  char path[64];
  for (uint64_t i = 0; i < a->n;) {
    size_t len = (size_t)(i % 600);
    int plen = snprintf(path, sizeof(path), "/p/%llu", (unsigned long long)i);
    fill(buf, len, i);
    int rc = evs_queue_push(a->q, EVS_EVENT_SET, i + 1, path, (size_t)plen, buf,
                            len);
    if (rc == EVS_OK)
      i++;
    else
      evs_queue_wait_space(a->q, len);
  }
  evs_queue_close(a->q);
  return NULL;
}

static void test_two_threads(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {64, 8192};
  ASSERT_EQ(evs_queue_open(&c, &q), EVS_OK);
  prod_arg_t a = {q, 20000};
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, NULL, producer, &a), 0);
  uint64_t got = 0;
  int bad = 0;
  evs_event_t ev;
  while (evs_queue_wait_items(q) == EVS_OK) {
    while (evs_queue_peek(q, &ev) == EVS_OK) {
      unsigned char exp[600];
      size_t len = (size_t)(got % 600);
      fill(exp, len, got);
      if (ev.seq != got + 1 || ev.value_len != len ||
          (len && memcmp(ev.value, exp, len) != 0))
        bad++;
      got++;
      evs_queue_release(q);
    }
  }
  pthread_join(t, NULL);
  ASSERT_EQ(bad, 0);
  ASSERT_UINT_EQ(got, a.n);
  evs_queue_free(q);
}

static void sleep_us(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

/* Waits up to 10 s for *v to reach want; false on timeout. */
static bool await_value(atomic_uint *v, unsigned want) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    if (atomic_load(v) >= want)
      return true;
    sleep_us(50);
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while (t.tv_sec - t0.tv_sec < 10);
  return false;
}

typedef struct {
  evs_queue_t *q;
  atomic_uint done; /* items consumed (wake_items) or released (wake_space) */
  atomic_uint finished; /* wake_space: the producer's rounds are over */
  int bad;
} wake_arg_t;

/* Takes items one by one, acknowledging each in `done`. */
static void *wake_consumer(void *arg) {
  wake_arg_t *a = arg;
  evs_event_t ev;
  while (evs_queue_wait_items(a->q) == EVS_OK) {
    while (evs_queue_peek(a->q, &ev) == EVS_OK) {
      if (ev.seq != atomic_load(&a->done) + 1)
        a->bad++;
      evs_queue_release(a->q);
      atomic_fetch_add(&a->done, 1);
    }
  }
  return NULL;
}

enum { WAKE_ROUNDS = 60, WAKE_IDLE_US = 400 };

typedef enum { FENCES_ASYMMETRIC, FENCES_SYMMETRIC, FENCES_FAILING } fences_t;

/* Puts a new queue in the given fence mode. FENCES_FAILING: asymmetric until
 * its first heavy fence fails, then symmetric with bounded sleeps. */
static void set_fences(evs_queue_t *q, fences_t mode) {
  if (!evs__queue_asymmetric_fences(q))
    fprintf(stderr, "note: no expedited membarrier here, seq_cst fences\n");
  if (mode == FENCES_SYMMETRIC)
    evs__queue_use_symmetric_fences(q);
  else if (mode == FENCES_FAILING)
    evs__queue_fail_heavy_fences(q, 1);
}

/* Each item arrives after the consumer has been idle long enough to pass its
 * polls and yields and sleep: a lost wakeup leaves the item unconsumed. */
static void wake_items(fences_t mode) {
  wake_arg_t a = {0};
  ASSERT_EQ(evs_queue_open(NULL, &a.q), EVS_OK);
  set_fences(a.q, mode);
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, NULL, wake_consumer, &a), 0);
  unsigned i;
  bool ok = true;
  for (i = 1; i <= WAKE_ROUNDS && ok; i++) {
    sleep_us(WAKE_IDLE_US);
    ASSERT_EQ(evs_queue_push(a.q, EVS_EVENT_SET, i, "/w", 2, "v", 1), EVS_OK);
    ok = await_value(&a.done, i);
  }
  evs_queue_close(a.q); /* also frees a consumer stuck by a lost wakeup */
  pthread_join(t, NULL);
  ASSERT_TRUE(ok);
  ASSERT_EQ(a.bad, 0);
  ASSERT_EQ(atomic_load(&a.done), WAKE_ROUNDS);
  if (mode != FENCES_ASYMMETRIC) /* FAILING: switched at its first sleep */
    ASSERT_TRUE(!evs__queue_asymmetric_fences(a.q));
  evs_queue_free(a.q);
}

/* Releases one item each time the producer has been waiting long enough to
 * sleep: a lost wakeup leaves the producer waiting. */
static void *wake_releaser(void *arg) {
  wake_arg_t *a = arg;
  evs_event_t ev;
  for (int i = 0; i < WAKE_ROUNDS; i++) {
    sleep_us(WAKE_IDLE_US);
    if (evs_queue_wait_items(a->q) != EVS_OK ||
        evs_queue_peek(a->q, &ev) != EVS_OK)
      break;
    evs_queue_release(a->q);
    atomic_fetch_add(&a->done, 1);
  }
  return NULL;
}

/* Closes the queue once the producer is done, or after 10 s if it is stuck
 * (its wait then ends in EVS_ECLOSED). */
static void *wake_closer(void *arg) {
  wake_arg_t *a = arg;
  await_value(&a->finished, 1);
  evs_queue_close(a->q);
  return NULL;
}

/* The space handshake is symmetric in every fence mode, so one run covers
 * it. */
static void test_wake_space(void) {
  wake_arg_t a = {0};
  evs_queue_config_t c = {2, 4096};
  ASSERT_EQ(evs_queue_open(&c, &a.q), EVS_OK);
  uint64_t seq = 0;
  while (evs_queue_push(a.q, EVS_EVENT_SET, ++seq, "/s", 2, "v", 1) == EVS_OK)
    ;
  pthread_t t, closer;
  ASSERT_EQ(pthread_create(&t, NULL, wake_releaser, &a), 0);
  ASSERT_EQ(pthread_create(&closer, NULL, wake_closer, &a), 0);
  int waits_ok = 0;
  for (int i = 0; i < WAKE_ROUNDS; i++) {
    /* Full: wait for the one release, then fill the slot again. */
    if (evs_queue_wait_space(a.q, 1) != EVS_OK)
      break;
    if (evs_queue_push(a.q, EVS_EVENT_SET, seq, "/s", 2, "v", 1) != EVS_OK)
      break;
    seq++;
    waits_ok++;
  }
  atomic_store(&a.finished, 1);
  pthread_join(t, NULL);
  pthread_join(closer, NULL);
  ASSERT_EQ(a.bad, 0);
  ASSERT_EQ(waits_ok, WAKE_ROUNDS); /* a lost wakeup ends in ECLOSED */
  /* Each release comes WAKE_IDLE_US after the last, far longer than the
   * poll phases: the producer slept for space, and the stats say so. */
  evs_queue_stats_t st;
  evs_queue_stats(a.q, &st);
  ASSERT_TRUE(st.producer_sleeps >= 1 && st.producer_sleeps <= WAKE_ROUNDS);
  evs_queue_free(a.q);
}

/* Counted re-reads: each side's re-read of the other's index counts only
 * when it found the index moved. */
static void test_handover_counters(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {4, 4096};
  ASSERT_EQ(evs_queue_open(&c, &q), EVS_OK);
  evs_event_t ev;
  evs_queue_stats_t st;
  ASSERT_EQ(evs_queue_peek(q, &ev), EVS_EAGAIN); /* tail unmoved */
  for (uint64_t i = 1; i <= 4; i++)
    ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, i, "/a", 2, "v", 1), EVS_OK);
  /* Full, and head has not moved: a re-read, not counted. */
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 5, "/a", 2, "v", 1), EVS_EAGAIN);
  while (evs_queue_peek(q, &ev) == EVS_OK)
    evs_queue_release(q);
  evs_queue_stats(q, &st);
  ASSERT_UINT_EQ(st.consumer_polls, 1); /* one re-read brought all four */
  ASSERT_UINT_EQ(st.producer_polls, 0);
  ASSERT_UINT_EQ(st.consumer_sleeps, 0);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 5, "/a", 2, "v", 1), EVS_OK);
  ASSERT_EQ(evs_queue_wait_items(q), EVS_OK);
  ASSERT_EQ(evs_queue_peek(q, &ev), EVS_OK);
  ASSERT_UINT_EQ(ev.seq, 5);
  evs_queue_release(q);
  evs_queue_stats(q, &st);
  ASSERT_UINT_EQ(st.consumer_polls, 2);
  ASSERT_UINT_EQ(st.producer_polls, 1);
  evs_queue_free(q);
}

static void free_queue(void *q) {
  evs_queue_free(q);
}

/* A producer that goes quiet lets the gap fall: each re-read that finds
 * nothing halves it, so sparse events do not each pay the largest gap. */
static void test_gap_falls_when_idle(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {64, 4096};
  ASSERT_EQ(evs_queue_open(&c, &q), EVS_OK);
  check_defer(free_queue, q);
  evs_event_t ev;
  /* Re-reads that bring 3 events each, never catching up with an empty
   * re-read: the gap grows. */
  for (int round = 0; round < 12; round++) {
    for (int k = 0; k < 3; k++)
      ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 1, "/a", 2, "v", 1), EVS_OK);
    for (int k = 0; k < 3; k++) {
      ASSERT_EQ(evs_queue_peek(q, &ev), EVS_OK);
      evs_queue_release(q);
    }
  }
  unsigned g = evs__queue_gap(q);
  ASSERT_TRUE(g >= 64);
  for (int k = 0; k < 16; k++) {
    ASSERT_EQ(evs_queue_peek(q, &ev), EVS_EAGAIN);
    ASSERT_UINT_EQ(evs__queue_gap(q), g / 2);
    g /= 2;
  }
  ASSERT_UINT_EQ(g, 0);
}

/* The gap grows while re-reads bring a few events, up to its bound, holds
 * in the target band, halves on big batches and ends on a single event. */
static void test_gap_adapt(void) {
  uint32_t g = 0;
  g = evs__gap_adapt(g, 2);
  ASSERT_UINT_EQ(g, 1);
  for (int i = 0; i < 20; i++)
    g = evs__gap_adapt(g, EVS_QUEUE_BATCH_LOW - 1);
  ASSERT_UINT_EQ(g, EVS_QUEUE_GAP_MAX);
  ASSERT_UINT_EQ(evs__gap_adapt(g, EVS_QUEUE_BATCH_LOW), EVS_QUEUE_GAP_MAX);
  ASSERT_UINT_EQ(evs__gap_adapt(g, EVS_QUEUE_BATCH_HIGH), EVS_QUEUE_GAP_MAX);
  ASSERT_UINT_EQ(evs__gap_adapt(g, EVS_QUEUE_BATCH_HIGH + 1),
                 EVS_QUEUE_GAP_MAX / 2);
  ASSERT_UINT_EQ(evs__gap_adapt(0, 1000), 0);
  ASSERT_UINT_EQ(evs__gap_adapt(g, 1), 0);
}

enum { BURST_ROUNDS = 3000 };

/* Bursts of 1..5 events, each acknowledged before the next: the consumer
 * catches up after every burst with few events per re-read (so its gap
 * grows, and a single event ends it), and every burst must arrive without a
 * further push. */
static void test_bursts_arrive(void) {
  wake_arg_t a = {0};
  evs_queue_config_t c = {16, 4096};
  ASSERT_EQ(evs_queue_open(&c, &a.q), EVS_OK);
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, NULL, wake_consumer, &a), 0);
  unsigned sent = 0;
  bool ok = true;
  for (unsigned r = 0; r < BURST_ROUNDS && ok; r++) {
    for (unsigned k = 0; k <= r % 5; k++) {
      sent++;
      ASSERT_EQ(evs_queue_push(a.q, EVS_EVENT_SET, sent, "/b", 2, "v", 1),
                EVS_OK);
    }
    ok = await_value(&a.done, sent);
  }
  evs_queue_close(a.q);
  pthread_join(t, NULL);
  ASSERT_TRUE(ok);
  ASSERT_EQ(a.bad, 0);
  ASSERT_EQ(atomic_load(&a.done), sent);
  evs_queue_free(a.q);
}

static void test_wake_items_asymmetric(void) {
  wake_items(FENCES_ASYMMETRIC);
}
static void test_wake_items_symmetric(void) {
  wake_items(FENCES_SYMMETRIC);
}
static void test_wake_items_failed_heavy_fence(void) {
  wake_items(FENCES_FAILING);
}
static const check_case_t cases[] = {
    {"config_errors", test_config_errors},
    {"fifo_and_full", test_fifo_and_full},
    {"value_limits", test_value_limits},
    {"wrap_checksums", test_wrap_checksums},
    {"two_threads", test_two_threads},
    {"handover_counters", test_handover_counters},
    {"gap_adapt", test_gap_adapt},
    {"gap_falls_when_idle", test_gap_falls_when_idle},
    {"bursts_arrive", test_bursts_arrive},
    {"wake_items_asymmetric", test_wake_items_asymmetric},
    {"wake_items_symmetric", test_wake_items_symmetric},
    {"wake_items_failed_heavy_fence", test_wake_items_failed_heavy_fence},
    {"wake_space", test_wake_space},
    {NULL, NULL}};
CHECK_MAIN(cases)
