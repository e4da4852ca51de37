/* The event view: what a write to the store looks like to a listener. */
#ifndef EVSTORE_EVENT_H
#define EVSTORE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum evs_event_type_e {
  EVS_EVENT_SET = 1,   /* a value was stored at path */
  EVS_EVENT_DELETE = 2 /* the value at path was removed (value_len is 0) */
} evs_event_type_t;

/* A borrowed view of one event. `path` is NUL-terminated at path[path_len];
 * `value` points at value_len bytes (not terminated; NULL when value_len is 0).
 * Both point into the queue's rings and are valid only until the listener that
 * received the view returns: copy whatever must outlive the call. */
typedef struct evs_event_s {
  uint64_t seq; /* per-store sequence number, strictly increasing from 1: one
                   per write, queued or not (store.h) */
  evs_event_type_t type;
  const char *path;
  size_t path_len;
  const void *value;
  size_t value_len;
} evs_event_t;

#ifdef __cplusplus
}
#endif
#endif
