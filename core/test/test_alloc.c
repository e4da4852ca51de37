/* Allocation accounting and the allocation-failure sweep (the SQLite way):
 * for every public operation, fail the n-th allocation for n = 1, 2, ...
 * until the operation no longer reaches an n-th allocation. Each step must
 * return a clear error (or succeed, where a failure is harmless by design),
 * leave the object unchanged, and leave live blocks where they were. */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "evstore.h"
#include "evstore/testing.h"

#define S(x) x, strlen(x)

static evs_alloc_stats_t stats(void) {
  evs_alloc_stats_t st;
  evs_alloc_stats(&st);
  return st;
}

static void test_counters_exact(void) {
  evs_alloc_stats_t a = stats();
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  evs_alloc_stats_t b = stats();
  ASSERT_GT(b.live_blocks, a.live_blocks);
  ASSERT_GE(b.live_bytes - a.live_bytes, (1u << 20)); /* the value ring */
  ASSERT_GE(b.peak_bytes, b.live_bytes);
  ASSERT_EQ(evs_store_set(s, S("/a"), "12345", 5), EVS_OK);
  evs_alloc_stats_t c = stats();
  /* One entry (header + path) and one value copy (5 + NUL). */
  ASSERT_UINT_EQ(c.live_blocks - b.live_blocks, 2);
  ASSERT_UINT_EQ(c.total_allocs - b.total_allocs, 2);
  evs_store_free(s);
  evs_alloc_stats_t d = stats();
  ASSERT_UINT_EQ(d.live_blocks, a.live_blocks);
  ASSERT_UINT_EQ(d.live_bytes, a.live_bytes);
}

/* Overwriting a value of similar size reuses its block: no allocation on
 * the steady-state write path; a much smaller value gets a new block, so a
 * key never holds more than twice what its value needs. */
static void test_overwrite_reuses_block(void) {
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  char big[1000], v[1001];
  memset(big, 'b', sizeof(big));
  ASSERT_EQ(evs_store_set(s, S("/k"), big, 1000), EVS_OK);
  evs_alloc_stats_t a = stats();
  for (int i = 0; i < 100; i++) {
    size_t n = 600 + (size_t)i;
    memset(v, 'a' + i % 26, n);
    ASSERT_EQ(evs_store_set(s, S("/k"), v, n), EVS_OK);
  }
  evs_alloc_stats_t b = stats();
  ASSERT_UINT_EQ(b.total_allocs, a.total_allocs);
  void *got;
  size_t n;
  ASSERT_EQ(evs_store_get(s, S("/k"), &got, &n), EVS_OK);
  ASSERT_EQ(n, 699);
  ASSERT_MEM_EQ(got, v, 699);
  ASSERT_EQ(((char *)got)[699], '\0');
  evs_value_free(got);
  ASSERT_EQ(evs_store_set(s, S("/k"), "tiny", 4), EVS_OK);
  evs_alloc_stats_t c = stats();
  ASSERT_UINT_EQ(c.total_allocs, b.total_allocs + 2); /* new block + get */
  ASSERT_LT(c.live_bytes, b.live_bytes);
  ASSERT_EQ(evs_store_get(s, S("/k"), &got, &n), EVS_OK);
  ASSERT_STR_EQ((char *)got, "tiny");
  evs_value_free(got);
  evs_store_free(s);
}

static int hook_calls;
static void *counting_malloc(size_t n, void *ctx) {
  (void)ctx;
  hook_calls++;
  return malloc(n);
}
static void counting_free(void *p, void *ctx) {
  (void)ctx;
  free(p);
}

static void test_hook(void) {
  evs_allocator_t a = {counting_malloc, counting_free, NULL};
  ASSERT_EQ(evs_alloc_set_hook(&a), EVS_OK);
  evs_store_t *s;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  ASSERT_GT(hook_calls, 0);
  ASSERT_EQ(evs_alloc_set_hook(NULL), EVS_EBUSY); /* blocks are live */
  evs_store_free(s);
  ASSERT_EQ(evs_alloc_set_hook(NULL), EVS_OK);
  evs_allocator_t bad = {NULL, counting_free, NULL};
  ASSERT_EQ(evs_alloc_set_hook(&bad), EVS_EINVAL);
}

/* An operation under test: returns its result code; `ctx` is prepared
 * state. check() verifies the object is unchanged after a failure. */
typedef struct sweep_s {
  int (*op)(void *ctx);
  void (*undo)(void *ctx); /* releases what a successful op created */
  int (*unchanged)(void *ctx);
} sweep_t;

/* Returns the number of allocation points swept. */
static int sweep(const sweep_t *sw, void *ctx) {
  for (uint64_t n = 1; n < 1000; n++) {
    evs_alloc_stats_t before = stats();
    evs_alloc_fail_nth(n);
    int rc = sw->op(ctx);
    evs_alloc_fail_nth(0);
    evs_alloc_stats_t after = stats();
    int injected = after.failed_allocs > before.failed_allocs;
    if (rc == EVS_OK) {
      if (sw->undo)
        sw->undo(ctx);
      if (!injected)
        return (int)n - 1; /* reached the end: every point was swept */
    } else {
      if (!injected || rc != EVS_ENOMEM) {
        fprintf(stderr, "allocation point %llu: rc %s, injected %d\n",
                (unsigned long long)n, evs_err_name(rc), injected);
        check_failed = 1;
        return -1;
      }
      if (sw->unchanged && !sw->unchanged(ctx)) {
        fprintf(stderr, "object changed after failure at n=%llu\n",
                (unsigned long long)n);
        check_failed = 1;
        return -1;
      }
    }
    evs_alloc_stats_t end = stats();
    if (end.live_blocks != before.live_blocks) {
      fprintf(stderr, "leak at allocation point %llu: %llu -> %llu blocks\n",
              (unsigned long long)n, (unsigned long long)before.live_blocks,
              (unsigned long long)end.live_blocks);
      check_failed = 1;
      return -1;
    }
  }
  check_failed = 1;
  return -1;
}

typedef struct {
  evs_store_t *s;
  evs_worker_t *w;
  uint64_t id;
  char *json;
  evs_step_event_t *ev;
  size_t n;
  void *v;
  size_t vlen;
} ctx_t;

static int op_open(void *c) {
  return evs_store_open(NULL, &((ctx_t *)c)->s);
}
static void undo_open(void *c) {
  evs_store_free(((ctx_t *)c)->s);
}

static int op_set_new(void *c) {
  return evs_store_set(((ctx_t *)c)->s, S("/new/key"), "value", 5);
}
static void undo_set_new(void *c) {
  evs_store_delete(((ctx_t *)c)->s, S("/new/key"));
}
static int unchanged_no_new_key(void *c) {
  void *v;
  size_t n;
  return evs_store_get(((ctx_t *)c)->s, S("/new/key"), &v, &n) == EVS_ENOTFOUND;
}

static int op_set_replace(void *c) {
  return evs_store_set(((ctx_t *)c)->s, S("/old"), "replaced", 8);
}
static void undo_set_replace(void *c) {
  evs_store_set(((ctx_t *)c)->s, S("/old"), "orig", 4);
}
static int unchanged_old(void *c) {
  void *v;
  size_t n;
  if (evs_store_get(((ctx_t *)c)->s, S("/old"), &v, &n) != EVS_OK)
    return 0;
  int same = n == 4 && memcmp(v, "orig", 4) == 0;
  evs_value_free(v);
  return same;
}

static int op_get(void *c) {
  ctx_t *x = c;
  return evs_store_get(x->s, S("/old"), &x->v, &x->vlen);
}
static void undo_get(void *c) {
  evs_value_free(((ctx_t *)c)->v);
}

static int op_delete(void *c) {
  return evs_store_delete(((ctx_t *)c)->s, S("/old"));
}

static void noop_listener(const evs_event_t *ev, void *ud) {
  (void)ev;
  (void)ud;
}
static int op_subscribe(void *c) {
  ctx_t *x = c;
  return evs_store_subscribe(x->s, S("/a/*"), noop_listener, NULL, &x->id);
}
static void undo_subscribe(void *c) {
  ctx_t *x = c;
  evs_store_unsubscribe(x->s, x->id);
}
static int unchanged_no_subs(void *c) {
  return evs_store_subscription_count(((ctx_t *)c)->s) == 0;
}

static int op_bootstrap(void *c) {
  ctx_t *x = c;
  return evs_worker_open(x->s, S("/jobs/**"), 64, &x->w);
}
static void undo_bootstrap(void *c) {
  evs_worker_free(((ctx_t *)c)->w);
}

static int op_poll(void *c) {
  ctx_t *x = c;
  return evs_worker_poll(x->w, 10, &x->ev, &x->n);
}
static int op_status_json(void *c) {
  ctx_t *x = c;
  x->json = evs_worker_status_json(x->w);
  return x->json ? EVS_OK : EVS_ENOMEM;
}
static void undo_status_json(void *c) {
  evs_string_free(((ctx_t *)c)->json);
}

static void test_sweep_store_ops(void) {
  if (evs_alloc_fail_nth(0) == EVS_ENOTSUP)
    return; /* release builds without injection */
  uint64_t base = stats().live_blocks;
  ctx_t x = {0};
  sweep_t open = {op_open, undo_open, NULL};
  ASSERT_GE(sweep(&open, &x), 3);
  ASSERT_UINT_EQ(stats().live_blocks, base);

  ASSERT_EQ(evs_store_open(NULL, &x.s), EVS_OK);
  ASSERT_EQ(evs_store_set(x.s, S("/old"), "orig", 4), EVS_OK);
  sweep_t set_new = {op_set_new, undo_set_new, unchanged_no_new_key};
  ASSERT_GE(sweep(&set_new, &x), 2);
  sweep_t set_rep = {op_set_replace, undo_set_replace, unchanged_old};
  ASSERT_GE(sweep(&set_rep, &x), 1);
  sweep_t get = {op_get, undo_get, unchanged_old};
  ASSERT_GE(sweep(&get, &x), 1);
  sweep_t sub = {op_subscribe, undo_subscribe, unchanged_no_subs};
  ASSERT_GE(sweep(&sub, &x), 1);
  sweep_t del = {op_delete, NULL, unchanged_old};
  ASSERT_GE(sweep(&del, &x), 0);
  evs_store_free(x.s);
  ASSERT_UINT_EQ(stats().live_blocks, base);
}

/* Polls w's status into *st every 0.1 ms until at least `pending` events
 * are pending and at least `settled` are pending or dropped (delivery is
 * asynchronous). */
static void wait_status(evs_worker_t *w, evs_worker_status_t *st,
                        uint64_t pending, uint64_t settled) {
  do {
    usleep(100);
    evs_worker_status(w, st);
  } while (st->pending < pending || st->dropped + st->pending < settled);
}

static void test_sweep_worker_ops(void) {
  if (evs_alloc_fail_nth(0) == EVS_ENOTSUP)
    return;
  uint64_t base = stats().live_blocks;
  ctx_t x = {0};
  ASSERT_EQ(evs_store_open(NULL, &x.s), EVS_OK);
  sweep_t boot = {op_bootstrap, undo_bootstrap, unchanged_no_subs};
  ASSERT_GE(sweep(&boot, &x), 3);
  ASSERT_EQ(evs_worker_open(x.s, S("/jobs/**"), 64, &x.w), EVS_OK);
  for (int i = 0; i < 5; i++)
    ASSERT_EQ(evs_store_set(x.s, S("/jobs/j"), "payload", 7), EVS_OK);
  evs_worker_status_t st;
  wait_status(x.w, &st, 5, 0);
  /* poll: on failure nothing moves, so the 5 events stay pending. */
  for (uint64_t n = 1;; n++) {
    evs_alloc_fail_nth(n);
    int rc = op_poll(&x);
    evs_alloc_fail_nth(0);
    if (rc == EVS_OK)
      break;
    ASSERT_EQ(rc, EVS_ENOMEM);
    evs_worker_status(x.w, &st);
    ASSERT_UINT_EQ(st.pending, 5);
  }
  ASSERT_EQ(x.n, 5);
  for (size_t i = 0; i < x.n; i++)
    ASSERT_EQ(evs_worker_complete(x.w, x.ev[i].id, NULL), EVS_OK);
  evs_step_events_free(x.ev, x.n);
  sweep_t js = {op_status_json, undo_status_json, NULL};
  ASSERT_GE(sweep(&js, &x), 1);
  /* An event whose copy cannot be allocated is counted as dropped. */
  evs_alloc_fail_nth(1);
  ASSERT_EQ(evs_store_set(x.s, S("/jobs/k"), "v", 1), EVS_ENOMEM);
  evs_alloc_fail_nth(3); /* set allocates 2; the 3rd is the worker's copy */
  ASSERT_EQ(evs_store_set(x.s, S("/jobs/k"), "v", 1), EVS_OK);
  wait_status(x.w, &st, 0, 1);
  evs_alloc_fail_nth(0);
  ASSERT_UINT_EQ(st.dropped, 1);
  evs_worker_free(x.w);
  evs_store_free(x.s);
  ASSERT_UINT_EQ(stats().live_blocks, base);
}

static void test_queue_create_sweep(void) {
  if (evs_alloc_fail_nth(0) == EVS_ENOTSUP)
    return;
  uint64_t base = stats().live_blocks;
  for (uint64_t n = 1;; n++) {
    evs_queue_t *q = NULL;
    evs_alloc_fail_nth(n);
    int rc = evs_queue_open(NULL, &q);
    evs_alloc_fail_nth(0);
    if (rc == EVS_OK) {
      evs_queue_free(q);
      ASSERT_EQ(n, 4);
      break;
    }
    ASSERT_EQ(rc, EVS_ENOMEM);
    ASSERT_TRUE(q == NULL);
    ASSERT_UINT_EQ(stats().live_blocks, base);
  }
}

static const check_case_t cases[] = {
    {"counters_exact", test_counters_exact},
    {"overwrite_reuses_block", test_overwrite_reuses_block},
    {"hook", test_hook},
    {"sweep_store_ops", test_sweep_store_ops},
    {"sweep_worker_ops", test_sweep_worker_ops},
    {"queue_create_sweep", test_queue_create_sweep},
    {NULL, NULL}};
CHECK_MAIN(cases)
