/* Private to core: a store's subscription list and its delivery of events on
 * the dispatcher thread (store_subs.c has the design and the ordering
 * argument). store.c embeds one evs__subs_t per store and wraps these in the
 * public evs_store_subscribe/unsubscribe/subscription_count. */
#ifndef EVSTORE_STORE_SUBS_H
#define EVSTORE_STORE_SUBS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evstore/event.h"
#include "evstore/store.h"

typedef struct evs__sub_s evs__sub_t;

typedef struct evs__subs_s {
  pthread_mutex_t lock;
  pthread_cond_t cv; /* broadcast when a listener call ends and a remover
                        waits (see `waiters`) */
  /* The list, in subscription order. Appended and unlinked under `lock`;
   * the dispatcher walks it without the lock while `pinned`. */
  _Atomic(evs__sub_t *) head;
  evs__sub_t *tail; /* under lock */
  bool pinned;      /* under lock: the dispatcher is walking the list */
  bool closed;      /* under lock */
  uint64_t next_id; /* under lock */
  size_t nsubs;     /* under lock: live (not removed) subscriptions */
  atomic_bool reap; /* a removed subscription awaits the dispatcher */
  /* The subscription whose listener the dispatcher is calling, or NULL;
   * and how many removers wait for it to change (incremented under lock). */
  _Atomic(evs__sub_t *) current;
  atomic_uint waiters;
} evs__subs_t;

/* Initialises an empty list. EVS_OK, or EVS_ENOMEM with nothing to destroy.
 */
int evs__subs_init(evs__subs_t *u);

/* Destroys the lock and condition variable; the list must be closed. */
void evs__subs_destroy(evs__subs_t *u);

/* Adds a subscription (pattern already validated) that sees events with seq
 * greater than *seq as read now (the caller holds the lock that orders the
 * writes of *seq). EVS_OK with *id set (before the subscription can be
 * called), EVS_ENOMEM, or EVS_ECLOSED. Any thread. */
int evs__subs_add(evs__subs_t *u, const char *pattern, size_t plen,
                  evs_listener_fn fn, void *user_data,
                  const atomic_uint_fast64_t *seq, uint64_t *id);

/* Removes subscription `id` with evs_store_unsubscribe's contract;
 * `on_dispatcher` is true when called from this store's dispatcher thread.
 * EVS_OK, EVS_ENOTFOUND or EVS_ECLOSED. */
int evs__subs_remove(evs__subs_t *u, uint64_t id, bool on_dispatcher);

/* Live subscriptions. Any thread. */
size_t evs__subs_count(evs__subs_t *u);

/* Dispatcher thread: pin before delivering a run of events, deliver each,
 * unpin after the run (before waiting for more). */
void evs__subs_pin(evs__subs_t *u);
void evs__subs_deliver(evs__subs_t *u, const evs_event_t *ev);
void evs__subs_unpin(evs__subs_t *u);

/* Frees every subscription and refuses later ones. After the dispatcher was
 * joined. */
void evs__subs_close(evs__subs_t *u);

#endif
