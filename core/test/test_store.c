/* Store: map semantics, events and listeners, subscription lifetimes,
 * overflow policies, close and concurrency. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "evstore.h"

#define S(x) x, strlen(x)

static uint64_t live_blocks(void) {
  evs_alloc_stats_t st;
  evs_alloc_stats(&st);
  return st.live_blocks;
}

/* Records what a listener saw, under a lock (listeners run on the
 * dispatcher thread, the test reads from the main thread). */
typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  uint64_t count;
  uint64_t last_seq;
  int out_of_order;
  char last_path[256];
  char last_value[64];
} rec_t;

static void rec_init(rec_t *r) {
  memset(r, 0, sizeof(*r));
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cv, NULL);
}
static void rec_destroy(rec_t *r) {
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->cv);
}

static void on_rec(const evs_event_t *ev, void *ud) {
  rec_t *r = ud;
  pthread_mutex_lock(&r->mu);
  if (ev->seq <= r->last_seq)
    r->out_of_order++;
  r->last_seq = ev->seq;
  r->count++;
  snprintf(r->last_path, sizeof(r->last_path), "%s", ev->path);
  snprintf(r->last_value, sizeof(r->last_value), "%.*s", (int)ev->value_len,
           ev->value_len ? (const char *)ev->value : "");
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
}

static int rec_wait(rec_t *r, uint64_t n) {
  pthread_mutex_lock(&r->mu);
  while (r->count < n)
    pthread_cond_wait(&r->cv, &r->mu);
  pthread_mutex_unlock(&r->mu);
  return 1;
}

static void test_set_get_delete(void) {
  uint64_t base = live_blocks();
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/users/1"), "alice", 5), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/users/1"), "bob", 3), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/empty"), NULL, 0), EVS_OK);
  void *v;
  size_t n;
  ASSERT_EQ(evs_store_get(s, S("/users/1"), &v, &n), EVS_OK);
  ASSERT_EQ(n, 3);
  ASSERT_STR_EQ((char *)v, "bob");
  evs_value_free(v);
  ASSERT_EQ(evs_store_get(s, S("/empty"), &v, &n), EVS_OK);
  ASSERT_EQ(n, 0);
  evs_value_free(v);
  ASSERT_EQ(evs_store_count(s), 2);
  ASSERT_EQ(evs_store_delete(s, S("/users/1")), EVS_OK);
  ASSERT_EQ(evs_store_delete(s, S("/users/1")), EVS_ENOTFOUND);
  ASSERT_EQ(evs_store_get(s, S("/users/1"), &v, &n), EVS_ENOTFOUND);
  for (int i = 0; i < 1000; i++) { /* grows the map */
    char p[32];
    snprintf(p, sizeof(p), "/k/%d", i);
    ASSERT_EQ(evs_store_set(s, S(p), p, strlen(p)), EVS_OK);
  }
  ASSERT_EQ(evs_store_count(s), 1001);
  ASSERT_EQ(evs_store_get(s, S("/k/777"), &v, &n), EVS_OK);
  ASSERT_STR_EQ((char *)v, "/k/777");
  evs_value_free(v);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  evs_store_free(s);
  ASSERT_UINT_EQ(live_blocks(), base);
}

static void test_bad_input_changes_nothing(void) {
  uint64_t base = live_blocks();
  evs_store_t *s;
  evs_store_config_t c = {.value_ring_bytes = 8192, .max_value_bytes = 100};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_OK);
  static char big[5000];
  char longp[300];
  memset(longp, 'a', sizeof(longp));
  longp[0] = '/';
  ASSERT_EQ(evs_store_set(s, longp, 256, "x", 1), EVS_EPATHLEN);
  ASSERT_EQ(evs_store_set(s, S("/a//b"), "x", 1), EVS_EPATH);
  ASSERT_EQ(evs_store_set(s, S("/a"), big, 101), EVS_E2BIG);
  ASSERT_EQ(evs_store_set(s, S("/a"), NULL, 1), EVS_EINVAL);
  ASSERT_EQ(evs_store_set(NULL, S("/a"), "x", 1), EVS_EINVAL);
  ASSERT_EQ(evs_store_count(s), 0);
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/a/**/b"), on_rec, NULL, &id),
            EVS_EPATTERN);
  ASSERT_EQ(evs_store_subscription_count(s), 0);
  ASSERT_EQ(evs_store_unsubscribe(s, 12345), EVS_ENOTFOUND);
  evs_queue_stats_t st;
  ASSERT_EQ(evs_store_queue_stats(s, &st), EVS_OK);
  ASSERT_UINT_EQ(st.pending + st.processed, 0);
  evs_store_free(s);
  c = (evs_store_config_t){.value_ring_bytes = 8192, .max_value_bytes = 5000};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_ERANGE);
  c = (evs_store_config_t){.queue_slots = 100};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_ERANGE);
  c = (evs_store_config_t){.overflow = 7};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_ERANGE);
  ASSERT_UINT_EQ(live_blocks(), base);
}

static void test_events_and_patterns(void) {
  evs_store_t *s;
  rec_t all, users, one;
  rec_init(&all);
  rec_init(&users);
  rec_init(&one);
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  uint64_t a, b, c;
  ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_rec, &all, &a), EVS_OK);
  ASSERT_EQ(evs_store_subscribe(s, S("/users/*"), on_rec, &users, &b), EVS_OK);
  ASSERT_EQ(evs_store_subscribe(s, S("/users/1"), on_rec, &one, &c), EVS_OK);
  ASSERT_NE(a, b);
  ASSERT_EQ(evs_store_set(s, S("/users/1"), "x", 1), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/users/2"), "y", 1), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/other"), "z", 1), EVS_OK);
  ASSERT_EQ(evs_store_delete(s, S("/users/2")), EVS_OK);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_UINT_EQ(all.count, 4);
  ASSERT_UINT_EQ(users.count, 3);
  ASSERT_UINT_EQ(one.count, 1);
  ASSERT_EQ(all.out_of_order, 0);
  ASSERT_STR_EQ(users.last_path, "/users/2");
  ASSERT_STR_EQ(users.last_value, "");
  ASSERT_STR_EQ(one.last_value, "x");
  /* After close: ECLOSED everywhere, second close harmless. */
  ASSERT_EQ(evs_store_set(s, S("/a"), "x", 1), EVS_ECLOSED);
  ASSERT_EQ(evs_store_subscribe(s, S("/a"), on_rec, &one, &c), EVS_ECLOSED);
  ASSERT_EQ(evs_store_unsubscribe(s, a), EVS_ECLOSED);
  evs_queue_stats_t st;
  ASSERT_EQ(evs_store_queue_stats(s, &st), EVS_ECLOSED);
  ASSERT_UINT_EQ(st.processed, 4);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  evs_store_free(s);
  rec_destroy(&all);
  rec_destroy(&users);
  rec_destroy(&one);
}

/* Subscribing sees only later writes. */
static void test_subscribe_sees_later_writes_only(void) {
  evs_store_t *s;
  rec_t r;
  rec_init(&r);
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/a"), "1", 1), EVS_OK);
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/a"), on_rec, &r, &id), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/a"), "2", 1), EVS_OK);
  evs_store_free(s);
  ASSERT_UINT_EQ(r.count, 1);
  ASSERT_STR_EQ(r.last_value, "2");
  rec_destroy(&r);
}

typedef struct {
  evs_store_t *s;
  uint64_t id;
  atomic_int calls;
  int unsub_rc;
  int set_rc;
  int close_rc;
} self_t;

static void on_self_unsub(const evs_event_t *ev, void *ud) {
  (void)ev;
  self_t *x = ud;
  if (atomic_fetch_add(&x->calls, 1) == 0) {
    x->unsub_rc = evs_store_unsubscribe(x->s, x->id);
    x->close_rc = evs_store_close(x->s, EVS_CLOSE_DELIVER);
    uint64_t other;
    /* Subscribing from inside a listener is allowed; freed at close. */
    evs_store_subscribe(x->s, S("/z"), on_self_unsub, x, &other);
  }
}

static void test_unsubscribe_inside_listener(void) {
  uint64_t base = live_blocks();
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  self_t x = {.s = s};
  ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_self_unsub, &x, &x.id), EVS_OK);
  for (int i = 0; i < 100; i++)
    ASSERT_EQ(evs_store_set(s, S("/a"), "v", 1), EVS_OK);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_EQ(atomic_load(&x.calls), 1);
  ASSERT_EQ(x.unsub_rc, EVS_OK);
  ASSERT_EQ(x.close_rc, EVS_EDEADLK);
  evs_store_free(s);
  ASSERT_UINT_EQ(live_blocks(), base);
}

typedef struct {
  atomic_int in_call;
  atomic_int after_unsub;
  atomic_int unsub_done;
} slow_t;

static void on_slow(const evs_event_t *ev, void *ud) {
  (void)ev;
  slow_t *x = ud;
  atomic_store(&x->in_call, 1);
  if (atomic_load(&x->unsub_done))
    atomic_fetch_add(&x->after_unsub, 1);
  usleep(200);
}

/* From another thread: after unsubscribe returns, never called again, and
 * freed once the dispatcher is idle; both for the subscription whose
 * listener is running (x) and for a later one (y) while x's runs. */
static void test_unsubscribe_waits_for_call(void) {
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/a"), "v", 1), EVS_OK); /* the map's entry */
  uint64_t base = live_blocks();
  for (int round = 0; round < 20; round++) {
    slow_t x = {0}, y = {0};
    uint64_t id, other;
    ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_slow, &x, &id), EVS_OK);
    ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_slow, &y, &other), EVS_OK);
    for (int i = 0; i < 50; i++)
      ASSERT_EQ(evs_store_set(s, S("/a"), "v", 1), EVS_OK);
    while (!atomic_load(&x.in_call))
      usleep(50);
    ASSERT_EQ(evs_store_unsubscribe(s, other), EVS_OK);
    atomic_store(&y.unsub_done, 1);
    ASSERT_EQ(evs_store_unsubscribe(s, id), EVS_OK);
    atomic_store(&x.unsub_done, 1);
    ASSERT_EQ(evs_store_unsubscribe(s, id), EVS_ENOTFOUND);
    usleep(2000);
    ASSERT_EQ(atomic_load(&x.after_unsub), 0);
    ASSERT_EQ(atomic_load(&y.after_unsub), 0);
    /* Both freed by the time the dispatcher has drained and gone idle. */
    for (int i = 0; i < 5000 && live_blocks() > base; i++)
      usleep(1000);
    ASSERT_UINT_EQ(live_blocks(), base);
  }
  evs_store_free(s);
}

typedef struct {
  evs_store_t *s;
  int tid;
  int n;
} writer_t;

static void *writer_main(void *arg) {
  writer_t *w = arg;
  char p[32], v[32];
  for (int i = 0; i < w->n; i++) {
    snprintf(p, sizeof(p), "/w%d/%d", w->tid, i % 50);
    int vl = snprintf(v, sizeof(v), "%d:%d", w->tid, i);
    if (evs_store_set(w->s, S(p), v, (size_t)vl) != EVS_OK)
      return (void *)1;
  }
  return NULL;
}

static void test_concurrent_writers(void) {
  uint64_t base = live_blocks();
  evs_store_t *s;
  evs_store_config_t c = {.queue_slots = 16, .value_ring_bytes = 4096};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_OK);
  rec_t r;
  rec_init(&r);
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_rec, &r, &id), EVS_OK);
  enum { NT = 4, N = 2000 };
  pthread_t t[NT];
  writer_t w[NT];
  for (int i = 0; i < NT; i++) {
    w[i] = (writer_t){s, i, N};
    ASSERT_EQ(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
  }
  int failed = 0;
  for (int i = 0; i < NT; i++) {
    void *ret;
    pthread_join(t[i], &ret);
    failed += ret != NULL;
  }
  ASSERT_EQ(failed, 0);
  rec_wait(&r, NT * N);
  ASSERT_UINT_EQ(r.count, NT * N); /* block policy: nothing lost */
  ASSERT_EQ(r.out_of_order, 0);
  ASSERT_EQ(evs_store_count(s), NT * 50);
  evs_queue_stats_t st;
  evs_store_queue_stats(s, &st);
  ASSERT_UINT_EQ(st.dropped, 0);
  ASSERT_GT(st.slot_wraps, 10);
  evs_store_free(s);
  rec_destroy(&r);
  ASSERT_UINT_EQ(live_blocks(), base);
}

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int release;
  atomic_uint_fast64_t seen;
} gate_t;

static void on_gated(const evs_event_t *ev, void *ud) {
  (void)ev;
  gate_t *g = ud;
  pthread_mutex_lock(&g->mu);
  while (!g->release)
    pthread_cond_wait(&g->cv, &g->mu);
  pthread_mutex_unlock(&g->mu);
  atomic_fetch_add(&g->seen, 1);
}

static void open_gate(gate_t *g) {
  pthread_mutex_lock(&g->mu);
  g->release = 1;
  pthread_cond_broadcast(&g->cv);
  pthread_mutex_unlock(&g->mu);
}

static void test_drop_policy(void) {
  evs_store_t *s;
  evs_store_config_t c = {.queue_slots = 8, .overflow = EVS_OVERFLOW_DROP};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_OK);
  gate_t g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_gated, &g, &id), EVS_OK);
  for (int i = 0; i < 100; i++)
    ASSERT_EQ(evs_store_set(s, S("/a"), "v", 1), EVS_OK);
  evs_queue_stats_t st;
  evs_store_queue_stats(s, &st);
  /* The dispatcher holds at most one event in the blocked listener, the
   * queue at most 8: at least 91 of 100 were dropped and counted. */
  ASSERT_GE(st.dropped, 91);
  ASSERT_LE(st.high_water, 8);
  void *v;
  size_t n;
  ASSERT_EQ(evs_store_get(s, S("/a"), &v, &n), EVS_OK); /* map still updated */
  evs_value_free(v);
  open_gate(&g);
  evs_store_close(s, EVS_CLOSE_DELIVER);
  evs_store_queue_stats(s, &st);
  ASSERT_UINT_EQ(atomic_load(&g.seen) + st.dropped, 100);
  evs_store_free(s);
}

typedef struct {
  evs_store_t *s;
  int n;
  int rc;
} bw_t;

static void *blocked_writer(void *arg) {
  bw_t *b = arg;
  for (int i = 0; i < b->n; i++) {
    b->rc = evs_store_set(b->s, S("/b"), "v", 1);
    if (b->rc != EVS_OK)
      break;
  }
  return NULL;
}

/* Block policy: writers wait for the slow consumer and nothing is lost;
 * close discards what is pending and wakes blocked writers. */
static void test_block_policy_and_discard_close(void) {
  uint64_t base = live_blocks();
  evs_store_t *s;
  evs_store_config_t c = {.queue_slots = 8};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_OK);
  gate_t g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_gated, &g, &id), EVS_OK);
  bw_t b = {s, 50, 0};
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, NULL, blocked_writer, &b), 0);
  /* Wait until the writer is blocked on a full queue. */
  evs_queue_stats_t st;
  do {
    usleep(1000);
    evs_store_queue_stats(s, &st);
  } while (st.pending < 8);
  /* Reads still work while a writer is blocked. */
  void *v;
  size_t n;
  ASSERT_EQ(evs_store_get(s, S("/b"), &v, &n), EVS_OK);
  evs_value_free(v);
  open_gate(&g);
  pthread_join(t, NULL);
  ASSERT_EQ(b.rc, EVS_OK);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_UINT_EQ(atomic_load(&g.seen), 50);
  evs_store_free(s);

  /* Discard close with a writer blocked and events pending. */
  gate_t g2 = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_OK);
  ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_gated, &g2, &id), EVS_OK);
  b = (bw_t){s, 100000000, 0};
  ASSERT_EQ(pthread_create(&t, NULL, blocked_writer, &b), 0);
  do {
    usleep(1000);
    evs_store_queue_stats(s, &st);
  } while (st.pending < 8);
  open_gate(&g2); /* the listener finishes its current call */
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DISCARD), EVS_OK);
  pthread_join(t, NULL);
  ASSERT_EQ(b.rc, EVS_ECLOSED);
  ASSERT_LT(atomic_load(&g2.seen), 100000000);
  evs_store_free(s);
  ASSERT_UINT_EQ(live_blocks(), base);
}

static atomic_int nested_rc = 1;
static void on_nested_set(const evs_event_t *ev, void *ud) {
  evs_store_t *s = ud;
  (void)ev;
  /* Fill the queue from the dispatcher: must fail, not deadlock. */
  int rc = EVS_OK;
  for (int i = 0; i < 100 && rc == EVS_OK; i++)
    rc = evs_store_set(s, S("/nested"), "v", 1);
  nested_rc = rc;
}

static void test_set_from_listener_does_not_deadlock(void) {
  evs_store_t *s;
  evs_store_config_t c = {.queue_slots = 8};
  ASSERT_EQ(evs_store_open(&c, &s), EVS_OK);
  uint64_t id;
  ASSERT_EQ(evs_store_subscribe(s, S("/start"), on_nested_set, s, &id), EVS_OK);
  ASSERT_EQ(evs_store_set(s, S("/start"), "", 0), EVS_OK);
  while (atomic_load(&nested_rc) == 1) /* close would stop the intake */
    usleep(100);
  evs_store_close(s, EVS_CLOSE_DELIVER);
  evs_store_free(s);
  ASSERT_EQ(nested_rc, EVS_EDEADLK);
}

/* Close while the dispatcher is busy delivering; counts return to zero. */
static void test_close_while_delivering(void) {
  uint64_t base = live_blocks();
  evs_core_counts_t before, after;
  evs_core_counts(&before);
  for (int round = 0; round < 30; round++) {
    evs_store_t *s;
    ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
    rec_t r;
    rec_init(&r);
    uint64_t id;
    ASSERT_EQ(evs_store_subscribe(s, S("/**"), on_rec, &r, &id), EVS_OK);
    for (int i = 0; i < 300; i++)
      ASSERT_EQ(evs_store_set(s, S("/x"), "0123456789", 10), EVS_OK);
    ASSERT_EQ(
        evs_store_close(s, round % 2 ? EVS_CLOSE_DISCARD : EVS_CLOSE_DELIVER),
        EVS_OK);
    if (round % 2 == 0)
      ASSERT_UINT_EQ(r.count, 300);
    evs_store_free(s);
    rec_destroy(&r);
  }
  evs_core_counts(&after);
  ASSERT_UINT_EQ(after.threads, before.threads);
  ASSERT_UINT_EQ(after.stores, before.stores);
  ASSERT_UINT_EQ(after.subscriptions, before.subscriptions);
  ASSERT_UINT_EQ(live_blocks(), base);
}

static void *closer(void *arg) {
  evs_store_close(arg, EVS_CLOSE_DELIVER);
  return NULL;
}

static void test_concurrent_close(void) {
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  for (int i = 0; i < 100; i++)
    evs_store_set(s, S("/x"), "v", 1);
  pthread_t t[3];
  for (int i = 0; i < 3; i++)
    pthread_create(&t[i], NULL, closer, s);
  for (int i = 0; i < 3; i++)
    pthread_join(t[i], NULL);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  evs_store_free(s);
  evs_store_free(NULL);
}

/* on_drained: what the hook saw, under the rec_t's lock. */
typedef struct {
  rec_t *rec;
  uint64_t calls;
  uint64_t delivered_at_last; /* rec->count when the hook last ran */
  pthread_t thread;           /* the thread the hook last ran on */
} drained_t;

static pthread_t listener_thread;
static void on_rec_thread(const evs_event_t *ev, void *ud) {
  listener_thread = pthread_self(); /* read after a cond handshake */
  on_rec(ev, ud);
}

static void on_drained(void *ud) {
  drained_t *d = ud;
  pthread_mutex_lock(&d->rec->mu);
  d->calls++;
  d->delivered_at_last = d->rec->count;
  d->thread = pthread_self();
  pthread_cond_broadcast(&d->rec->cv);
  pthread_mutex_unlock(&d->rec->mu);
}

/* Waits up to 10 s for the hook to run with `delivered` events delivered
 * and more than `calls_before` calls. */
static int drained_wait(drained_t *d, uint64_t delivered,
                        uint64_t calls_before) {
  struct timespec until;
  int ok = 1;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 10;
  pthread_mutex_lock(&d->rec->mu);
  while (ok && !(d->calls > calls_before && d->delivered_at_last == delivered))
    ok = pthread_cond_timedwait(&d->rec->cv, &d->rec->mu, &until) == 0;
  pthread_mutex_unlock(&d->rec->mu);
  return ok;
}

/* The dispatcher calls on_drained after the last event of every burst, on
 * its own thread, also when that event matched no subscription. */
static void test_on_drained_after_each_burst(void) {
  rec_t r;
  drained_t d = {.rec = &r};
  rec_init(&r);
  evs_store_config_t c = {
      .queue_slots = 64, .on_drained = on_drained, .on_drained_user = &d};
  evs_store_t *s;
  uint64_t id, calls;
  ASSERT_EQ(evs_store_open(&c, &s), EVS_OK);
  ASSERT_EQ(evs_store_subscribe(s, S("/a/*"), on_rec_thread, &r, &id), EVS_OK);
  for (int i = 0; i < 1000; i++) /* more than the queue holds */
    ASSERT_EQ(evs_store_set(s, S("/a/x"), "v", 1), EVS_OK);
  ASSERT_TRUE(drained_wait(&d, 1000, 0));
  pthread_mutex_lock(&r.mu);
  ASSERT_TRUE(pthread_equal(d.thread, listener_thread));
  ASSERT_TRUE(!pthread_equal(d.thread, pthread_self()));
  calls = d.calls;
  pthread_mutex_unlock(&r.mu);
  /* An event nobody listens to still ends in a drained call. */
  ASSERT_EQ(evs_store_set(s, S("/b/x"), "v", 1), EVS_OK);
  ASSERT_TRUE(drained_wait(&d, 1000, calls));
  ASSERT_EQ(evs_store_set(s, S("/a/y"), "w", 1), EVS_OK);
  ASSERT_TRUE(drained_wait(&d, 1001, calls + 1));
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  evs_store_free(s);
  ASSERT_EQ(r.out_of_order, 0);
  rec_destroy(&r);
}

static void test_errors_table(void) {
  ASSERT_STR_EQ(evs_err_name(EVS_ENOMEM), "EVS_ENOMEM");
  ASSERT_STR_EQ(evs_strerror(EVS_EPATHLEN), "path too long");
  ASSERT_STR_EQ(evs_err_name(-999), "EVS_UNKNOWN");
  ASSERT_STR_EQ(evs_strerror(-999), "unknown error");
  /* Every code in the table has a distinct name. */
  const char *names[] = {
#define N_(name, value, msg) #name,
      EVS_ERRNO_MAP(N_)
#undef N_
  };
  int values[] = {
#define V_(name, value, msg) value,
      EVS_ERRNO_MAP(V_)
#undef V_
  };
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
    ASSERT_STR_EQ(evs_err_name(values[i]), names[i]);
}

static const check_case_t cases[] = {
    {"set_get_delete", test_set_get_delete},
    {"bad_input_changes_nothing", test_bad_input_changes_nothing},
    {"events_and_patterns", test_events_and_patterns},
    {"subscribe_sees_later_writes_only", test_subscribe_sees_later_writes_only},
    {"unsubscribe_inside_listener", test_unsubscribe_inside_listener},
    {"unsubscribe_waits_for_call", test_unsubscribe_waits_for_call},
    {"concurrent_writers", test_concurrent_writers},
    {"drop_policy", test_drop_policy},
    {"block_policy_and_discard_close", test_block_policy_and_discard_close},
    {"set_from_listener_does_not_deadlock",
     test_set_from_listener_does_not_deadlock},
    {"close_while_delivering", test_close_while_delivering},
    {"concurrent_close", test_concurrent_close},
    {"on_drained_after_each_burst", test_on_drained_after_each_burst},
    {"errors_table", test_errors_table},
    {NULL, NULL}};
CHECK_MAIN(cases)
