/* Worker: bootstrap/poll/complete/status/stop, capacity and drops, the
 * malloc'd JSON handoff, and interaction with store close. */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "evstore.h"

#define S(x) x, strlen(x)

static uint64_t live_blocks(void) {
  evs_alloc_stats_t st;
  evs_alloc_stats(&st);
  return st.live_blocks;
}

/* Waits until the worker has `n` pending events (delivery is asynchronous). */
static int wait_pending(evs_worker_t *w, uint64_t n) {
  evs_worker_status_t st;
  for (int i = 0; i < 20000; i++) {
    evs_worker_status(w, &st);
    if (st.pending + st.dropped >= n)
      return 1;
    usleep(100);
  }
  return 0;
}

/* A store, a worker on it, and the allocator's live blocks before both. */
typedef struct {
  uint64_t base;
  evs_store_t *s;
  evs_worker_t *w;
} fixture_t;

/* Opens a store and a worker on pattern with room for cap events. */
static void fixture_open(fixture_t *f, const char *pattern, uint32_t cap) {
  f->base = live_blocks();
  ASSERT_EQ(evs_store_open(NULL, &f->s), EVS_OK);
  ASSERT_EQ(evs_worker_open(f->s, S(pattern), cap, &f->w), EVS_OK);
}

/* Frees the worker and the store; every block must be back. */
static void fixture_free(fixture_t *f) {
  evs_worker_free(f->w);
  evs_store_free(f->s);
  ASSERT_UINT_EQ(live_blocks(), f->base);
}

static void test_poll_complete_status(void) {
  fixture_t f;
  fixture_open(&f, "/jobs/**", 16);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(evs_store_set(f.s, S("/jobs/1"), "a", 1), EVS_OK);
  ASSERT_EQ(evs_store_set(f.s, S("/other"), "x", 1), EVS_OK);
  ASSERT_EQ(evs_store_set(f.s, S("/jobs/2/x"), "bb", 2), EVS_OK);
  ASSERT_EQ(evs_store_delete(f.s, S("/jobs/1")), EVS_OK);
  ASSERT_TRUE(wait_pending(f.w, 3));

  evs_step_event_t *ev;
  size_t n;
  ASSERT_EQ(evs_worker_poll(f.w, 2, &ev, &n), EVS_OK);
  ASSERT_EQ(n, 2);
  ASSERT_UINT_EQ(ev[0].id, 1);
  ASSERT_STR_EQ(ev[0].path, "/jobs/1");
  ASSERT_STR_EQ(ev[0].value, "a");
  ASSERT_EQ(ev[0].type, EVS_EVENT_SET);
  ASSERT_STR_EQ(ev[1].path, "/jobs/2/x");
  ASSERT_EQ(ev[1].value_len, 2);
  ASSERT_LT(ev[0].seq, ev[1].seq);
  uint64_t id0 = ev[0].id, id1 = ev[1].id;
  evs_step_events_free(ev, n);

  evs_worker_status_t st;
  evs_worker_status(f.w, &st);
  ASSERT_TRUE(st.running);
  ASSERT_UINT_EQ(st.pending, 1);
  ASSERT_UINT_EQ(st.in_flight, 2);

  ASSERT_EQ(evs_worker_complete(f.w, id0, NULL), EVS_OK);
  ASSERT_EQ(evs_worker_complete(f.w, id1, "boom"), EVS_OK);
  ASSERT_EQ(evs_worker_complete(f.w, id1, NULL), EVS_EUNKNOWNID);
  ASSERT_EQ(evs_worker_complete(f.w, 999, NULL), EVS_EUNKNOWNID);

  ASSERT_EQ(evs_worker_poll(f.w, 10, &ev, &n), EVS_OK);
  ASSERT_EQ(n, 1);
  ASSERT_EQ(ev[0].type, EVS_EVENT_DELETE);
  ASSERT_EQ(ev[0].value_len, 0);
  ASSERT_EQ(evs_worker_complete(f.w, ev[0].id, NULL), EVS_OK);
  evs_step_events_free(ev, n);
  ASSERT_EQ(evs_worker_poll(f.w, 10, &ev, &n), EVS_OK);
  ASSERT_EQ(n, 0);
  ASSERT_TRUE(ev == NULL);

  char *json = evs_worker_status_json(f.w);
  ASSERT_TRUE(json != NULL);
  ASSERT_STR_EQ(json, "{\"running\":true,\"pending\":0,\"inFlight\":0,"
                      "\"completed\":2,\"failed\":1,\"dropped\":0}");
  evs_string_free(json);

  ASSERT_EQ(evs_worker_close(f.w), EVS_OK);
  ASSERT_EQ(evs_worker_close(f.w), EVS_OK);
  evs_worker_status(f.w, &st);
  ASSERT_TRUE(!st.running);
  ASSERT_EQ(evs_store_subscription_count(f.s), 0);
  fixture_free(&f);
}

static void test_capacity_drops_and_free_with_events(void) {
  fixture_t f;
  fixture_open(&f, "/**", 4);
  CHECK_RETURN_IF_FAILED();
  for (int i = 0; i < 10; i++)
    ASSERT_EQ(evs_store_set(f.s, S("/a"), "v", 1), EVS_OK);
  ASSERT_TRUE(wait_pending(f.w, 10));
  evs_step_event_t *ev;
  size_t n;
  ASSERT_EQ(evs_worker_poll(f.w, 2, &ev, &n), EVS_OK); /* 2 in flight */
  evs_step_events_free(ev, n);
  evs_worker_status_t st;
  evs_worker_status(f.w, &st);
  ASSERT_UINT_EQ(st.dropped, 6);
  ASSERT_UINT_EQ(st.pending, 2);
  ASSERT_UINT_EQ(st.in_flight, 2);
  /* Closing the store stops the worker; it still frees what it holds. */
  ASSERT_EQ(evs_store_close(f.s, EVS_CLOSE_DELIVER), EVS_OK);
  evs_worker_status(f.w, &st);
  ASSERT_TRUE(!st.running);
  ASSERT_EQ(evs_worker_poll(f.w, 1, &ev, &n), EVS_OK);
  ASSERT_EQ(n, 1);
  evs_step_events_free(ev, n);
  fixture_free(&f);
}

static void test_bootstrap_errors(void) {
  uint64_t base = live_blocks();
  evs_store_t *s;
  evs_worker_t *w = NULL;
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  ASSERT_EQ(evs_worker_open(s, S("/a/**/b"), 4, &w), EVS_EPATTERN);
  ASSERT_EQ(evs_worker_open(s, S("/a"), 0, &w), EVS_ERANGE);
  ASSERT_EQ(evs_worker_open(NULL, S("/a"), 4, &w), EVS_EINVAL);
  ASSERT_TRUE(w == NULL);
  ASSERT_EQ(evs_worker_complete(NULL, 1, NULL), EVS_EINVAL);
  ASSERT_TRUE(evs_worker_status_json(NULL) == NULL);
  evs_string_free(NULL);
  evs_store_close(s, EVS_CLOSE_DELIVER);
  ASSERT_EQ(evs_worker_open(s, S("/a"), 4, &w), EVS_ECLOSED);
  evs_store_free(s);
  ASSERT_UINT_EQ(live_blocks(), base);
}

static const check_case_t cases[] = {
    {"poll_complete_status", test_poll_complete_status},
    {"capacity_drops_and_free_with_events",
     test_capacity_drops_and_free_with_events},
    {"bootstrap_errors", test_bootstrap_errors},
    {NULL, NULL}};
CHECK_MAIN(cases)
