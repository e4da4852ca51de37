/* A store's subscriptions and their delivery on the dispatcher thread.
 *
 * The dispatcher takes the subscription lock once per run of events (the
 * events it drains per wake-up), not per event: it `pins` the list under
 * the lock, walks it without the lock for each event of the run, and unpins
 * it under the lock when the queue is empty. The lock is never held across a
 * listener call.
 *
 * While the list is pinned, only the dispatcher unlinks from it:
 *   - subscribe appends under the lock (any time), publishing the new node
 *     with a release store of its predecessor's `next` (or of `head`);
 *   - unsubscribe marks the node `removed` and sets `reap`; from another
 *     thread it then waits only while that subscription's own listener is
 *     running (`current`), as an unpinned list would make it wait; the node
 *     stays linked, skipped, until the dispatcher reaps it under the lock
 *     before the next event of the run (it checks `reap` once per event) or
 *     when it unpins. From a listener (the dispatcher thread itself) it
 *     returns at once.
 *   - reaping unlinks and frees every removed node.
 * While the list is not pinned, unsubscribe unlinks and frees the node
 * itself, as the dispatcher is not walking the list.
 *
 * Ordering argument.
 *   1. The walk sees whole nodes: a node's fields are written before the
 *      release store that links it, and the walk reads `head`/`next` with
 *      acquire loads; unlinking happens only while nobody walks (not pinned,
 *      or by the walker itself), and `pinned` changes under the lock, which
 *      orders every unlink before the next walk.
 *   2. A node is never freed under the walk: while pinned only the walker
 *      frees, between events.
 *   3. No call after unsubscribe returns. From another thread, a Dekker
 *      pair of seq_cst operations: the remover stores `removed` then loads
 *      `current`; the walker stores `current` = the node then loads
 *      `removed`, and calls only if it read false. In the single total order
 *      of seq_cst operations one of the two loads comes after the other
 *      side's store: either the walker sees `removed` and skips the node, or
 *      the remover sees `current` == the node and waits (cond_wait on `cv`,
 *      under the lock) until the walker stores `current` = NULL after the
 *      call. Wake-up: the remover increments `waiters` (seq_cst) before its
 *      load of `current`; the walker loads `waiters` (seq_cst) after its
 *      store of NULL and, if non-zero, broadcasts under the lock, so either
 *      it broadcasts or the remover's load (made under the lock, which it
 *      holds until cond_wait releases it) already sees NULL. A remover that
 *      unlinked the node itself (not pinned) needs nothing of this: nobody
 *      walks. From the listener itself, the walker reads `removed` (same
 *      thread) before every call and skips the node.
 *   4. A subscriber sees every matching event written after subscribe
 *      returned: subscribe links the node before it returns; such an event
 *      is pushed after that (by the caller's own ordering), and the
 *      dispatcher's acquire of the queue item happens after the push, so
 *      its walk of the list for that event sees the node (by 1). The store
 *      reads its last seq for from_seq under the store lock (store.c), so an
 *      event already queued is never replayed.
 * Waiting only for the subscription's own listener matters: a remover that
 * waited for any event in progress could deadlock with a listener that
 * waits for it (two stores whose listeners unsubscribe on each other). */
#include "store_subs.h"

#include <stdlib.h>
#include <string.h>

#include "alloc_int.h"
#include "evstore/error.h"
#include "evstore/path.h"
#include "evstore/testing.h"

struct evs__sub_s {
  evs__sub_t *prev;           /* under lock */
  _Atomic(evs__sub_t *) next; /* written under lock, walked without */
  uint64_t id;
  uint64_t from_seq; /* deliver only events with seq > from_seq */
  evs_listener_fn fn;
  void *user_data;
  atomic_bool removed;
  size_t pattern_len;
  char pattern[];
};

int evs__subs_init(evs__subs_t *u) {
  memset(u, 0, sizeof(*u));
  atomic_init(&u->head, NULL);
  atomic_init(&u->reap, false);
  atomic_init(&u->current, NULL);
  atomic_init(&u->waiters, 0);
  if (pthread_mutex_init(&u->lock, NULL) != 0)
    return EVS_ENOMEM;
  if (pthread_cond_init(&u->cv, NULL) != 0) {
    pthread_mutex_destroy(&u->lock);
    return EVS_ENOMEM;
  }
  return EVS_OK;
}

void evs__subs_destroy(evs__subs_t *u) {
  pthread_cond_destroy(&u->cv);
  pthread_mutex_destroy(&u->lock);
}

static evs__sub_t *next_of(evs__sub_t *sub) {
  return atomic_load_explicit(&sub->next, memory_order_relaxed);
}

/* Takes `sub` out of the list; the caller holds the lock and nobody else
 * walks the list. */
static void unlink_sub(evs__subs_t *u, evs__sub_t *sub) {
  evs__sub_t *next = next_of(sub);
  if (sub->prev)
    atomic_store_explicit(&sub->prev->next, next, memory_order_relaxed);
  else
    atomic_store_explicit(&u->head, next, memory_order_relaxed);
  if (next)
    next->prev = sub->prev;
  else
    u->tail = sub->prev;
}

/* Unlinks and frees `sub`; `deferred`: its remover left it to the walker
 * (evs__defer). The planted leak-subscription defect frees nothing, and a
 * deferred node then counts as in use again: it is held for good. */
static void drop_sub(evs__subs_t *u, evs__sub_t *sub, bool deferred) {
  unlink_sub(u, sub);
  if (evs_fault_on(EVS_FAULT_LEAK_SUBSCRIPTION)) {
    if (deferred)
      evs__undefer(sub);
  } else if (deferred) {
    evs__free_deferred(sub);
  } else {
    evs__free(sub);
  }
}

/* Unlinks and frees every removed node. Dispatcher thread, lock held. */
static void reap_locked(evs__subs_t *u) {
  evs__sub_t *sub = atomic_load_explicit(&u->head, memory_order_relaxed);
  while (sub) {
    evs__sub_t *next = next_of(sub);
    if (atomic_load_explicit(&sub->removed, memory_order_relaxed))
      drop_sub(u, sub, true);
    sub = next;
  }
  atomic_store_explicit(&u->reap, false, memory_order_relaxed);
}

int evs__subs_add(evs__subs_t *u, const char *pattern, size_t plen,
                  evs_listener_fn fn, void *user_data,
                  const atomic_uint_fast64_t *seq, uint64_t *id) {
  evs__sub_t *sub = evs__malloc(sizeof(*sub) + plen + 1);
  if (sub == NULL)
    return EVS_ENOMEM;
  memcpy(sub->pattern, pattern, plen);
  sub->pattern[plen] = '\0';
  sub->pattern_len = plen;
  sub->fn = fn;
  sub->user_data = user_data;
  atomic_init(&sub->removed, false);
  atomic_init(&sub->next, NULL);
  pthread_mutex_lock(&u->lock);
  if (u->closed) {
    pthread_mutex_unlock(&u->lock);
    evs__free(sub);
    return EVS_ECLOSED;
  }
  sub->from_seq = atomic_load_explicit(seq, memory_order_relaxed);
  sub->id = ++u->next_id;
  *id = sub->id; /* before the node is published: its listener may read it */
  sub->prev = u->tail;
  if (u->tail)
    atomic_store_explicit(&u->tail->next, sub, memory_order_release);
  else
    atomic_store_explicit(&u->head, sub, memory_order_release);
  u->tail = sub;
  u->nsubs++;
  EVS__INC(subscriptions);
  pthread_mutex_unlock(&u->lock);
  return EVS_OK;
}

int evs__subs_remove(evs__subs_t *u, uint64_t id, bool on_dispatcher) {
  pthread_mutex_lock(&u->lock);
  if (u->closed) {
    pthread_mutex_unlock(&u->lock);
    return EVS_ECLOSED;
  }
  evs__sub_t *sub = atomic_load_explicit(&u->head, memory_order_relaxed);
  while (sub && (sub->id != id ||
                 atomic_load_explicit(&sub->removed, memory_order_relaxed)))
    sub = next_of(sub);
  if (sub == NULL) {
    pthread_mutex_unlock(&u->lock);
    return EVS_ENOTFOUND;
  }
  atomic_store_explicit(&sub->removed, true, memory_order_seq_cst);
  u->nsubs--;
  EVS__DEC(subscriptions);
  if (!u->pinned) {
    drop_sub(u, sub, false);
  } else {
    /* The dispatcher is walking the list: it unlinks and frees the node
     * between two events; meanwhile wait while its listener runs (ordering
     * argument, point 3). The node leaves the in-use counts now: its
     * owner is done with it, and only when the walker frees it depends on
     * scheduling. */
    evs__defer(sub);
    atomic_store_explicit(&u->reap, true, memory_order_relaxed);
    if (!on_dispatcher) {
      atomic_fetch_add_explicit(&u->waiters, 1, memory_order_seq_cst);
      while (atomic_load_explicit(&u->current, memory_order_seq_cst) == sub)
        pthread_cond_wait(&u->cv, &u->lock);
      atomic_fetch_sub_explicit(&u->waiters, 1, memory_order_relaxed);
    }
  }
  pthread_mutex_unlock(&u->lock);
  return EVS_OK;
}

size_t evs__subs_count(evs__subs_t *u) {
  pthread_mutex_lock(&u->lock);
  size_t n = u->nsubs;
  pthread_mutex_unlock(&u->lock);
  return n;
}

void evs__subs_pin(evs__subs_t *u) {
  pthread_mutex_lock(&u->lock);
  u->pinned = true;
  pthread_mutex_unlock(&u->lock);
}

void evs__subs_unpin(evs__subs_t *u) {
  pthread_mutex_lock(&u->lock);
  if (atomic_load_explicit(&u->reap, memory_order_relaxed))
    reap_locked(u);
  u->pinned = false;
  pthread_mutex_unlock(&u->lock);
}

void evs__subs_deliver(evs__subs_t *u, const evs_event_t *ev) {
  if (atomic_load_explicit(&u->reap, memory_order_relaxed)) {
    pthread_mutex_lock(&u->lock);
    reap_locked(u);
    pthread_mutex_unlock(&u->lock);
  }
  for (evs__sub_t *sub = atomic_load_explicit(&u->head, memory_order_acquire);
       sub; sub = atomic_load_explicit(&sub->next, memory_order_acquire)) {
    if (atomic_load_explicit(&sub->removed, memory_order_relaxed) ||
        ev->seq <= sub->from_seq ||
        !evs_pattern_match(sub->pattern, sub->pattern_len, ev->path,
                           ev->path_len))
      continue;
    atomic_store_explicit(&u->current, sub, memory_order_seq_cst);
    if (!atomic_load_explicit(&sub->removed, memory_order_seq_cst))
      sub->fn(ev, sub->user_data);
    atomic_store_explicit(&u->current, NULL, memory_order_seq_cst);
    if (atomic_load_explicit(&u->waiters, memory_order_seq_cst) != 0) {
      pthread_mutex_lock(&u->lock);
      pthread_cond_broadcast(&u->cv);
      pthread_mutex_unlock(&u->lock);
    }
  }
}

void evs__subs_close(evs__subs_t *u) {
  pthread_mutex_lock(&u->lock);
  u->closed = true;
  evs__sub_t *sub = atomic_load_explicit(&u->head, memory_order_relaxed);
  while (sub) {
    evs__sub_t *next = next_of(sub);
    if (!atomic_load_explicit(&sub->removed, memory_order_relaxed)) {
      u->nsubs--;
      EVS__DEC(subscriptions);
      evs__free(sub);
    } else {
      evs__free_deferred(sub); /* removed while pinned, never reaped */
    }
    sub = next;
  }
  atomic_store_explicit(&u->head, NULL, memory_order_relaxed);
  u->tail = NULL;
  pthread_mutex_unlock(&u->lock);
}
