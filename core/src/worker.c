/* The pull-model worker. Matching store events are copied by the listener
 * (dispatcher thread) into a FIFO of step events; poll moves them into an
 * array owned by the caller and keeps a small record per in-flight id in a
 * hash table until complete() acknowledges it. One mutex guards it all; it is
 * never held while calling into the store, because unsubscribe may wait for
 * the listener, which takes that mutex. */
#include "evstore/worker.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "alloc_int.h"
#include "evstore/error.h"
#include "evstore/path.h"
#include "evstore/testing.h"
#include "store_int.h"

typedef struct evs_step_node_s {
  struct evs_step_node_s *next; /* FIFO link, then hash-chain link */
  evs_step_event_t ev;          /* path/value owned while pending */
} evs_step_node_t;

struct evs_worker_s {
  evs_store_t *store;
  pthread_mutex_t mu;
  uint64_t sub_id; /* 0 once stopped */
  bool stopped;
  uint32_t capacity;
  uint64_t next_id;
  evs_step_node_t *head, *tail; /* pending FIFO */
  uint64_t pending, in_flight, completed, failed, dropped;
  evs_step_node_t **inflight; /* hash of in-flight ids */
  size_t inflight_mask;
};

static void on_event(const evs_event_t *ev, void *ud) {
  evs_worker_t *w = ud;
  pthread_mutex_lock(&w->mu);
  if (w->pending + w->in_flight >= w->capacity) {
    w->dropped++;
    pthread_mutex_unlock(&w->mu);
    return;
  }
  evs_step_node_t *n = evs__malloc(sizeof(*n));
  char *path = evs__memdup0(ev->path, ev->path_len);
  char *value = evs__memdup0(ev->value, ev->value_len);
  if (n == NULL || path == NULL || value == NULL) {
    evs__free(n);
    evs__free(path);
    evs__free(value);
    w->dropped++; /* an event we could not copy is lost: count it */
    pthread_mutex_unlock(&w->mu);
    return;
  }
  n->next = NULL;
  n->ev = (evs_step_event_t){.id = ++w->next_id,
                             .seq = ev->seq,
                             .type = ev->type,
                             .path = path,
                             .path_len = ev->path_len,
                             .value = value,
                             .value_len = ev->value_len};
  if (w->tail)
    w->tail->next = n;
  else
    w->head = n;
  w->tail = n;
  w->pending++;
  pthread_mutex_unlock(&w->mu);
}

int evs_worker_open(evs_store_t *store, const char *pattern, size_t plen,
                    uint32_t capacity, evs_worker_t **out) {
  if (store == NULL || out == NULL)
    return EVS_EINVAL;
  int rc = evs_pattern_validate(pattern, plen);
  if (rc != EVS_OK)
    return rc;
  if (capacity == 0 || capacity > (1u << 24))
    return EVS_ERANGE;
  evs_worker_t *w = evs__calloc(1, sizeof(*w));
  if (w == NULL)
    return EVS_ENOMEM;
  size_t buckets = 16;
  while (buckets < capacity && buckets < 65536)
    buckets *= 2;
  w->inflight = evs__calloc(buckets, sizeof(*w->inflight));
  rc = EVS_ENOMEM;
  if (w->inflight == NULL)
    goto fail;
  w->inflight_mask = buckets - 1;
  w->store = store;
  w->capacity = capacity;
  if (pthread_mutex_init(&w->mu, NULL) != 0)
    goto fail;
  rc = evs_store_subscribe(store, pattern, plen, on_event, w, &w->sub_id);
  if (rc != EVS_OK)
    goto fail_mu;
  EVS__INC(workers);
  *out = w;
  return EVS_OK;

fail_mu:
  pthread_mutex_destroy(&w->mu);
fail:
  evs__free(w->inflight);
  evs__free(w);
  return rc;
}

int evs_worker_poll(evs_worker_t *w, size_t max, evs_step_event_t **events,
                    size_t *count) {
  if (w == NULL || events == NULL || count == NULL)
    return EVS_EINVAL;
  pthread_mutex_lock(&w->mu);
  size_t n = w->pending < max ? (size_t)w->pending : max;
  evs_step_event_t *arr = NULL;
  if (n != 0) {
    arr = evs__malloc(n * sizeof(*arr));
    if (arr == NULL) {
      pthread_mutex_unlock(&w->mu);
      return EVS_ENOMEM;
    }
  }
  for (size_t i = 0; i < n; i++) {
    evs_step_node_t *node = w->head;
    w->head = node->next;
    arr[i] = node->ev; /* ownership of path and value moves to the caller */
    node->ev.path = node->ev.value = NULL;
    evs_step_node_t **b = &w->inflight[node->ev.id & w->inflight_mask];
    node->next = *b;
    *b = node;
  }
  if (w->head == NULL)
    w->tail = NULL;
  w->pending -= n;
  w->in_flight += n;
  pthread_mutex_unlock(&w->mu);
  *events = arr;
  *count = n;
  return EVS_OK;
}

void evs_step_events_free(evs_step_event_t *events, size_t count) {
  if (events == NULL)
    return;
  for (size_t i = 0; i < count; i++) {
    if (evs_fault_on(EVS_FAULT_LEAK_EVENT_COPY))
      continue; /* planted defect: the copies are never released */
    evs__free(events[i].value);
    evs__free(events[i].path);
    if (evs_fault_on(EVS_FAULT_USE_AFTER_FREE_EVENT) && events[i].path_len)
      events[i].path_len = (size_t)(unsigned char)events[i].path[0];
  }
  evs__free(events);
}

int evs_worker_complete(evs_worker_t *w, uint64_t id, const char *error_msg) {
  if (w == NULL)
    return EVS_EINVAL;
  pthread_mutex_lock(&w->mu);
  evs_step_node_t **pp = &w->inflight[id & w->inflight_mask];
  while (*pp && (*pp)->ev.id != id)
    pp = &(*pp)->next;
  evs_step_node_t *node = *pp;
  if (node == NULL) {
    pthread_mutex_unlock(&w->mu);
    return EVS_EUNKNOWNID;
  }
  *pp = node->next;
  w->in_flight--;
  if (error_msg == NULL)
    w->completed++;
  else
    w->failed++;
  pthread_mutex_unlock(&w->mu);
  evs__free(node);
  return EVS_OK;
}

int evs_worker_status(evs_worker_t *w, evs_worker_status_t *out) {
  if (w == NULL || out == NULL)
    return EVS_EINVAL;
  bool store_open = evs__store_is_open(w->store);
  pthread_mutex_lock(&w->mu);
  out->running = !w->stopped && store_open;
  out->pending = w->pending;
  out->in_flight = w->in_flight;
  out->completed = w->completed;
  out->failed = w->failed;
  out->dropped = w->dropped;
  pthread_mutex_unlock(&w->mu);
  return EVS_OK;
}

char *evs_worker_status_json(evs_worker_t *w) {
  evs_worker_status_t st;
  if (evs_worker_status(w, &st) != EVS_OK)
    return NULL;
  const char *fmt = "{\"running\":%s,\"pending\":%" PRIu64
                    ",\"inFlight\":%" PRIu64 ",\"completed\":%" PRIu64
                    ",\"failed\":%" PRIu64 ",\"dropped\":%" PRIu64 "}";
  const char *running = st.running ? "true" : "false";
  int n = snprintf(NULL, 0, fmt, running, st.pending, st.in_flight,
                   st.completed, st.failed, st.dropped);
  if (n < 0)
    return NULL;
  char *s = evs__malloc((size_t)n + 1);
  if (s == NULL)
    return NULL;
  snprintf(s, (size_t)n + 1, fmt, running, st.pending, st.in_flight,
           st.completed, st.failed, st.dropped);
  return s;
}

void evs_string_free(char *s) {
  evs__free(s);
  if (evs_fault_on(EVS_FAULT_DOUBLE_FREE_STRING))
    evs__free(s); /* planted defect */
}

int evs_worker_close(evs_worker_t *w) {
  if (w == NULL)
    return EVS_EINVAL;
  pthread_mutex_lock(&w->mu);
  uint64_t id = w->sub_id;
  w->sub_id = 0;
  w->stopped = true;
  pthread_mutex_unlock(&w->mu);
  if (id != 0)
    evs_store_unsubscribe(w->store, id); /* EVS_ECLOSED: already gone */
  return EVS_OK;
}

void evs_worker_free(evs_worker_t *w) {
  if (w == NULL)
    return;
  evs_worker_close(w);
  for (evs_step_node_t *n = w->head, *next; n; n = next) {
    next = n->next;
    evs__free(n->ev.path);
    evs__free(n->ev.value);
    evs__free(n);
  }
  for (size_t i = 0; i <= w->inflight_mask; i++) {
    for (evs_step_node_t *n = w->inflight[i], *next; n; n = next) {
      next = n->next;
      evs__free(n);
    }
  }
  evs__free(w->inflight);
  pthread_mutex_destroy(&w->mu);
  evs__free(w);
  EVS__DEC(workers);
}
