/* EventQueue: ordering, full/empty behaviour, both rings wrapping with
 * content checksums, and a two-thread run under the sanitizers. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

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
  ASSERT_EQ(evs_queue_create(&c, &q), EVS_ERANGE);
  c = (evs_queue_config_t){8, 1000};
  ASSERT_EQ(evs_queue_create(&c, &q), EVS_ERANGE);
  ASSERT_EQ(evs_queue_create(NULL, NULL), EVS_EINVAL);
  ASSERT_TRUE(q == NULL);
}

static void test_fifo_and_full(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {4, 4096};
  ASSERT_EQ(evs_queue_create(&c, &q), EVS_OK);
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
  evs_queue_destroy(q);
}

static void test_value_limits(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {8, 4096};
  static unsigned char big[4096];
  ASSERT_EQ(evs_queue_create(&c, &q), EVS_OK);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 1, "/a", 2, big, 2049), EVS_E2BIG);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 1, "/a", 2, big, 2048), EVS_OK);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 2, "/a", 2, big, 2048), EVS_OK);
  /* Ring is exactly full: one more byte does not fit. */
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 3, "/a", 2, big, 1), EVS_EAGAIN);
  ASSERT_EQ(evs_queue_push(q, EVS_EVENT_SET, 1, "/a", 256, big, 1),
            EVS_EPATHLEN);
  evs_queue_destroy(q);
}

/* Single thread, many laps of both rings, values that straddle the end. */
static void test_wrap_checksums(void) {
  evs_queue_t *q;
  evs_queue_config_t c = {16, 4096};
  ASSERT_EQ(evs_queue_create(&c, &q), EVS_OK);
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
  evs_queue_destroy(q);
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
  ASSERT_EQ(evs_queue_create(&c, &q), EVS_OK);
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
  evs_queue_destroy(q);
}

static const check_case_t cases[] = {{"config_errors", test_config_errors},
                                     {"fifo_and_full", test_fifo_and_full},
                                     {"value_limits", test_value_limits},
                                     {"wrap_checksums", test_wrap_checksums},
                                     {"two_threads", test_two_threads},
                                     {NULL, NULL}};
CHECK_MAIN(cases)
