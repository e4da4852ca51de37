/* The Store binding's subscriptions (storeSubscribe, storeUnsubscribe,
 * patternValidate) and queue statistics (storeStats). JS thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "napi_util.h"
#include "path.h"
#include "stats.h"
#include "store.h"
#include "store_int.h"

/* ---- storeSubscribe(h, pattern, slot, gen) --------------------------------
 */

#define ADDON_MAX_SLOTS (1u << 24)

napi_value addon_store_subscribe_js(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  addon_store_t *s;
  char pattern[ADDON_PATH_BUF];
  size_t pattern_len;
  uint32_t slot, gen;
  addon_sub_t *sub;
  int rc;

  s = addon_store_args(env, info, 4, argv,
                       "storeSubscribe(handle, pattern, slot, gen)", true);
  if (s == NULL ||
      !addon_get_path(env, argv[1], "pattern", "ERR_EVS_BAD_PATTERN", pattern,
                      &pattern_len))
    return NULL;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[2], &slot));
  NAPI_CALL(env, napi_get_value_uint32(env, argv[3], &gen));
  if (slot >= ADDON_MAX_SLOTS)
    return addon_throw(env, ADDON_RANGE_ERROR, "ERR_EVS_TOO_MANY",
                       "too many subscriptions on one store (limit %u)",
                       ADDON_MAX_SLOTS);
  if (slot >= s->subs_cap) {
    uint32_t cap = s->subs_cap ? s->subs_cap : 16;
    addon_sub_t **p;
    while (cap <= slot)
      cap *= 2;
    p = realloc(s->subs, cap * sizeof *p);
    if (p == NULL)
      return addon_throw_core(env, EVS_ENOMEM, "watch().subscribe()");
    memset(p + s->subs_cap, 0, (cap - s->subs_cap) * sizeof *p);
    s->subs = p;
    s->subs_cap = cap;
  }
  if (s->subs[slot] != NULL)
    return addon_throw(env, ADDON_ERROR, "ERR_EVS_INTERNAL",
                       "subscription slot %u is in use", slot);
  sub = malloc(sizeof *sub);
  if (sub == NULL)
    return addon_throw_core(env, EVS_ENOMEM, "watch().subscribe()");
  sub->delivery = &s->delivery;
  sub->slot = slot;
  sub->gen = gen;
  sub->core_id = 0;
  addon_js_enter(&s->delivery);
  rc = evs_store_subscribe(s->core, pattern, pattern_len,
                           addon_delivery_listener, sub, &sub->core_id);
  addon_js_leave(&s->delivery);
  if (rc != EVS_OK) {
    char shown[ADDON_ESCAPED_MAX];
    char what[ADDON_ESCAPED_MAX + 32];
    free(sub);
    if (rc == EVS_EPATTERN || rc == EVS_EPATH)
      return addon_throw_bad_pattern(env, "pattern", argv[1]);
    addon_escape_js_string(env, argv[1], shown, sizeof shown);
    snprintf(what, sizeof what, "watch('%s').subscribe()", shown);
    return addon_throw_core(env, rc, what);
  }
  s->subs[slot] = sub;
  atomic_fetch_add(&addon_count_subscriptions, 1);
  if (s->active_subs++ == 0 && !s->tsfn_refed) {
    /* Active subscriptions keep the event loop alive, as listeners on a
     * socket do. */
    if (napi_ref_threadsafe_function(env, s->delivery.tsfn) == napi_ok)
      s->tsfn_refed = true;
  }
  return NULL;
}

/* ---- storeUnsubscribe(h, slot, gen) -> boolean ----------------------------
 */

napi_value addon_store_unsubscribe_js(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  addon_store_t *s;
  uint32_t slot, gen;
  addon_sub_t *sub;
  bool removed = false;

  s = addon_store_args(env, info, 3, argv,
                       "storeUnsubscribe(handle, slot, gen)", false);
  if (s == NULL)
    return NULL;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[1], &slot));
  NAPI_CALL(env, napi_get_value_uint32(env, argv[2], &gen));
  if (s->open && slot < s->subs_cap && s->subs[slot] != NULL &&
      s->subs[slot]->gen == gen) {
    sub = s->subs[slot];
    addon_js_enter(&s->delivery);
    /* After this returns the listener never runs again for `sub`. */
    evs_store_unsubscribe(s->core, sub->core_id);
    addon_js_leave(&s->delivery);
    s->subs[slot] = NULL;
    free(sub);
    atomic_fetch_sub(&addon_count_subscriptions, 1);
    removed = true;
    if (--s->active_subs == 0 && s->tsfn_refed) {
      if (napi_unref_threadsafe_function(env, s->delivery.tsfn) == napi_ok)
        s->tsfn_refed = false;
    }
  }
  NAPI_CALL(env, napi_get_boolean(env, removed, &result));
  return result;
}

/* ---- storeStats(h) ----------------------------------------------------------
 */

napi_value addon_store_stats_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj;
  addon_store_t *s;
  evs_queue_stats_t st;
  int rc;

  s = addon_store_args(env, info, 1, argv, "storeStats(handle)", true);
  if (s == NULL)
    return NULL;
  addon_js_enter(&s->delivery);
  rc = evs_store_queue_stats(s->core, &st);
  addon_js_leave(&s->delivery);
  if (rc != EVS_OK)
    return addon_throw_core(env, rc, "getEventQueueStats()");
  NAPI_CALL(env, napi_create_object(env, &obj));
  pthread_mutex_lock(&s->delivery.mu);
  st.dropped += s->delivery.enomem_drops;
  pthread_mutex_unlock(&s->delivery.mu);
  if (!addon_set_u64(env, obj, "pending", st.pending) ||
      !addon_set_u64(env, obj, "processed", st.processed) ||
      !addon_set_u64(env, obj, "dropped", st.dropped) ||
      !addon_set_u64(env, obj, "highWater", st.high_water) ||
      !addon_set_u64(env, obj, "slotWraps", st.slot_wraps) ||
      !addon_set_u64(env, obj, "valueWraps", st.value_wraps) ||
      !addon_set_u64(env, obj, "valueBytesInUse", st.value_bytes_in_use) ||
      !addon_set_u64(env, obj, "consumerPolls", st.consumer_polls) ||
      !addon_set_u64(env, obj, "consumerSleeps", st.consumer_sleeps) ||
      !addon_set_u64(env, obj, "producerPolls", st.producer_polls) ||
      !addon_set_u64(env, obj, "producerSleeps", st.producer_sleeps))
    return NULL;
  return obj;
}

/* ---- patternValidate(pattern): throws like subscribe would ----------------
 */

napi_value addon_pattern_validate_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char pattern[ADDON_PATH_BUF];
  size_t pattern_len;
  int rc;

  if (!addon_args(env, info, 1, argv,
                  "The \"pattern\" argument must be of type string"))
    return NULL;
  if (!addon_get_path(env, argv[0], "pattern", "ERR_EVS_BAD_PATTERN", pattern,
                      &pattern_len))
    return NULL;
  rc = evs_pattern_validate(pattern, pattern_len);
  if (rc == EVS_EPATTERN || rc == EVS_EPATH)
    return addon_throw_bad_pattern(env, "pattern", argv[0]);
  if (rc != EVS_OK)
    return addon_throw_core(env, rc, "watch()");
  return NULL;
}
