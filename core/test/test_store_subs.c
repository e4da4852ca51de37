/* Store subscriptions while the dispatcher walks its list without the lock:
 * unsubscribe of another subscription from a listener, and
 * subscribe/unsubscribe churn against a writer (unsubscribe from another
 * thread: test_store.c, unsubscribe_waits_for_call), and writes made while
 * the store has no subscription (numbered, not queued), and the in-use
 * accounting of subscriptions the dispatcher frees later. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "evstore.h"

#define S(x) x, strlen(x)

typedef struct {
  evs_store_t *s;
  uint64_t victim_id;
  atomic_int a_calls, b_calls;
  atomic_int b_after; /* calls of b after its unsubscribe returned */
  atomic_int unsub_done;
  int unsub_rc;
} pair_t;

/* Core blocks allocated now (the store's own accounting). */
static uint64_t live_blocks(void) {
  evs_alloc_stats_t st;
  evs_alloc_stats(&st);
  return st.live_blocks;
}

static void on_a_unsubs_b(const evs_event_t *ev, void *ud) {
  (void)ev;
  pair_t *x = ud;
  if (atomic_fetch_add(&x->a_calls, 1) == 0) {
    x->unsub_rc = evs_store_unsubscribe(x->s, x->victim_id);
    atomic_store(&x->unsub_done, 1);
  }
}

static void on_b(const evs_event_t *ev, void *ud) {
  (void)ev;
  pair_t *x = ud;
  atomic_fetch_add(&x->b_calls, 1);
  if (atomic_load(&x->unsub_done))
    atomic_fetch_add(&x->b_after, 1);
}

/* A listener removes a later subscription: that one misses the very event
 * (and every later one), and its memory is back once the store is idle. */
static void test_listener_unsubscribes_later_sub(void) {
  uint64_t base = live_blocks();
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  pair_t x = {.s = s};
  uint64_t a;
  ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_a_unsubs_b, &x, &a), EVS_OK);
  ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_b, &x, &x.victim_id), EVS_OK);
  for (int i = 0; i < 100; i++)
    ASSERT_EQ(evs_store_set(s, S("/a"), "v", 1), EVS_OK);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_EQ(x.unsub_rc, EVS_OK);
  ASSERT_EQ(atomic_load(&x.a_calls), 100);
  ASSERT_EQ(atomic_load(&x.b_calls), 0);
  evs_store_free(s);
  ASSERT_UINT_EQ(live_blocks(), base);
}

typedef struct {
  evs_store_t *s;
  atomic_int stop;
  int failures;
} churn_t;

static void on_count(const evs_event_t *ev, void *ud) {
  (void)ev;
  atomic_fetch_add((atomic_int *)ud, 1);
}

static void *churn_main(void *arg) {
  churn_t *c = arg;
  atomic_int calls = 0;
  while (!atomic_load(&c->stop)) {
    uint64_t ids[4];
    for (int i = 0; i < 4; i++)
      if (evs_store_subscribe(c->s, S("/c/*"), on_count, &calls, &ids[i]) !=
          EVS_OK)
        c->failures++;
    for (int i = 3; i >= 0; i -= 2) /* out of order: unlink mid-list */
      if (evs_store_unsubscribe(c->s, ids[i]) != EVS_OK)
        c->failures++;
    for (int i = 0; i < 4; i += 2)
      if (evs_store_unsubscribe(c->s, ids[i]) != EVS_OK)
        c->failures++;
  }
  return NULL;
}

/* Subscribe/unsubscribe from two threads while a writer keeps the dispatcher
 * busy (run under TSan and ASan too); a steady subscriber misses nothing
 * and sees the events in order. */
static void test_churn_against_writer(void) {
  uint64_t base = live_blocks();
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  atomic_int steady = 0;
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/c/*"), on_count, &steady, &id), EVS_OK);
  churn_t c = {.s = s};
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    ASSERT_EQ(pthread_create(&t[i], NULL, churn_main, &c), 0);
  for (int i = 0; i < 20000; i++)
    ASSERT_EQ(evs_store_set(s, S("/c/x"), "v", 1), EVS_OK);
  atomic_store(&c.stop, 1);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  ASSERT_EQ(c.failures, 0);
  ASSERT_UINT_EQ(evs_store_subscription_count(s), 1);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_EQ(atomic_load(&steady), 20000);
  evs_store_free(s);
  ASSERT_UINT_EQ(live_blocks(), base);
}

/* Two stores whose listeners, running at the same time, each unsubscribe
 * another subscription of the other store. Each unsubscribe waits only for
 * its own subscription's listener, which is not running, so both return
 * (waiting for any event in progress deadlocked here). */
typedef struct {
  evs_store_t *other;
  uint64_t other_victim;
  atomic_int *inside; /* listeners inside their call, both stores */
  atomic_int done;
  int rc;
} cross_t;

static void on_cross(const evs_event_t *ev, void *ud) {
  (void)ev;
  cross_t *x = ud;
  if (atomic_load(&x->done))
    return;
  /* Wait (bounded) until the other store's listener is inside too. */
  atomic_fetch_add(x->inside, 1);
  for (int i = 0; i < 5000 && atomic_load(x->inside) < 2; i++)
    usleep(1000);
  x->rc = evs_store_unsubscribe(x->other, x->other_victim);
  atomic_store(&x->done, 1);
}

static void test_cross_store_unsubscribe(void) {
  evs_store_t *a, *b;
  ASSERT_EQ(evs_store_open(NULL, &a), EVS_OK);
  ASSERT_EQ(evs_store_open(NULL, &b), EVS_OK);
  atomic_int inside = 0, quiet = 0;
  cross_t xa = {.other = b, .inside = &inside};
  cross_t xb = {.other = a, .inside = &inside};
  uint64_t ida, idb;
  ASSERT_EQ(evs_store_subscribe(a, S("/x"), on_cross, &xa, &ida), EVS_OK);
  ASSERT_EQ(evs_store_subscribe(b, S("/x"), on_cross, &xb, &idb), EVS_OK);
  ASSERT_EQ(evs_store_subscribe(a, S("/x"), on_count, &quiet, &xb.other_victim),
            EVS_OK);
  ASSERT_EQ(evs_store_subscribe(b, S("/x"), on_count, &quiet, &xa.other_victim),
            EVS_OK);
  ASSERT_EQ(evs_store_set(a, S("/x"), "v", 1), EVS_OK);
  ASSERT_EQ(evs_store_set(b, S("/x"), "v", 1), EVS_OK);
  int waited = 0;
  while ((!atomic_load(&xa.done) || !atomic_load(&xb.done)) && waited < 10000) {
    usleep(1000);
    waited++;
  }
  if (!atomic_load(&xa.done) || !atomic_load(&xb.done)) {
    /* Deadlocked: the stores cannot be closed; report and leave them. */
    CHECK_FAIL_("listeners still blocked in evs_store_unsubscribe after 10 s");
  }
  ASSERT_EQ(xa.rc, EVS_OK);
  ASSERT_EQ(xb.rc, EVS_OK);
  ASSERT_EQ(evs_store_close(a, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_EQ(evs_store_close(b, EVS_CLOSE_DELIVER), EVS_OK);
  evs_store_free(a);
  evs_store_free(b);
}

typedef struct {
  atomic_uint_fast64_t calls, last_seq;
} seen_t;

static void on_seen(const evs_event_t *ev, void *ud) {
  seen_t *x = ud;
  atomic_store(&x->last_seq, ev->seq);
  atomic_fetch_add(&x->calls, 1);
}

static void *write_loop(void *arg) {
  pair_t *x = arg;
  while (!atomic_load(&x->unsub_done))
    evs_store_set(x->s, S("/noise"), "n", 1);
  return NULL;
}

/* With no subscription a write is numbered but not queued; a subscription,
 * even one made while another thread writes, sees every write made after
 * subscribe returned, and an unsubscribe stops the queueing again. */
static void test_unobserved_writes_not_queued(void) {
  evs_store_t *s;
  evs_store_config_t c = {.queue_slots = 16};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_OK);
  for (int i = 0; i < 1000; i++)
    ASSERT_EQ(evs_store_set(s, S("/a"), "x", 1), EVS_OK);
  evs_queue_stats_t st;
  ASSERT_EQ(evs_store_queue_stats(s, &st), EVS_OK);
  ASSERT_UINT_EQ(st.pending + st.processed + st.dropped, 0);
  ASSERT_UINT_EQ(st.slot_wraps, 0);
  seen_t seen = {0};
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/a"), on_seen, &seen, &id), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/a"), "y", 1), EVS_OK);
  while (atomic_load(&seen.calls) < 1)
    usleep(100);
  ASSERT_UINT_EQ(atomic_load(&seen.last_seq), 1001);
  ASSERT_EQ(evs_store_unsubscribe(s, id), EVS_OK);
  /* Churn against a writer: every round's marker write reaches its
   * subscription. */
  pair_t w = {.s = s};
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, NULL, write_loop, &w), 0);
  for (int round = 0; round < 200; round++) {
    seen_t r = {0};
    ASSERT_EQ(evs_store_subscribe(s, S("/mark"), on_seen, &r, &id), EVS_OK);
    ASSERT_EQ(evs_store_set(s, S("/mark"), "m", 1), EVS_OK);
    while (atomic_load(&r.calls) < 1)
      usleep(10);
    ASSERT_EQ(evs_store_unsubscribe(s, id), EVS_OK);
  }
  atomic_store(&w.unsub_done, 1);
  pthread_join(t, NULL);
  ASSERT_EQ(evs_store_queue_stats(s, &st), EVS_OK);
  uint64_t queued = st.pending + st.processed;
  for (int i = 0; i < 100; i++)
    ASSERT_EQ(evs_store_set(s, S("/a"), "z", 1), EVS_OK);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_EQ(evs_store_queue_stats(s, &st), EVS_ECLOSED);
  ASSERT_UINT_EQ(st.pending + st.processed, queued);
  evs_store_free(s);
}

typedef struct {
  atomic_int entered, release;
} block_t;

static void on_block(const evs_event_t *ev, void *ud) {
  (void)ev;
  block_t *b = ud;
  atomic_store(&b->entered, 1);
  while (!atomic_load(&b->release))
    usleep(100);
}

static void on_nothing(const evs_event_t *ev, void *ud) {
  (void)ev;
  (void)ud;
}

/* A subscription removed while the dispatcher walks the list is freed by
 * the dispatcher later: it stays live until then, but leaves the in-use
 * counts at once, so they do not depend on when that thread runs. */
static void test_deferred_free_not_in_use(void) {
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  block_t b = {0};
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/block"), on_block, &b, &id), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/block"), "x", 1), EVS_OK);
  while (!atomic_load(&b.entered))
    usleep(100);
  evs_alloc_stats_t a0, a1;
  evs_alloc_stats(&a0);
  for (int i = 0; i < 50; i++) {
    ASSERT_EQ(evs_store_subscribe(s, S("/x"), on_nothing, NULL, &id), EVS_OK);
    ASSERT_EQ(evs_store_unsubscribe(s, id), EVS_OK);
  }
  evs_alloc_stats(&a1);
  ASSERT_UINT_EQ(a1.live_blocks, a0.live_blocks + 50);
  ASSERT_UINT_EQ(a1.in_use_blocks, a0.in_use_blocks);
  ASSERT_UINT_EQ(a1.in_use_bytes, a0.in_use_bytes);
  atomic_store(&b.release, 1);
  /* The dispatcher frees them when it goes idle. */
  for (int i = 0; i < 100000 && a1.live_blocks != a0.live_blocks; i++) {
    usleep(100);
    evs_alloc_stats(&a1);
  }
  ASSERT_UINT_EQ(a1.live_blocks, a0.live_blocks);
  ASSERT_UINT_EQ(a1.live_bytes, a0.live_bytes);
  ASSERT_UINT_EQ(a1.in_use_blocks, a0.in_use_blocks);
  evs_store_free(s);
  evs_alloc_stats(&a1);
  ASSERT_UINT_EQ(a1.in_use_blocks, a1.live_blocks);
  ASSERT_UINT_EQ(a1.in_use_bytes, a1.live_bytes);
}

static const check_case_t cases[] = {
    {"listener_unsubscribes_later_sub", test_listener_unsubscribes_later_sub},
    {"churn_against_writer", test_churn_against_writer},
    {"cross_store_unsubscribe", test_cross_store_unsubscribe},
    {"unobserved_writes_not_queued", test_unobserved_writes_not_queued},
    {"deferred_free_not_in_use", test_deferred_free_not_in_use},
    {NULL, NULL}};
CHECK_MAIN(cases)
