/* The store: path map, subscriptions and the dispatcher thread.
 *
 * Locks (never held across a listener call, taken in this order):
 *   lock       writers, the map, seq, state; producer role of the queue.
 *   subs.lock  the subscription list (store_subs.c, which also delivers).
 * A writer that finds the queue full under the block policy releases `lock`
 * while it waits for space (so listeners can still read the store) and is
 * counted in `writers_waiting`; close waits for those to leave before it
 * frees the queue. */
#include "evstore/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_int.h"
#include "evstore/error.h"
#include "evstore/path.h"
#include "evstore/queue.h"
#include "evstore/testing.h"
#include "store_int.h"
#include "store_subs.h"

typedef struct evs_entry_s {
  struct evs_entry_s *next;
  uint64_t hash;
  void *value; /* NUL-terminated copy, its own block of value_cap bytes */
  size_t value_len, value_cap;
  size_t path_len;
  char path[]; /* NUL-terminated */
} evs_entry_t;

enum { ST_OPEN, ST_CLOSING, ST_CLOSED };

struct evs_store_s {
  pthread_mutex_t lock;
  pthread_cond_t idle_cv; /* signalled when writers_waiting drops to 0 */
  int state;              /* under lock */
  unsigned writers_waiting;
  evs_queue_t *q;
  evs_overflow_t overflow;
  uint32_t max_value;
  atomic_uint_fast64_t seq; /* written under lock, read anywhere */
  /* Live subscriptions as writers see them: incremented under lock by
   * subscribe, decremented without it by unsubscribe. Read under lock, it
   * counts at least every subscription whose subscribe returned before the
   * lock was taken (see push_locked). */
  atomic_size_t listeners;
  evs_entry_t **buckets;
  size_t nbuckets, count;

  /* The writers' fields above and the dispatcher's below are apart by more
   * than a cache line: the dispatcher reads the subscription list for
   * every event, and sharing a line with the map's fields would bounce it
   * between cores. */
  char pad_writers_[64];
  evs__subs_t subs;

  pthread_t thread;
  void (*on_drained)(void *user_data);
  void *on_drained_user;
  bool race_stats;         /* EVS_FAULT data-race-stats, read at open */
  uint64_t racy_delivered; /* plain counter: only with that fault */
  bool abandoned; /* no-thread-join fault: the dispatcher keeps the store */
  atomic_bool discard;
  evs_queue_stats_t final_stats; /* valid once closed */
};

/* The store whose dispatcher runs on this thread, if any. */
static _Thread_local evs_store_t *tls_dispatching;

/* The map's hash, eight bytes per step (a byte-wise FNV-1a was a tenth of
 * a writer's time); the tail's bytes are gathered into one word. */
static uint64_t hash_path(const char *p, size_t n) {
  uint64_t h = 0x84222325cbf29ce4ull ^ n, w;
  for (; n >= 8; p += 8, n -= 8) {
    memcpy(&w, p, 8);
    h = (h ^ w) * 0x9fb21c651e98df25ull;
    h ^= h >> 28;
  }
  for (w = 0; n > 0; n--)
    w = (w << 8) | (unsigned char)p[n - 1];
  h = (h ^ w) * 0x9fb21c651e98df25ull;
  return h ^ (h >> 31);
}

static evs_entry_t **find_slot(evs_store_t *s, const char *path, size_t len,
                               uint64_t h) {
  evs_entry_t **pp = &s->buckets[h & (s->nbuckets - 1)];
  for (; *pp; pp = &(*pp)->next)
    if ((*pp)->hash == h && (*pp)->path_len == len &&
        memcmp((*pp)->path, path, len) == 0)
      return pp;
  return pp;
}

/* Doubles the bucket array; on allocation failure the map keeps working at
 * its current size, so the failure is deliberately not reported. */
static void maybe_grow(evs_store_t *s) {
  if (s->count < s->nbuckets)
    return;
  size_t n = s->nbuckets * 2;
  evs_entry_t **nb = evs__calloc(n, sizeof(*nb));
  if (nb == NULL)
    return;
  for (size_t i = 0; i < s->nbuckets; i++) {
    for (evs_entry_t *e = s->buckets[i], *next; e; e = next) {
      next = e->next;
      e->next = nb[e->hash & (n - 1)];
      nb[e->hash & (n - 1)] = e;
    }
  }
  evs__free(s->buckets);
  s->buckets = nb;
  s->nbuckets = n;
}

static void *dispatch_main(void *arg) {
  evs_store_t *s = arg;
  /* s->q is set before this thread starts and freed only after it is
   * joined. Read once: s->q sits among the writers' fields, and reading
   * it per event would pull their line (the store lock's) to this core. */
  evs_queue_t *q = s->q;
  tls_dispatching = s;
  evs_event_t ev;
  while (evs_queue_wait_items(q) == EVS_OK) {
    /* One subscription-lock round trip per run of events, not per event. */
    evs__subs_pin(&s->subs);
    while (evs_queue_peek(q, &ev) == EVS_OK) {
      if (s->race_stats)
        s->racy_delivered++; /* planted defect: read unlocked by stats */
      if (!atomic_load_explicit(&s->discard, memory_order_relaxed))
        evs__subs_deliver(&s->subs, &ev);
      evs_queue_release(q);
    }
    evs__subs_unpin(&s->subs);
    if (s->on_drained)
      s->on_drained(s->on_drained_user);
  }
  return NULL;
}

int evs_store_open(const evs_store_config_t *cfg, evs_store_t **out) {
  evs_store_config_t c = cfg ? *cfg : (evs_store_config_t){0};
  if (out == NULL)
    return EVS_EINVAL;
  int rc = evs_fault_init(NULL);
  if (rc != EVS_OK)
    return rc;
  uint32_t ring =
      c.value_ring_bytes ? c.value_ring_bytes : EVS_QUEUE_DEFAULT_VALUE_RING;
  if (c.max_value_bytes == 0)
    c.max_value_bytes = ring / 2;
  if (c.max_value_bytes > ring / 2 ||
      (c.overflow != EVS_OVERFLOW_BLOCK && c.overflow != EVS_OVERFLOW_DROP))
    return EVS_ERANGE;

  evs_store_t *s = evs__calloc(1, sizeof(*s));
  if (s == NULL)
    return EVS_ENOMEM;
  evs_queue_config_t qc = {c.queue_slots, c.value_ring_bytes};
  rc = evs_queue_open(&qc, &s->q);
  if (rc != EVS_OK)
    goto fail;
  rc = EVS_ENOMEM;
  s->nbuckets = 16;
  s->buckets = evs__calloc(s->nbuckets, sizeof(*s->buckets));
  if (s->buckets == NULL)
    goto fail_queue;
  s->overflow = c.overflow;
  s->max_value = c.max_value_bytes;
  s->on_drained = c.on_drained;
  s->on_drained_user = c.on_drained_user;
  s->race_stats = evs_fault_on(EVS_FAULT_DATA_RACE_STATS);
  if (pthread_mutex_init(&s->lock, NULL) != 0)
    goto fail_buckets;
  if (evs__subs_init(&s->subs) != EVS_OK)
    goto fail_lock;
  if (pthread_cond_init(&s->idle_cv, NULL) != 0)
    goto fail_subs;
  if (pthread_create(&s->thread, NULL, dispatch_main, s) != 0) {
    rc = EVS_ETHREAD;
    goto fail_idle_cv;
  }
  EVS__INC(threads);
  EVS__INC(stores);
  EVS__INC(open_stores);
  *out = s;
  return EVS_OK;

fail_idle_cv:
  pthread_cond_destroy(&s->idle_cv);
fail_subs:
  evs__subs_destroy(&s->subs);
fail_lock:
  pthread_mutex_destroy(&s->lock);
fail_buckets:
  evs__free(s->buckets);
fail_queue:
  evs_queue_free(s->q);
fail:
  evs__free(s);
  return rc;
}

/* Pushes one event while holding s->lock, honouring the overflow policy.
 * Returns EVS_OK (pushed or, under drop, counted) or an error with the lock
 * still held and nothing pushed.
 *
 * With no subscription the event is not queued, only numbered: nobody could
 * receive it (a later subscription sees only events with a greater seq), and
 * queueing it would cost the writer the dispatcher's cache traffic for
 * nothing. `listeners` read under the lock is at least the number of live
 * subscriptions made before it: each subscribe increments it under this
 * lock, and a decrement only follows a successful unsubscribe. A stale
 * non-zero count merely queues an event nobody matches. */
static int push_locked(evs_store_t *s, evs_event_type_t type, const char *path,
                       size_t len, const void *value, size_t vlen) {
  for (;;) {
    if (s->state != ST_OPEN)
      return EVS_ECLOSED;
    uint64_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed) + 1;
    if (atomic_load_explicit(&s->listeners, memory_order_relaxed) == 0) {
      atomic_store_explicit(&s->seq, seq, memory_order_relaxed);
      return EVS_OK;
    }
    int rc = evs_queue_push(s->q, type, seq, path, len, value, vlen);
    if (rc == EVS_OK) {
      atomic_store_explicit(&s->seq, seq, memory_order_relaxed);
      return EVS_OK;
    }
    if (rc != EVS_EAGAIN)
      return rc;
    if (s->overflow == EVS_OVERFLOW_DROP) {
      evs_queue_count_drop(s->q);
      return EVS_OK;
    }
    if (tls_dispatching == s)
      return EVS_EDEADLK;
    s->writers_waiting++;
    pthread_mutex_unlock(&s->lock);
    evs_queue_wait_space(s->q, vlen);
    pthread_mutex_lock(&s->lock);
    if (--s->writers_waiting == 0)
      pthread_cond_broadcast(&s->idle_cv);
  }
}

/* True when an entry's value block can take a value of vlen bytes (plus
 * its NUL) without wasting more than half of it: overwrites of similar sizes
 * then cost no allocation at all. */
static bool value_fits(const evs_entry_t *e, size_t vlen) {
  return e != NULL && vlen + 1 <= e->value_cap &&
         2 * (vlen + 1) >= e->value_cap;
}

/* The checks set, delete and get make before taking the lock, in their
 * order: the path, then a value of vlen bytes (0 when there is none); on
 * EVS_OK *h holds the path's hash. */
static int check_path(const evs_store_t *s, const char *path, size_t len,
                      size_t vlen, uint64_t *h) {
  int rc = evs_path_validate(path, len);
  if (rc != EVS_OK)
    return rc;
  if (vlen > s->max_value)
    return EVS_E2BIG;
  *h = hash_path(path, len);
  return EVS_OK;
}

/* Takes s->lock on an open store: EVS_OK with the lock held, else
 * EVS_ECLOSED without it. */
static int lock_open(evs_store_t *s) {
  pthread_mutex_lock(&s->lock);
  if (s->state != ST_OPEN) {
    pthread_mutex_unlock(&s->lock);
    return EVS_ECLOSED;
  }
  return EVS_OK;
}

/* check_path, then lock_open. */
static int lock_for_path(evs_store_t *s, const char *path, size_t len,
                         size_t vlen, uint64_t *h) {
  int rc = check_path(s, path, len, vlen, h);
  return rc != EVS_OK ? rc : lock_open(s);
}

/* The write of one checked entry (hash h) with s->lock held, which it keeps
 * (a writer waiting for queue space releases it meanwhile). On error the
 * store is unchanged. */
static int set_locked(evs_store_t *s, const char *path, size_t len, uint64_t h,
                      const void *value, size_t vlen) {
  /* Allocate what the map will need before the event goes out, so that a
   * failure changes nothing: a value block unless the entry's own can be
   * reused, and an entry for a new path. */
  evs_entry_t *e = *find_slot(s, path, len, h);
  char *copy = NULL;
  evs_entry_t *fresh = NULL;
  if (!value_fits(e, vlen) && (copy = evs__malloc(vlen + 1)) == NULL)
    return EVS_ENOMEM;
  if (e == NULL && (fresh = evs__malloc(sizeof(*fresh) + len + 1)) == NULL) {
    evs__free(copy);
    return EVS_ENOMEM;
  }
  int rc = push_locked(s, EVS_EVENT_SET, path, len, value, vlen);
  if (rc != EVS_OK) {
    evs__free(fresh);
    evs__free(copy);
    return rc;
  }
  /* A writer that waited for queue space released the lock: the map may
   * have changed meanwhile, so look again. The event is out; the map must
   * follow it, and only an allocation made necessary by that change can
   * still fail (reported honestly). */
  evs_entry_t **slot = find_slot(s, path, len, h);
  e = *slot;
  if (e == NULL && fresh == NULL)
    fresh = evs__malloc(sizeof(*fresh) + len + 1);
  if (copy == NULL && !value_fits(e, vlen))
    copy = evs__malloc(vlen + 1);
  if ((e == NULL && fresh == NULL) || (copy == NULL && !value_fits(e, vlen))) {
    evs__free(fresh);
    evs__free(copy);
    return EVS_ENOMEM;
  }
  if (e == NULL) {
    e = fresh;
    fresh = NULL;
    e->hash = h;
    e->value = NULL;
    e->value_cap = 0;
    e->path_len = len;
    memcpy(e->path, path, len);
    e->path[len] = '\0';
    e->next = NULL;
    *slot = e;
    s->count++;
  }
  if (copy != NULL) {
    evs__free(e->value);
    e->value = copy;
    e->value_cap = vlen + 1;
  }
  if (vlen != 0)
    memcpy(e->value, value, vlen);
  ((char *)e->value)[vlen] = '\0';
  e->value_len = vlen;
  evs__free(fresh); /* allocated for a path another writer created first */
  maybe_grow(s);
  return EVS_OK;
}

int evs_store_set(evs_store_t *s, const char *path, size_t len,
                  const void *value, size_t vlen) {
  if (s == NULL || (value == NULL && vlen != 0))
    return EVS_EINVAL;
  uint64_t h;
  int rc = lock_for_path(s, path, len, vlen, &h);
  if (rc != EVS_OK)
    return rc;
  rc = set_locked(s, path, len, h, value, vlen);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

/* Entries set_many writes per hold of the store lock: other writers and
 * readers wait at most this many writes for it. */
#define SET_MANY_RUN 64

int evs_store_set_many(evs_store_t *s, const evs_set_entry_t *entries, size_t n,
                       size_t *done) {
  size_t i = 0;
  if (done != NULL)
    *done = 0;
  if (s == NULL || done == NULL || (entries == NULL && n != 0))
    return EVS_EINVAL;
  while (i < n) {
    /* Check a run before taking the lock; it ends before a bad entry. */
    uint64_t h[SET_MANY_RUN];
    size_t k = 0, end = n - i < SET_MANY_RUN ? n : i + SET_MANY_RUN;
    int bad = EVS_OK;
    for (; i + k < end; k++) {
      const evs_set_entry_t *e = &entries[i + k];
      bad = e->value == NULL && e->value_len != 0
                ? EVS_EINVAL
                : check_path(s, e->path, e->path_len, e->value_len, &h[k]);
      if (bad != EVS_OK)
        break;
    }
    int rc = k > 0 ? lock_open(s) : EVS_OK;
    if (rc != EVS_OK)
      return rc;
    for (size_t j = 0; j < k; j++, i++) {
      const evs_set_entry_t *e = &entries[i];
      rc = set_locked(s, e->path, e->path_len, h[j], e->value, e->value_len);
      if (rc != EVS_OK)
        break;
      *done = i + 1;
    }
    if (k > 0)
      pthread_mutex_unlock(&s->lock);
    if (rc != EVS_OK)
      return rc;
    if (bad != EVS_OK)
      return bad;
  }
  return EVS_OK;
}

int evs_store_delete(evs_store_t *s, const char *path, size_t len) {
  if (s == NULL)
    return EVS_EINVAL;
  uint64_t h;
  int rc = lock_for_path(s, path, len, 0, &h);
  if (rc != EVS_OK)
    return rc;
  if (*find_slot(s, path, len, h) == NULL) {
    pthread_mutex_unlock(&s->lock);
    return EVS_ENOTFOUND;
  }
  rc = push_locked(s, EVS_EVENT_DELETE, path, len, NULL, 0);
  if (rc == EVS_OK) {
    /* Another writer may have deleted it while we waited for space; the
     * event then merely repeats that deletion. */
    evs_entry_t **slot = find_slot(s, path, len, h);
    evs_entry_t *e = *slot;
    if (e != NULL) {
      *slot = e->next;
      s->count--;
      evs__free(e->value);
      evs__free(e);
    }
  }
  pthread_mutex_unlock(&s->lock);
  return rc;
}

int evs_store_get(evs_store_t *s, const char *path, size_t len, void **value,
                  size_t *vlen) {
  if (s == NULL || value == NULL || vlen == NULL)
    return EVS_EINVAL;
  uint64_t h;
  int rc = lock_for_path(s, path, len, 0, &h);
  if (rc != EVS_OK)
    return rc;
  evs_entry_t *e = *find_slot(s, path, len, h);
  if (e == NULL) {
    pthread_mutex_unlock(&s->lock);
    return EVS_ENOTFOUND;
  }
  char *copy = evs__memdup0(e->value, e->value_len);
  size_t n = e->value_len;
  pthread_mutex_unlock(&s->lock);
  if (copy == NULL)
    return EVS_ENOMEM;
  *value = copy;
  *vlen = n;
  return EVS_OK;
}

void evs_value_free(void *value) {
  evs__free(value);
}

bool evs__store_is_open(evs_store_t *s) {
  pthread_mutex_lock(&s->lock);
  bool open = s->state == ST_OPEN;
  pthread_mutex_unlock(&s->lock);
  return open;
}

size_t evs_store_count(evs_store_t *s) {
  if (s == NULL)
    return 0;
  pthread_mutex_lock(&s->lock);
  size_t n = s->state == ST_OPEN ? s->count : 0;
  pthread_mutex_unlock(&s->lock);
  return n;
}

int evs_store_subscribe(evs_store_t *s, const char *pattern, size_t plen,
                        evs_listener_fn fn, void *user_data, uint64_t *id) {
  if (s == NULL || fn == NULL || id == NULL)
    return EVS_EINVAL;
  int rc = evs_pattern_validate(pattern, plen);
  if (rc != EVS_OK)
    return rc;
  /* Under the store lock: a write that queued its event has also stored its
   * seq, so that event is never replayed to the new subscription. */
  pthread_mutex_lock(&s->lock);
  rc = evs__subs_add(&s->subs, pattern, plen, fn, user_data, &s->seq, id);
  if (rc == EVS_OK)
    atomic_fetch_add_explicit(&s->listeners, 1, memory_order_relaxed);
  pthread_mutex_unlock(&s->lock);
  return rc;
}

int evs_store_unsubscribe(evs_store_t *s, uint64_t id) {
  if (s == NULL)
    return EVS_EINVAL;
  int rc = evs__subs_remove(&s->subs, id, tls_dispatching == s);
  if (rc == EVS_OK)
    atomic_fetch_sub_explicit(&s->listeners, 1, memory_order_relaxed);
  return rc;
}

size_t evs_store_subscription_count(evs_store_t *s) {
  if (s == NULL)
    return 0;
  return evs__subs_count(&s->subs);
}

int evs_store_queue_stats(evs_store_t *s, evs_queue_stats_t *out) {
  if (s == NULL || out == NULL)
    return EVS_EINVAL;
  pthread_mutex_lock(&s->lock);
  int rc = EVS_OK;
  if (s->state == ST_CLOSED) {
    *out = s->final_stats;
    rc = EVS_ECLOSED;
  } else {
    evs_queue_stats(s->q, out);
    if (s->race_stats)
      out->processed = s->racy_delivered; /* planted defect: no sync */
  }
  pthread_mutex_unlock(&s->lock);
  return rc;
}

/* The last step of a close, with s->lock held: the store is closed, its
 * waiters are woken and the lock released. Returns EVS_OK. */
static int store_closed(evs_store_t *s) {
  s->state = ST_CLOSED;
  pthread_cond_broadcast(&s->idle_cv);
  pthread_mutex_unlock(&s->lock);
  EVS__DEC(open_stores);
  return EVS_OK;
}

int evs_store_close(evs_store_t *s, evs_close_mode_t mode) {
  if (s == NULL || (mode != EVS_CLOSE_DELIVER && mode != EVS_CLOSE_DISCARD))
    return EVS_EINVAL;
  if (tls_dispatching == s)
    return EVS_EDEADLK;
  pthread_mutex_lock(&s->lock);
  if (s->state != ST_OPEN) {
    /* A concurrent close in progress: wait until it has finished. */
    while (s->state != ST_CLOSED)
      pthread_cond_wait(&s->idle_cv, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return EVS_OK;
  }
  s->state = ST_CLOSING;
  pthread_mutex_unlock(&s->lock);

  atomic_store(&s->discard, mode == EVS_CLOSE_DISCARD);
  evs_queue_close(s->q); /* wakes the dispatcher and blocked writers */
  if (evs_fault_on(EVS_FAULT_NO_THREAD_JOIN)) {
    /* Planted defect: the dispatcher is stopped but never joined. Without
     * the join nobody knows when it is done with the store, so the store is
     * abandoned to it rather than freed under its feet. */
    pthread_mutex_lock(&s->lock);
    s->abandoned = true;
    return store_closed(s);
  }
  pthread_join(s->thread, NULL);
  EVS__DEC(threads);

  evs__subs_close(&s->subs);

  pthread_mutex_lock(&s->lock);
  while (s->writers_waiting != 0)
    pthread_cond_wait(&s->idle_cv, &s->lock);
  evs_queue_stats(s->q, &s->final_stats);
  for (size_t i = 0; i < s->nbuckets; i++) {
    for (evs_entry_t *e = s->buckets[i], *next; e; e = next) {
      next = e->next;
      evs__free(e->value);
      evs__free(e);
    }
  }
  evs__free(s->buckets);
  s->buckets = NULL;
  s->count = 0;
  evs_queue_free(s->q);
  s->q = NULL;
  return store_closed(s);
}

void evs_store_free(evs_store_t *s) {
  if (s == NULL || tls_dispatching == s)
    return;
  evs_store_close(s, EVS_CLOSE_DELIVER);
  if (s->abandoned)
    return; /* no-thread-join fault: the dispatcher still owns the store */
  pthread_cond_destroy(&s->idle_cv);
  evs__subs_destroy(&s->subs);
  pthread_mutex_destroy(&s->lock);
  evs__free(s);
  EVS__DEC(stores);
}
