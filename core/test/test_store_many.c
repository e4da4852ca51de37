/* evs_store_set_many: order, events, and what a bad entry mid-batch leaves
 * (the entries before it written, it and the later ones not). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "evstore.h"

#define S(x) x, strlen(x)

typedef struct {
  pthread_mutex_t mu;
  uint64_t count, last_seq;
  int out_of_order;
  char paths[300][32];
} seen_t;

static void on_seen(const evs_event_t *ev, void *ud) {
  seen_t *x = ud;
  pthread_mutex_lock(&x->mu);
  if (ev->seq != x->last_seq + 1 && x->last_seq != 0)
    x->out_of_order++;
  x->last_seq = ev->seq;
  if (x->count < 300)
    snprintf(x->paths[x->count], sizeof x->paths[0], "%s", ev->path);
  x->count++;
  pthread_mutex_unlock(&x->mu);
}

typedef struct {
  char path[300][32];
  char value[300][32];
  evs_set_entry_t e[300];
} batch_t;

static void make_batch(batch_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    snprintf(b->path[i], sizeof b->path[i], "/m/%zu", i);
    snprintf(b->value[i], sizeof b->value[i], "v%zu", i);
    b->e[i] = (evs_set_entry_t){b->path[i], strlen(b->path[i]), b->value[i],
                                strlen(b->value[i])};
  }
}

static int value_is(evs_store_t *s, const char *path, const char *want) {
  void *v;
  size_t n;
  int rc = evs_store_get(s, path, strlen(path), &v, &n);
  if (rc != EVS_OK)
    return rc;
  rc = n == strlen(want) && memcmp(v, want, n) == 0 ? EVS_OK : EVS_EINVAL;
  evs_value_free(v);
  return rc;
}

/* 300 entries (several lock runs): all written, one event each, in order. */
static void test_writes_in_order(void) {
  static batch_t b;
  static seen_t x = {.mu = PTHREAD_MUTEX_INITIALIZER};
  evs_store_t *s;
  uint64_t id;
  size_t done = 99;
  make_batch(&b, 300);
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  ASSERT_EQ(evs_store_subscribe(s, S("/m/*"), on_seen, &x, &id), EVS_OK);
  ASSERT_EQ(evs_store_set_many(s, b.e, 0, &done), EVS_OK);
  ASSERT_UINT_EQ(done, 0);
  ASSERT_EQ(evs_store_set_many(s, b.e, 300, &done), EVS_OK);
  ASSERT_UINT_EQ(done, 300);
  ASSERT_UINT_EQ(evs_store_count(s), 300);
  ASSERT_EQ(value_is(s, "/m/299", "v299"), EVS_OK);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_UINT_EQ(x.count, 300);
  ASSERT_EQ(x.out_of_order, 0);
  for (size_t i = 0; i < 300; i++)
    ASSERT_STR_EQ(x.paths[i], b.path[i]);
  evs_store_free(s);
}

/* A bad entry at `at` (first run, or past a run boundary): the ones before
 * it are written, it and the later ones are not, and *done says where. */
static void check_bad_at(size_t at, const char *bad_path, size_t vlen,
                         int want_rc) {
  static batch_t b;
  evs_store_t *s;
  size_t done = 0;
  make_batch(&b, 200);
  b.e[at].path = bad_path;
  b.e[at].path_len = strlen(bad_path);
  b.e[at].value_len = vlen;
  evs_store_config_t cfg = {.max_value_bytes = 64};
  ASSERT_EQ(evs_store_open(&cfg, &s), EVS_OK);
  ASSERT_EQ(evs_store_set_many(s, b.e, 200, &done), want_rc);
  ASSERT_UINT_EQ(done, at);
  ASSERT_UINT_EQ(evs_store_count(s), at);
  if (at > 0)
    ASSERT_EQ(value_is(s, b.path[at - 1], b.value[at - 1]), EVS_OK);
  ASSERT_EQ(value_is(s, b.path[at + 1], b.value[at + 1]), EVS_ENOTFOUND);
  evs_queue_stats_t st;
  ASSERT_EQ(evs_store_queue_stats(s, &st), EVS_OK);
  evs_store_free(s);
}

static void test_bad_entry_mid_batch(void) {
  check_bad_at(0, "no-slash", 2, EVS_EPATH);
  check_bad_at(10, "/a//b", 2, EVS_EPATH);
  check_bad_at(100, "/m/*", 2, EVS_EPATH);
  check_bad_at(64, "/m/big", 100, EVS_E2BIG);
  char longp[300];
  memset(longp, 'x', sizeof longp - 1);
  longp[0] = '/';
  longp[sizeof longp - 1] = '\0';
  check_bad_at(130, longp, 2, EVS_EPATHLEN);
}

static void test_bad_arguments(void) {
  static batch_t b;
  evs_store_t *s;
  size_t done = 7;
  make_batch(&b, 3);
  ASSERT_EQ(evs_store_open(NULL, &s), EVS_OK);
  ASSERT_EQ(evs_store_set_many(NULL, b.e, 3, &done), EVS_EINVAL);
  ASSERT_UINT_EQ(done, 0);
  ASSERT_EQ(evs_store_set_many(s, b.e, 3, NULL), EVS_EINVAL);
  ASSERT_EQ(evs_store_set_many(s, NULL, 3, &done), EVS_EINVAL);
  b.e[1].value = NULL; /* with a length: EINVAL, like evs_store_set */
  ASSERT_EQ(evs_store_set_many(s, b.e, 3, &done), EVS_EINVAL);
  ASSERT_UINT_EQ(done, 1);
  b.e[1].value_len = 0; /* NULL with no bytes is an empty value */
  ASSERT_EQ(evs_store_set_many(s, b.e, 3, &done), EVS_OK);
  ASSERT_UINT_EQ(done, 3);
  ASSERT_EQ(value_is(s, "/m/1", ""), EVS_OK);
  ASSERT_EQ(evs_store_close(s, EVS_CLOSE_DELIVER), EVS_OK);
  ASSERT_EQ(evs_store_set_many(s, b.e, 3, &done), EVS_ECLOSED);
  ASSERT_UINT_EQ(done, 0);
  evs_store_free(s);
}

static const check_case_t cases[] = {
    {"writes_in_order", test_writes_in_order},
    {"bad_entry_mid_batch", test_bad_entry_mid_batch},
    {"bad_arguments", test_bad_arguments},
    {NULL, NULL}};
CHECK_MAIN(cases)
