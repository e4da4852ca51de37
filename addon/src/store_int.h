/* Private to the Store binding (store.c, store_subs.c): the store struct.
 * Other modules see addon_store_t as opaque (store.h). */
#ifndef ADDON_STORE_INT_H
#define ADDON_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "delivery.h"
#include "deps.h"
#include "env.h"
#include "store.h"

struct addon_store_s {
  addon_env_t *aenv; /* holds a reference */
  int refs;          /* JS handle + tsfn + dependents' holders */
  bool open;         /* false once closed (by JS, GC, or env teardown) */
  evs_store_t *core; /* NULL once closed (freed at close) */
  uint32_t max_value_bytes;
  addon_dep_t env_dep;   /* in aenv->stores while open */
  addon_dep_list_t deps; /* workers, bench writer: closed by close() */
  addon_sub_t **subs;    /* indexed by slot */
  uint32_t subs_cap;
  uint32_t active_subs;
  bool tsfn_refed;
  bool tsfn_leaked; /* fault skip-tsfn-release */
  addon_delivery_t delivery;
};

#endif
