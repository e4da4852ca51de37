/* Private to the addon: delivery of one store's events to JavaScript in
 * batches (delivery.c has the design). The delivery is the only state the
 * dispatcher thread and the JS thread share; it knows nothing of the store
 * that embeds it.
 *
 *   dispatcher thread -> addon_delivery_listener -> records in `local`
 *   -> handoff to the batch (under mu) -> one tsfn call
 *   -> addon_delivery_call_js (JS thread) -> JS decoder(ab, n)
 *
 * Every Node-API call happens on the JS thread of the store's environment;
 * the dispatcher thread only touches its own records and the batch (under
 * its mutex) and calls napi_call_threadsafe_function, which Node-API allows
 * from any thread. The record format is in wire.h. */
#ifndef ADDON_DELIVERY_H
#define ADDON_DELIVERY_H

#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <evstore.h>

#define ADDON_PATH_CACHE 1024u     /* entries, a power of two */
#define ADDON_VALUE_CACHE 512u     /* entries, a power of two */
#define ADDON_VALUE_INTERN_MAX 64u /* string values up to this many bytes */
/* Soft bound of the batch: the dispatcher waits for the JS thread beyond it
 * (unless the JS thread is itself inside a core call). */
#define ADDON_BATCH_SOFT_CAP (256u * 1024u)
/* The dispatcher hands its records to the batch, and asks for a JS call,
 * when it has drained the core queue (addon_delivery_drained), or earlier
 * once it holds this many bytes: while writes keep coming, the JS thread is
 * woken once per ~450 events, not for every few, and the batch's mutex is
 * taken once per handoff, not per event. */
#define ADDON_BATCH_FLUSH (16u * 1024u)
/* Size of the ArrayBuffer that carries batches to JS (reused). */
#define ADDON_JS_BUFFER_BYTES (256u * 1024u)
/* Capacity of a batch block, and how many empty blocks a delivery keeps
 * for reuse: a batch at its soft cap fills 4 blocks, more when handoffs
 * (at least ADDON_BATCH_FLUSH bytes each) leave a block's tail unused, so
 * about 5-6 at 3 handoffs a block; a burst beyond is freed. */
#define ADDON_BLOCK_BYTES (64u * 1024u)
#define ADDON_SPARE_BLOCKS (ADDON_BATCH_SOFT_CAP / ADDON_BLOCK_BYTES + 1u)

/* A growable buffer (realloc): the dispatcher's records before a handoff. */
typedef struct addon_buf_s {
  uint8_t *data;
  size_t len;
  size_t cap;
} addon_buf_t;

/* A block of the batch: the records of whole handoffs, so a block starts
 * and ends on record boundaries and the JS thread copies whole blocks
 * without reading a record header. A block never moves or grows once
 * allocated: a batch that grew by realloc was moved (mremap) as it grew,
 * and on this kind of virtual machine the JS thread's first read of each
 * moved page cost ~5 us, most of the delivery's time in a burst. cap is
 * ADDON_BLOCK_BYTES, or more for a larger handoff. Allocated with malloc;
 * the delivery frees it. */
typedef struct addon_block_s {
  struct addon_block_s *next;
  size_t len;
  size_t cap;
  uint8_t data[];
} addon_block_t;

/* The records handed off and not yet taken by the JS thread, in order. */
typedef struct addon_chain_s {
  addon_block_t *head;
  addon_block_t *tail;
  size_t len; /* bytes of records in all blocks */
} addon_chain_t;

/* An intern cache of the dispatcher: byte strings (paths, or short string
 * values) that the JS side holds as strings under the same ids, so an event
 * refers to them by id. Set-associative: an entry's set comes from its hash,
 * a miss replaces the set's ways in turn, so a few strings whose hashes
 * collide do not evict each other on every event. */
#define ADDON_CACHE_WAYS 4u
typedef struct addon_intern_entry_s {
  uint32_t hash;
  uint32_t len; /* UINT32_MAX = empty (hash then 0, bytes unset) */
  uint8_t bytes[];
} addon_intern_entry_t;

typedef struct addon_intern_s {
  uint8_t *entries; /* nentries entries of `stride` bytes */
  uint8_t *victim;  /* per set: the way a miss replaces next */
  uint32_t nentries;
  uint32_t max_len; /* longest string an entry holds */
  size_t stride;
} addon_intern_t;

/* Bytes between groups of fields that different threads write often, so
 * no two such groups share a cache line whatever the struct's alignment
 * (it is embedded in a calloc'ed store). Without them the JS thread's two
 * atomic updates of js_in_core per set() shared a line with `local`, which
 * the dispatcher writes for every event: a cache-line transfer each way. */
#define ADDON_LINE_PAD 64

typedef struct addon_delivery_s {
  char pad_head[ADDON_LINE_PAD];
  /* Shared, under mu (the dispatcher once per handoff, the JS thread once
   * per delivery). */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  addon_chain_t batch;   /* handed off, not yet taken */
  addon_block_t *spare;  /* empty blocks for reuse (a list) */
  unsigned nspare;       /* at most ADDON_SPARE_BLOCKS */
  bool scheduled;        /* a tsfn call is queued and has not taken yet */
  bool closing;          /* the store is closing: never wait, never deliver
                            (written on the JS thread under mu) */
  bool tsfn_ok;          /* napi_call_threadsafe_function may be called */
  uint64_t enomem_drops; /* events lost because `local` could not grow */
  char pad_shared[ADDON_LINE_PAD];
  /* The JS thread's announcements (twice per core call); the dispatcher
   * writes `waiting` only when it waits. */
  atomic_int waiting;    /* the dispatcher waits on cv for room */
  atomic_int js_in_core; /* the JS thread is inside a core call */
  char pad_js_in_core[ADDON_LINE_PAD];
  /* Dispatcher-only, no lock: the records not yet handed off, the caches
   * and the previous event of `local`. */
  addon_buf_t local;
  addon_intern_t paths;  /* ADDON_PATH_CACHE entries, allocated lazily */
  addon_intern_t values; /* ADDON_VALUE_CACHE entries */
  uint64_t last_seq;
  bool last_valid; /* local holds an EVENT record of event last_seq last */
  char pad_dispatcher[ADDON_LINE_PAD];
  /* JS-thread only. */
  bool delivering;
  napi_threadsafe_function tsfn;
  napi_ref js_buffer; /* the reusable ArrayBuffer */
  uint8_t *js_buffer_data;
  size_t js_buffer_len;
} addon_delivery_t;

/* One native subscription: the listener's user data. Owned by the store
 * (store.c allocates and frees it); the dispatcher reads it while the core
 * subscription exists. */
typedef struct addon_sub_s {
  addon_delivery_t *delivery; /* of the subscribed store; borrowed */
  uint64_t core_id;
  uint32_t slot;
  uint32_t gen;
} addon_sub_t;

/* The JS thread announces calls into the core that may wait for the
 * dispatcher (locks, a full queue, joins), so the dispatcher never waits for
 * the JS thread at the same time. Pure atomics unless the dispatcher waits.
 * Any thread that calls into the core on the JS thread's behalf may use
 * them; each enter is paired with one leave. */
void addon_js_enter(addon_delivery_t *d);
void addon_js_leave(addon_delivery_t *d);

/* Initialises `d` (zeroed, mutex and condition variable). Returns EVS_OK, or
 * EVS_ENOMEM with nothing to destroy. JS thread. */
int addon_delivery_init(addon_delivery_t *d);
/* Frees the buffers and caches (not the mutex). JS thread, after the
 * dispatcher was joined. The blocks a running delivery took are its own: it
 * frees them when it sees the delivery closing. */
void addon_delivery_release_buffers(addon_delivery_t *d);
/* Frees everything, mutex included. JS thread; no other user is left. */
void addon_delivery_destroy(addon_delivery_t *d);
/* Marks the delivery closing (no further JS call, no wait) and wakes a
 * waiting dispatcher. JS thread. */
void addon_delivery_close(addon_delivery_t *d);
/* The core listener (user_data: the addon_sub_t). Dispatcher thread. An
 * event that cannot be recorded (no memory) is counted in enomem_drops. */
void addon_delivery_listener(const evs_event_t *ev, void *user_data);
/* The core's on_drained hook (user_data: the addon_delivery_t): hands a
 * non-empty batch to JS. Dispatcher thread. */
void addon_delivery_drained(void *user_data);
/* The tsfn call-into-JS callback (context: the addon_delivery_t). JS thread,
 * or env == NULL at teardown (then it touches nothing). Exceptions of the
 * JS decoder and of subscribers are reported with napi_fatal_exception. */
void addon_delivery_call_js(napi_env env, napi_value js_cb, void *context,
                            void *data);

#endif
