/* Delivery of store events to JavaScript in batches.
 *
 * Roles. The dispatcher thread (the core listener) appends fixed-layout
 * records to its own buffer, `local`, without a lock. It hands them off to
 * the batch under `mu` and, when no call is pending, queues ONE
 * threadsafe-function call: once it has drained the core queue (the core's
 * on_drained hook), or as soon as `local` holds ADDON_BATCH_FLUSH bytes
 * while events keep coming. So a burst costs one lock round trip and one JS
 * wake-up per batch, and the last event of a burst is never left waiting
 * for the next one. The batch is a list of blocks (addon_block_t), each
 * holding whole handoffs. The JS thread (call_js) takes the whole list
 * under `mu`, then decodes nothing itself: it copies as many whole blocks
 * as fit into a reusable ArrayBuffer and calls the JS decoder once per such
 * chunk, and gives the blocks back for reuse. So there is at most one
 * queued tsfn call per store, whatever the event rate.
 *
 * Bounded memory. A batch above ADDON_BATCH_SOFT_CAP makes the dispatcher
 * wait for the JS thread to take it; the core queue then fills and applies the
 * store's policy (writers block, or drops are counted). The dispatcher must
 * not wait while the JS thread is itself inside a core call that may wait for
 * the dispatcher (a blocking set, a lock, a join): the JS thread announces
 * such calls in `js_in_core`. Dekker handshake, both sides seq_cst:
 *   dispatcher: waiting = 1; if (js_in_core) skip the wait; else cond_wait
 *   JS thread:  js_in_core++; if (waiting) { lock mu; broadcast; unlock }
 * One side always sees the other's store; the dispatcher holds `mu` from its
 * check until cond_wait releases it, so the broadcast cannot be lost. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "delivery.h"
#include "wire.h"

/* ---- intern caches (dispatcher thread) --------------------------------- */

static void addon_intern_free(addon_intern_t *c) {
  free(c->entries);
  free(c->victim);
  c->entries = c->victim = NULL;
}

/* Allocates `nentries` empty entries for strings of up to max_len bytes.
 * False on allocation failure (nothing allocated). */
static bool addon_intern_alloc(addon_intern_t *c, uint32_t nentries,
                               uint32_t max_len) {
  uint32_t i;
  c->stride = (sizeof(addon_intern_entry_t) + max_len + 7) & ~(size_t)7;
  c->entries = malloc((size_t)nentries * c->stride);
  c->victim = calloc(nentries / ADDON_CACHE_WAYS, 1);
  if (c->entries == NULL || c->victim == NULL) {
    addon_intern_free(c);
    return false;
  }
  c->nentries = nentries;
  c->max_len = max_len;
  for (i = 0; i < nentries; i++) { /* empty: no string has this length */
    addon_intern_entry_t *e =
        (addon_intern_entry_t *)(void *)(c->entries + i * c->stride);
    e->hash = 0;
    e->len = UINT32_MAX;
  }
  return true;
}

static addon_intern_entry_t *addon_intern_at(const addon_intern_t *c,
                                             uint32_t id) {
  return (addon_intern_entry_t *)(void *)(c->entries + (size_t)id * c->stride);
}

/* The id of `bytes` in the cache: *hit when the JS side already holds it,
 * else the id a define record must fill (addon_intern_set). Reads only.
 * len <= c->max_len. */
static uint32_t addon_intern_find(const addon_intern_t *c, uint32_t hash,
                                  const void *bytes, uint32_t len, bool *hit) {
  uint32_t set = hash & (c->nentries / ADDON_CACHE_WAYS - 1);
  uint32_t first = set * ADDON_CACHE_WAYS, w;
  for (w = 0; w < ADDON_CACHE_WAYS; w++) {
    const addon_intern_entry_t *e = addon_intern_at(c, first + w);
    if (e->hash == hash && e->len == len && memcmp(e->bytes, bytes, len) == 0) {
      *hit = true;
      return first + w;
    }
  }
  *hit = false;
  return first + c->victim[set];
}

/* Records that entry `id` (from addon_intern_find, a miss) now holds
 * `bytes`: called when its define record is appended. */
static void addon_intern_set(addon_intern_t *c, uint32_t id, uint32_t hash,
                             const void *bytes, uint32_t len) {
  uint32_t set = id / ADDON_CACHE_WAYS;
  addon_intern_entry_t *e = addon_intern_at(c, id);
  e->hash = hash;
  e->len = len;
  if (len > 0)
    memcpy(e->bytes, bytes, len);
  c->victim[set] = (uint8_t)((id % ADDON_CACHE_WAYS + 1) % ADDON_CACHE_WAYS);
}

/* ---- batch blocks (under mu) ------------------------------------------ */

static void addon_blocks_free(addon_block_t *b) {
  while (b != NULL) {
    addon_block_t *next = b->next;
    free(b);
    b = next;
  }
}

/* Asks the kernel to back a fresh block's pages at once. A block is
 * populated only during a burst (the batch is over its soft cap because the
 * JS thread cannot take it): then the dispatcher writes fresh pages
 * continuously, and faulting them in one at a time was a third of its time
 * on this kind of virtual machine. Only advice: before Linux 5.14 the pages
 * fault in as they are written. */
static void addon_block_populate(addon_block_t *blk) {
#ifdef MADV_POPULATE_WRITE
  uintptr_t page = 4096;
  uintptr_t lo = ((uintptr_t)blk->data + page - 1) & ~(page - 1);
  uintptr_t hi = ((uintptr_t)blk->data + blk->cap) & ~(page - 1);
  if (hi > lo)
    (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
  (void)blk;
#endif
}

/* An empty block for at least `need` bytes: a spare one when it fits, else
 * a new one. NULL when out of memory. */
static addon_block_t *addon_block_get(addon_delivery_t *d, size_t need) {
  addon_block_t *blk = d->spare;
  size_t cap = need > ADDON_BLOCK_BYTES ? need : ADDON_BLOCK_BYTES;
  if (blk != NULL && need <= blk->cap) {
    d->spare = blk->next;
    d->nspare--;
  } else {
    blk = malloc(sizeof *blk + cap);
    if (blk == NULL)
      return NULL;
    blk->cap = cap;
    if (d->batch.len >= ADDON_BATCH_SOFT_CAP)
      addon_block_populate(blk);
  }
  blk->next = NULL;
  blk->len = 0;
  return blk;
}

/* Gives the blocks of a delivered batch back: kept as spares up to
 * ADDON_SPARE_BLOCKS (blocks of the standard size only), freed beyond. */
static void addon_blocks_recycle(addon_delivery_t *d, addon_block_t *b) {
  while (b != NULL) {
    addon_block_t *next = b->next;
    if (d->nspare < ADDON_SPARE_BLOCKS && b->cap == ADDON_BLOCK_BYTES) {
      b->next = d->spare;
      d->spare = b;
      d->nspare++;
    } else {
      free(b);
    }
    b = next;
  }
}

/* ---- JS-thread announcements -------------------------------------------- */

void addon_js_enter(addon_delivery_t *d) {
  atomic_fetch_add(&d->js_in_core, 1);
  if (atomic_load(&d->waiting)) {
    pthread_mutex_lock(&d->mu);
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
  }
}

void addon_js_leave(addon_delivery_t *d) {
  atomic_fetch_sub(&d->js_in_core, 1);
}

int addon_delivery_init(addon_delivery_t *d) {
  memset(d, 0, sizeof *d);
  if (pthread_mutex_init(&d->mu, NULL) != 0)
    return EVS_ENOMEM;
  if (pthread_cond_init(&d->cv, NULL) != 0) {
    pthread_mutex_destroy(&d->mu);
    return EVS_ENOMEM;
  }
  atomic_init(&d->waiting, 0);
  atomic_init(&d->js_in_core, 0);
  return EVS_OK;
}

void addon_delivery_close(addon_delivery_t *d) {
  pthread_mutex_lock(&d->mu);
  d->closing = true;
  d->tsfn_ok = false;
  pthread_cond_broadcast(&d->cv);
  pthread_mutex_unlock(&d->mu);
}

void addon_delivery_release_buffers(addon_delivery_t *d) {
  pthread_mutex_lock(&d->mu);
  /* A delivery in progress owns the blocks it took; it frees them itself
   * when it sees the store closed. */
  addon_blocks_free(d->batch.head);
  memset(&d->batch, 0, sizeof d->batch);
  addon_blocks_free(d->spare);
  d->spare = NULL;
  d->nspare = 0;
  free(d->local.data);
  d->local.data = NULL;
  d->local.len = d->local.cap = 0;
  addon_intern_free(&d->paths);
  addon_intern_free(&d->values);
  d->last_valid = false;
  pthread_mutex_unlock(&d->mu);
}

void addon_delivery_destroy(addon_delivery_t *d) {
  addon_blocks_free(d->batch.head);
  addon_blocks_free(d->spare);
  free(d->local.data);
  addon_intern_free(&d->paths);
  addon_intern_free(&d->values);
  pthread_cond_destroy(&d->cv);
  pthread_mutex_destroy(&d->mu);
}

/* ---- dispatcher side --------------------------------------------------- */

/* Reads up to 8 bytes (n <= 8) as one little-endian-agnostic word. */
static uint64_t addon_load_word(const uint8_t *b, size_t n) {
  uint64_t w = 0;
  if (n == 8)
    memcpy(&w, b, 8);
  else
    while (n-- > 0)
      w = (w << 8) | b[n];
  return w;
}

/* The intern caches' hash, a word at a time: the dispatcher hashes every
 * event's path and short string value, and a byte-wise loop was most of
 * addon_delivery_listener's time. Only the caches use it (never the JS side
 * nor the wire), so it may change freely. */
static uint32_t addon_hash(const void *p, size_t n) {
  const uint8_t *b = p;
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  for (;;) {
    size_t k = n < 8 ? n : 8;
    h = (h ^ addon_load_word(b, k)) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    if (n <= 8)
      break;
    b += 8;
    n -= 8;
  }
  h *= 0xc4ceb9fe1a85ec53ull;
  return (uint32_t)(h ^ (h >> 29));
}

static bool addon_is_ascii(const uint8_t *b, size_t n) {
  uint64_t acc = 0;
  for (; n >= 8; b += 8, n -= 8)
    acc |= addon_load_word(b, 8);
  return ((acc | addon_load_word(b, n)) & 0x8080808080808080ull) == 0;
}

static size_t addon_words(size_t bytes) {
  return (bytes + 3) / 4;
}

/* Makes room for `need` more bytes in b. False on allocation failure. */
static bool addon_buf_reserve(addon_buf_t *b, size_t need) {
  size_t cap;
  uint8_t *p;
  if (b->len + need > b->cap) {
    cap = b->cap ? b->cap : 16384;
    while (cap < b->len + need)
      cap *= 2;
    p = realloc(b->data, cap);
    if (p == NULL)
      return false;
    b->data = p;
    b->cap = cap;
  }
  return true;
}

static uint32_t *addon_buf_put(addon_buf_t *b, uint32_t op, size_t words) {
  uint32_t *w = (uint32_t *)(void *)(b->data + b->len);
  w[0] = op | (uint32_t)(words << ADDON_SIZE_SHIFT);
  b->len += words * 4;
  return w;
}

/* Asks for one tsfn call unless one is pending. Called with mu held. */
static void addon_schedule(addon_delivery_t *d) {
  if (d->scheduled || !d->tsfn_ok)
    return;
  d->scheduled = true;
  if (napi_call_threadsafe_function(d->tsfn, NULL, napi_tsfn_nonblocking) !=
      napi_ok)
    d->tsfn_ok = false; /* closing: the records are freed at close */
}

/* Waits while the batch is over its soft cap, unless the store closes
 * or the JS thread is inside a core call. Called with mu held. */
static void addon_wait_room(addon_delivery_t *d) {
  bool announced = false;
  while (d->batch.len >= ADDON_BATCH_SOFT_CAP && !d->closing) {
    addon_schedule(d); /* the take it waits for must have been asked for */
    atomic_store(&d->waiting, 1);
    announced = true;
    if (atomic_load(&d->js_in_core) > 0)
      break;
    pthread_cond_wait(&d->cv, &d->mu);
  }
  /* Only when set: a store per handoff would take the line from the JS
   * thread, which updates js_in_core beside it twice per core call. */
  if (announced)
    atomic_store(&d->waiting, 0);
}

/* Copies the dispatcher's records to the end of the batch (the last block,
 * or a new one when they do not fit) and asks for a JS call. A REPEAT
 * record never refers across a handoff (last_valid is cleared), so records
 * handed off separately need not land in the same block or batch. Closing
 * discards the records. If no block can be had, the records stay in
 * `local` for the next handoff: dropping them would lose define records the
 * intern caches count as delivered; events are dropped (and counted) only
 * by the listener, when `local` itself cannot grow. Dispatcher thread. */
static void addon_handoff(addon_delivery_t *d) {
  addon_chain_t *b = &d->batch;
  addon_block_t *blk;
  pthread_mutex_lock(&d->mu);
  if (!d->closing) {
    addon_wait_room(d);
    blk = b->tail;
    if (blk == NULL || blk->cap - blk->len < d->local.len) {
      blk = addon_block_get(d, d->local.len);
      if (blk == NULL) {
        pthread_mutex_unlock(&d->mu);
        return;
      }
      if (b->tail != NULL)
        b->tail->next = blk;
      else
        b->head = blk;
      b->tail = blk;
    }
    memcpy(blk->data + blk->len, d->local.data, d->local.len);
    blk->len += d->local.len;
    b->len += d->local.len;
    addon_schedule(d);
  }
  pthread_mutex_unlock(&d->mu);
  d->local.len = 0;
  d->last_valid = false;
}

/* The core listener: appends the event's records to `local` (no lock), and
 * hands them off once they reach ADDON_BATCH_FLUSH bytes. */
void addon_delivery_listener(const evs_event_t *ev, void *user_data) {
  addon_sub_t *sub = user_data;
  addon_delivery_t *d = sub->delivery;
  addon_buf_t *b;
  const uint8_t *payload = NULL;
  size_t plen = 0;
  uint32_t kind = ADDON_KIND_NONE;
  uint32_t path_slot, path_hash, value_slot = 0, value_hash = 0;
  bool path_hit, value_intern = false, value_hit = false, ascii = false;
  size_t need;
  uint32_t *w;

  if (d->paths.entries == NULL) {
    if (!addon_intern_alloc(&d->paths, ADDON_PATH_CACHE, EVS_PATH_MAX) ||
        !addon_intern_alloc(&d->values, ADDON_VALUE_CACHE,
                            ADDON_VALUE_INTERN_MAX)) {
      addon_intern_free(&d->paths);
      pthread_mutex_lock(&d->mu);
      d->enomem_drops++;
      pthread_mutex_unlock(&d->mu);
      return;
    }
  }
  if (ev->type == EVS_EVENT_SET && ev->value_len > 0) {
    payload = (const uint8_t *)ev->value + 1;
    plen = ev->value_len - 1;
    kind = ((const uint8_t *)ev->value)[0];
    if (kind >= ADDON_KIND_COUNT) { /* untagged bytes: deliver as a Buffer */
      kind = ADDON_KIND_BUFFER;
      payload = ev->value;
      plen = ev->value_len;
    }
  }
  path_hash = addon_hash(ev->path, ev->path_len);
  path_slot = addon_intern_find(&d->paths, path_hash, ev->path,
                                (uint32_t)ev->path_len, &path_hit);
  if (kind == ADDON_KIND_STRING && plen <= ADDON_VALUE_INTERN_MAX) {
    value_intern = true;
    value_hash = addon_hash(payload, plen);
    value_slot = addon_intern_find(&d->values, value_hash, payload,
                                   (uint32_t)plen, &value_hit);
  }
  if (kind == ADDON_KIND_STRING || kind == ADDON_KIND_JSON)
    ascii = addon_is_ascii(payload, plen);

  b = &d->local;
  if (d->last_valid && d->last_seq == ev->seq) {
    /* The same event for another subscription: refer to the previous one. */
    if (!addon_buf_reserve(b, ADDON_REPEAT_WORDS * 4))
      goto enomem;
    w = addon_buf_put(b, ADDON_OP_REPEAT, ADDON_REPEAT_WORDS);
    w[ADDON_REPEAT_SLOT] = sub->slot;
    w[ADDON_REPEAT_GEN] = sub->gen;
    goto flush;
  }

  need = ADDON_EVENT_WORDS * 4;
  if (!path_hit)
    need += (ADDON_DEF_WORDS + addon_words(ev->path_len)) * 4;
  if (value_intern && !value_hit)
    need += (ADDON_DEF_WORDS + addon_words(plen)) * 4;
  if (!value_intern)
    need += addon_words(plen) * 4;
  if (!addon_buf_reserve(b, need))
    goto enomem;

  if (!path_hit) {
    addon_intern_set(&d->paths, path_slot, path_hash, ev->path,
                     (uint32_t)ev->path_len);
    w = addon_buf_put(b, ADDON_OP_PATH,
                      ADDON_DEF_WORDS + addon_words(ev->path_len));
    w[ADDON_DEF_ID] = path_slot;
    w[ADDON_DEF_LEN] = (uint32_t)ev->path_len;
    memcpy(w + ADDON_DEF_WORDS, ev->path, ev->path_len);
  }
  if (value_intern && !value_hit) {
    addon_intern_set(&d->values, value_slot, value_hash, payload,
                     (uint32_t)plen);
    w = addon_buf_put(b, ADDON_OP_VALUE, ADDON_DEF_WORDS + addon_words(plen));
    w[ADDON_DEF_ID] = value_slot;
    w[ADDON_DEF_LEN] =
        (uint32_t)plen | (ascii ? 1u << ADDON_DEF_ASCII_SHIFT : 0u);
    if (plen > 0)
      memcpy(w + ADDON_DEF_WORDS, payload, plen);
  }
  w = addon_buf_put(b, ADDON_OP_EVENT,
                    ADDON_EVENT_WORDS + (value_intern ? 0 : addon_words(plen)));
  w[ADDON_EV_SLOT] = sub->slot;
  w[ADDON_EV_GEN] = sub->gen;
  w[ADDON_EV_PATH_ID] = path_slot;
  w[ADDON_EV_SEQ_LO] = (uint32_t)ev->seq;
  w[ADDON_EV_SEQ_HI] = (uint32_t)(ev->seq >> 32);
  w[ADDON_EV_META] = (uint32_t)ev->type | kind << ADDON_META_KIND_SHIFT |
                     (ascii ? 1u << ADDON_META_ASCII_SHIFT : 0u);
  w[ADDON_EV_VALUE_ID] =
      value_intern ? value_slot : (uint32_t)ADDON_NO_VALUE_ID;
  w[ADDON_EV_VALUE_LEN] = (uint32_t)plen;
  if (!value_intern && plen > 0)
    memcpy(w + ADDON_EVENT_WORDS, payload, plen);
  d->last_seq = ev->seq;
  d->last_valid = true;
flush:
  if (b->len >= ADDON_BATCH_FLUSH)
    addon_handoff(d);
  return;
enomem:
  pthread_mutex_lock(&d->mu);
  d->enomem_drops++;
  pthread_mutex_unlock(&d->mu);
}

void addon_delivery_drained(void *user_data) {
  addon_delivery_t *d = user_data;
  if (d->local.len > 0)
    addon_handoff(d);
}

/* ---- JS side ------------------------------------------------------------ */

static size_t addon_record_bytes(const uint8_t *p) {
  uint32_t w0;
  memcpy(&w0, p, 4);
  return (size_t)(w0 >> ADDON_SIZE_SHIFT) * 4;
}

/* Calls the JS decoder with `n` bytes in the ArrayBuffer `ab`. Every
 * exception subscribers threw is reported as its own uncaught exception,
 * like an EventEmitter listener's, in delivery order, after the whole chunk
 * was delivered: the decoder returns them as an array (null when none
 * threw), since a JS function can throw only one. Each report runs the
 * process's 'uncaughtException' handlers, or ends the process when there are
 * none (then the later ones are not seen, as with any uncaught exception).
 * The check costs one napi_is_array per chunk, not per event. */
static void addon_call_decoder(napi_env env, napi_value js_cb, napi_value ab,
                               size_t n) {
  napi_value argv[2], undefined, exc, result = NULL, err;
  napi_status st;
  bool is_array = false;
  uint32_t count = 0, i;

  if (napi_get_undefined(env, &undefined) != napi_ok ||
      napi_create_uint32(env, (uint32_t)n, &argv[1]) != napi_ok)
    return;
  argv[0] = ab;
  st = napi_call_function(env, undefined, js_cb, 2, argv, &result);
  if (st == napi_pending_exception) {
    /* The decoder itself failed (not a subscriber: those are returned). */
    if (napi_get_and_clear_last_exception(env, &exc) == napi_ok)
      napi_fatal_exception(env, exc);
    return;
  }
  if (st != napi_ok || result == NULL ||
      napi_is_array(env, result, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, result, &count) != napi_ok)
    return;
  for (i = 0; i < count; i++) {
    if (napi_get_element(env, result, i, &err) != napi_ok)
      break;
    napi_fatal_exception(env, err);
  }
}

/* Delivers a block larger than the reusable buffer (a handoff over
 * ADDON_JS_BUFFER_BYTES: rare, a record of a large value): as many whole
 * records per chunk as fit, found by reading their headers, and a record
 * larger than the buffer in an ArrayBuffer of its own. Stops early when the
 * store closes. False when an ArrayBuffer could not be made: Node makes one
 * with v8::ArrayBuffer::New, which aborts the process when memory runs out,
 * so napi_create_arraybuffer fails only with an exception pending (this
 * callback leaves none: addon_call_decoder clears or reports each) or once
 * the environment can no longer run JavaScript, i.e. when it is going away
 * and what is left of the batch is dropped as at teardown. */
static bool addon_deliver_large(napi_env env, napi_value js_cb,
                                addon_delivery_t *d, napi_value ab,
                                const addon_block_t *blk) {
  size_t off = 0, end, rec;
  while (off < blk->len && !d->closing) {
    end = off;
    while (end < blk->len) {
      rec = addon_record_bytes(blk->data + end);
      if (end - off + rec > d->js_buffer_len)
        break;
      end += rec;
    }
    if (end == off) {
      void *big;
      napi_value big_ab;
      rec = addon_record_bytes(blk->data + off);
      if (napi_create_arraybuffer(env, rec, &big, &big_ab) != napi_ok)
        return false;
      memcpy(big, blk->data + off, rec);
      addon_call_decoder(env, js_cb, big_ab, rec);
      off += rec;
      continue;
    }
    memcpy(d->js_buffer_data, blk->data + off, end - off);
    addon_call_decoder(env, js_cb, ab, end - off);
    off = end;
  }
  return true;
}

void addon_delivery_call_js(napi_env env, napi_value js_cb, void *context,
                            void *data) {
  addon_delivery_t *d = context;
  addon_block_t *taken, *blk;
  napi_value ab;
  size_t n;

  (void)data;
  /* env == NULL: Node is draining the queue at teardown, possibly after the
   * tsfn finaliser ran; `context` must not be touched. */
  if (env == NULL || js_cb == NULL || d == NULL)
    return;
  /* `closing` is written only on this thread: no lock to read it here. */
  if (d->closing || d->delivering)
    return;

  pthread_mutex_lock(&d->mu);
  taken = d->batch.head;
  memset(&d->batch, 0, sizeof d->batch);
  d->scheduled = false;
  if (atomic_load(&d->waiting))
    pthread_cond_broadcast(&d->cv);
  d->delivering = true;
  pthread_mutex_unlock(&d->mu);

  if (napi_get_reference_value(env, d->js_buffer, &ab) != napi_ok || ab == NULL)
    goto done;
  blk = taken;
  while (blk != NULL && !d->closing) {
    if (blk->len > d->js_buffer_len) {
      if (!addon_deliver_large(env, js_cb, d, ab, blk))
        break;
      blk = blk->next;
      continue;
    }
    /* As many whole blocks as fit: one copy each, no header read (the
     * first read of lines the dispatcher wrote on its CPU; memcpy streams
     * them). */
    n = 0;
    while (blk != NULL && blk->len <= d->js_buffer_len - n) {
      memcpy(d->js_buffer_data + n, blk->data, blk->len);
      n += blk->len;
      blk = blk->next;
    }
    addon_call_decoder(env, js_cb, ab, n);
  }

done:
  pthread_mutex_lock(&d->mu);
  d->delivering = false;
  if (!d->closing)
    addon_blocks_recycle(d, taken);
  else /* closed during the delivery: close() left these blocks to us */
    addon_blocks_free(taken);
  pthread_mutex_unlock(&d->mu);
}
