/* Private to the addon: the types shared by the files of evstore.node and the
 * NAPI_CALL macro family.
 *
 * Architecture (one store):
 *   JS set() -> addon_store_set -> evs_store_set          (JS thread)
 *   dispatcher thread -> addon listener -> delivery batch  (delivery.c)
 *   batch -> one threadsafe function per store -> JS deliver(ab, n)
 * Every Node-API call happens on the JS thread of the store's environment;
 * the dispatcher thread only touches its own records and the batch (under
 * its mutex) and calls napi_call_threadsafe_function, which Node-API allows
 * from any thread. */
#ifndef ADDON_ADDON_H
#define ADDON_ADDON_H

#include <node_api.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <evstore.h>
#include <evstore/testing.h> /* the addon plants its own fault points */

/* ---- NAPI_CALL family ------------------------------------------------------
 * On failure: fetch the last error info, throw it unless an exception is
 * already pending, and leave the function with the given value. Never assert
 * on a napi status. */
void addon_throw_napi_error(napi_env env, napi_status status,
                            const char *call_text);

#define NAPI_CALL_BASE_(env, the_call, ret_val)                                \
  do {                                                                         \
    napi_status addon_status_ = (the_call);                                    \
    if (addon_status_ != napi_ok) {                                            \
      addon_throw_napi_error((env), addon_status_, #the_call);                 \
      return ret_val;                                                          \
    }                                                                          \
  } while (0)

/* For functions returning napi_value (NULL = exception pending). */
#define NAPI_CALL(env, the_call) NAPI_CALL_BASE_(env, the_call, NULL)
/* For functions returning void. */
#define NAPI_CALL_RETURN_VOID(env, the_call) NAPI_CALL_BASE_(env, the_call, )
/* For functions returning bool (false = exception pending). */
#define NAPI_CALL_RETURN_FALSE(env, the_call)                                  \
  NAPI_CALL_BASE_(env, the_call, false)
/* For functions with a cleanup exit: jumps to `label` after throwing. */
#define NAPI_CALL_GOTO(env, the_call, label)                                   \
  do {                                                                         \
    napi_status addon_status_ = (the_call);                                    \
    if (addon_status_ != napi_ok) {                                            \
      addon_throw_napi_error((env), addon_status_, #the_call);                 \
      goto label;                                                              \
    }                                                                          \
  } while (0)

/* ---- errors (errors.c) ----------------------------------------------------
 */
typedef enum addon_error_kind_e {
  ADDON_ERROR = 0,
  ADDON_TYPE_ERROR = 1,
  ADDON_RANGE_ERROR = 2
} addon_error_kind_t;

/* Throws a new Error/TypeError/RangeError with `code` and a printf-style
 * message, unless an exception is already pending. Always returns NULL so a
 * callback can `return addon_throw(...)`. */
napi_value addon_throw(napi_env env, addon_error_kind_t kind, const char *code,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Throws the JS error for a core error code `err`, with the message prefixed
 * by `what` (e.g. "set('/a/b')"). Returns NULL. */
napi_value addon_throw_core(napi_env env, int err, const char *what);

/* Room for any path or pattern (at most EVS_PATH_MAX bytes of UTF-8) escaped
 * by addon_escape_js_string: each UTF-8 byte becomes at most 4 bytes (a
 * control character as \xNN; an unpaired surrogate, 3 bytes as U+FFFD,
 * becomes the 6 of \uDXXX), plus "..." and the NUL. */
#define ADDON_ESCAPED_MAX (4 * EVS_PATH_MAX + 8)

/* Writes the JS string `v` into out[0..cap) (always NUL-terminated) for an
 * error message, whole and unambiguous: NUL as \0, other C0/C1 control
 * characters and DEL as \xNN, backslash and quote escaped, an unpaired
 * surrogate as \uDXXX, everything else as UTF-8. Strings longer than
 * EVS_PATH_MAX units, or than `cap` allows, end in "...". Never throws;
 * writes "<unreadable>" if the string cannot be read. */
void addon_escape_js_string(napi_env env, napi_value v, char *out, size_t cap);
/* The same for UTF-16 units u[0..n); `truncated` appends "...". */
void addon_escape_utf16(const char16_t *u, size_t n, bool truncated, char *out,
                        size_t cap);
/* Whether u[0..n) holds a surrogate that is not half of a pair; if so, *at is
 * the index of the first one. */
bool addon_find_lone_surrogate(const char16_t *u, size_t n, size_t *at);
/* Formats a double as JavaScript would print it (NaN, Infinity, -0, shortest
 * round-trip digits) into buf; returns buf. */
const char *addon_fmt_number(double d, char *buf, size_t cap);

/* ---- value kinds ----------------------------------------------------------
 * Every value the addon stores starts with one kind byte so that get(), events
 * and step events return the kind that went in. */
enum {
  ADDON_KIND_STRING = 0,
  ADDON_KIND_BUFFER = 1,
  ADDON_KIND_UINT8ARRAY = 2,
  ADDON_KIND_JSON = 3,
  ADDON_KIND_COUNT_ = 4,
  ADDON_KIND_NONE = 255 /* no value (delete events, untagged bytes) */
};

/* ---- process-wide counters (module.c) --------------------------------------
 * Live addon handles over every environment, for nativeStats(). */
extern atomic_long addon_count_stores;        /* stores open */
extern atomic_long addon_count_subscriptions; /* native subscriptions alive */
extern atomic_long addon_count_tsfns;         /* tsfns created, not released */
extern atomic_long addon_count_workers;       /* core workers alive */

/* ---- per-environment state (module.c) --------------------------------------
 * Owned by the environment's instance data; only its JS thread touches it.
 * Reference counted, because stores and workers are finalised in an order
 * Node does not specify relative to the instance data. */
typedef struct addon_store_s addon_store_t;
typedef struct addon_worker_s addon_worker_t;

typedef struct addon_env_s {
  int refs;
  bool tearing_down;     /* the env cleanup hook ran */
  addon_store_t *stores; /* open stores, doubly linked */
  napi_ref json_parse;   /* JSON.parse, for get() of JSON values */
  uint8_t *scratch;      /* reusable value-encoding buffer */
  size_t scratch_cap;
} addon_env_t;

addon_env_t *addon_env_get(napi_env env);
void addon_env_ref(addon_env_t *aenv);
void addon_env_unref(addon_env_t *aenv);
/* Ensures aenv->scratch holds at least `n` bytes. Throws and returns false on
 * allocation failure. */
bool addon_env_scratch(napi_env env, addon_env_t *aenv, size_t n);

/* ---- fault points ----------------------------------------------------------
 */
#define ADDON_FAULT_SKIP_TSFN_RELEASE "skip-tsfn-release"
#define ADDON_FAULT_RETAIN_JS_EVENTS "retain-js-events"

/* ---- delivery (delivery.c) -------------------------------------------------
 * The batch is the only state the dispatcher thread and the JS thread share.
 * Records are 32-bit little-endian words; word 0 is op | size_in_words << 4:
 *   PATH   [w0][id][len] bytes...            defines paths[id]
 *   VALUE  [w0][id][len] bytes...            defines values[id] (strings)
 *   EVENT  [w0][slot][gen][pathId][seqLo][seqHi][meta][valueId][vlen] bytes
 *          meta = type | kind << 8 | ascii << 16; valueId = ~0 when inline
 *   REPEAT [w0][slot][gen]                   the previous EVENT, another sub
 * The path and value tables are caches (addon_intern_t) mirrored by the JS
 * decoder: a define record overwrites the entry, so both sides agree at every
 * point of the stream. Which entry a string takes is the dispatcher's choice
 * alone. */
enum {
  ADDON_OP_PATH = 1,
  ADDON_OP_VALUE = 2,
  ADDON_OP_EVENT = 3,
  ADDON_OP_REPEAT = 4
};
#define ADDON_PATH_CACHE 1024u     /* entries, a power of two */
#define ADDON_VALUE_CACHE 512u     /* entries, a power of two */
#define ADDON_VALUE_INTERN_MAX 64u /* string values up to this many bytes */
#define ADDON_EVENT_WORDS 9u
#define ADDON_NO_VALUE_ID 0xffffffffu
/* Soft bound of one batch buffer: the dispatcher waits for the JS thread
 * beyond it (unless the JS thread is itself inside a core call). */
#define ADDON_BATCH_SOFT_CAP (256u * 1024u)
/* The dispatcher hands its records to the batch, and asks for a JS call,
 * when it has drained the core queue (addon_delivery_drained), or earlier
 * once it holds this many bytes: while writes keep coming, the JS thread is
 * woken once per ~450 events, not for every few, and the batch's mutex is
 * taken once per handoff, not per event. */
#define ADDON_BATCH_FLUSH (16u * 1024u)
/* Size of the ArrayBuffer that carries batches to JS (reused). */
#define ADDON_JS_BUFFER_BYTES (256u * 1024u)

typedef struct addon_buf_s {
  uint8_t *data;
  size_t len;
  size_t cap;
} addon_buf_t;

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

typedef struct addon_delivery_s {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  addon_buf_t bufs[2];
  int fill;              /* bufs[fill] receives handed-off records */
  bool scheduled;        /* a tsfn call is queued and has not swapped yet */
  bool closing;          /* the store is closing: never wait */
  bool tsfn_ok;          /* napi_call_threadsafe_function may be called */
  atomic_int waiting;    /* the dispatcher waits on cv for room */
  atomic_int js_in_core; /* the JS thread is inside a core call */
  uint64_t enomem_drops; /* events lost because a batch could not grow */
  /* Dispatcher-only, no lock: the records not yet handed off, the caches
   * and the previous event of `local`. */
  addon_buf_t local;
  addon_intern_t paths;  /* ADDON_PATH_CACHE entries, allocated lazily */
  addon_intern_t values; /* ADDON_VALUE_CACHE entries */
  uint64_t last_seq;
  bool last_valid; /* local holds an EVENT record of event last_seq last */
  /* JS-thread only. */
  bool delivering;
  napi_threadsafe_function tsfn;
  napi_ref js_buffer; /* the reusable ArrayBuffer */
  uint8_t *js_buffer_data;
  size_t js_buffer_len;
} addon_delivery_t;

/* The JS thread announces calls into the core that may wait for the
 * dispatcher (locks, a full queue, joins), so the dispatcher never waits for
 * the JS thread at the same time. Pure atomics unless the dispatcher waits. */
void addon_js_enter(addon_delivery_t *d);
void addon_js_leave(addon_delivery_t *d);

int addon_delivery_init(addon_delivery_t *d);
/* Frees the buffers and caches (not the mutex). JS thread, after the
 * dispatcher was joined. Buffers in use by a running delivery are kept. */
void addon_delivery_release_buffers(addon_delivery_t *d);
void addon_delivery_destroy(addon_delivery_t *d);
/* Marks the delivery closing and wakes a waiting dispatcher. */
void addon_delivery_close(addon_delivery_t *d);
/* The core listener: runs on the dispatcher thread. */
void addon_delivery_listener(const evs_event_t *ev, void *user_data);
/* The core's on_drained hook (user_data: the addon_store_t): hands a
 * non-empty batch to JS. Dispatcher thread. */
void addon_delivery_drained(void *user_data);
/* The tsfn call-into-JS callback. */
void addon_delivery_call_js(napi_env env, napi_value js_cb, void *context,
                            void *data);

/* ---- store (store.c) ------------------------------------------------------
 */
typedef struct addon_sub_s {
  addon_store_t *store;
  uint64_t core_id;
  uint32_t slot;
  uint32_t gen;
} addon_sub_t;

typedef struct addon_bench_s {
  pthread_t thread;
  bool running; /* a thread was started and not yet joined */
  atomic_int stop;
  uint64_t count;
  uint64_t written;
  int last_error;
  char **paths;
  size_t *path_lens;
  char **values; /* kind-tagged */
  size_t *value_lens;
  size_t npaths, nvalues;
} addon_bench_t;

struct addon_store_s {
  addon_env_t *aenv;
  int refs;          /* JS handle + tsfn + workers; JS thread only */
  bool open;         /* false once closed (by JS, GC, or env teardown) */
  evs_store_t *core; /* NULL once closed (freed at close) */
  uint32_t max_value_bytes;
  addon_store_t *prev, *next; /* aenv->stores */
  addon_sub_t **subs;         /* indexed by slot */
  uint32_t subs_cap;
  uint32_t active_subs;
  bool tsfn_refed;
  bool tsfn_leaked;        /* fault skip-tsfn-release */
  addon_worker_t *workers; /* live workers of this store */
  addon_delivery_t delivery;
  addon_bench_t bench;
};

/* Closes the store: stops its workers, closes and frees the core store
 * (discarding undelivered events), frees subscriptions and batches and
 * releases the tsfn. Idempotent. JS thread. */
void addon_store_close(napi_env env, addon_store_t *s);
void addon_store_unref(addon_store_t *s);
/* Unwraps a store handle; throws (TypeError) and returns NULL if `v` is not
 * one. When `require_open`, throws ERR_EVS_CLOSED for a closed store. */
addon_store_t *addon_store_from(napi_env env, napi_value v, bool require_open);

/* Encodes a JS value (string or ArrayBufferView) with its kind tag into the
 * env scratch buffer. Throws and returns false on bad input. */
bool addon_encode_value(napi_env env, addon_store_t *s, napi_value value,
                        uint32_t kind, const uint8_t **out, size_t *out_len);
/* Converts kind-tagged bytes to a JS value (string, Buffer, Uint8Array or
 * JSON-parsed). Returns NULL with an exception pending on failure. */
napi_value addon_decode_value(napi_env env, addon_env_t *aenv,
                              const uint8_t *bytes, size_t len);

/* Reads a path/pattern argument into buf (at least ADDON_PATH_BUF bytes) as
 * UTF-8 of *len bytes (not NUL-terminated; it may hold NULs, which the core
 * refuses). Throws TypeError (not a string), RangeError
 * ERR_EVS_PATH_TOO_LONG (over EVS_PATH_MAX bytes) or RangeError `bad_code`
 * (an unpaired UTF-16 surrogate, which UTF-8 cannot hold), naming `what`;
 * returns false then. */
#define ADDON_PATH_BUF (EVS_PATH_MAX + 6)
bool addon_get_path(napi_env env, napi_value v, const char *what,
                    const char *bad_code, char *buf, size_t *len);

/* Throws RangeError ERR_EVS_BAD_PATTERN for the malformed pattern `v` (the
 * `what` argument), shown whole and escaped, with the rules. Returns NULL. */
napi_value addon_throw_bad_pattern(napi_env env, const char *what,
                                   napi_value v);

/* ---- worker (worker.c) -----------------------------------------------------
 */
struct addon_worker_s {
  addon_store_t *store;        /* holds a reference */
  evs_worker_t *core;          /* NULL once stopped or the store closed */
  addon_worker_t *prev, *next; /* store->workers */
  bool store_closed;           /* freed because the store closed */
  evs_worker_status_t final_status;
};
/* Frees the core worker (keeping the final status). JS thread. */
void addon_worker_release(addon_worker_t *w, bool store_closing);

/* ---- bench helper (bench.c) -----------------------------------------------
 */
void addon_bench_stop_and_join(addon_store_t *s);

/* ---- exported functions ----------------------------------------------------
 */
napi_value addon_store_open_js(napi_env env, napi_callback_info info);
napi_value addon_store_close_js(napi_env env, napi_callback_info info);
napi_value addon_store_set_js(napi_env env, napi_callback_info info);
napi_value addon_store_get_js(napi_env env, napi_callback_info info);
napi_value addon_store_delete_js(napi_env env, napi_callback_info info);
napi_value addon_store_subscribe_js(napi_env env, napi_callback_info info);
napi_value addon_store_unsubscribe_js(napi_env env, napi_callback_info info);
napi_value addon_store_stats_js(napi_env env, napi_callback_info info);
napi_value addon_store_is_open_js(napi_env env, napi_callback_info info);
napi_value addon_pattern_validate_js(napi_env env, napi_callback_info info);
napi_value addon_worker_bootstrap_js(napi_env env, napi_callback_info info);
napi_value addon_worker_status_js(napi_env env, napi_callback_info info);
napi_value addon_worker_poll_js(napi_env env, napi_callback_info info);
napi_value addon_worker_complete_js(napi_env env, napi_callback_info info);
napi_value addon_worker_stop_js(napi_env env, napi_callback_info info);
napi_value addon_worker_status_raw_js(napi_env env, napi_callback_info info);
napi_value addon_raw_read_js(napi_env env, napi_callback_info info);
napi_value addon_raw_free_js(napi_env env, napi_callback_info info);
napi_value addon_native_stats_js(napi_env env, napi_callback_info info);
napi_value addon_bench_write_js(napi_env env, napi_callback_info info);
napi_value addon_bench_join_js(napi_env env, napi_callback_info info);

/* Handles given to JS: plain objects that wrap a native pointer and carry a
 * type tag (module.c). Not napi_create_external: node 20 leaks the small
 * wrapper of every external still alive at exit, and LSan reports it under
 * the addon's frame. addon_handle_new: on failure (exception pending) the
 * caller still owns `ptr`; on success the finaliser does.
 * addon_handle_get: NULL, without throwing, for anything else. */
bool addon_handle_new(napi_env env, void *ptr, napi_finalize finalize,
                      const napi_type_tag *tag, napi_value *out);
void *addon_handle_get(napi_env env, napi_value v, const napi_type_tag *tag);

/* Small helpers (module.c). */
bool addon_set_u64(napi_env env, napi_value obj, const char *name, uint64_t v);
bool addon_set_bool(napi_env env, napi_value obj, const char *name, bool v);

#endif
