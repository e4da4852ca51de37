/* Private to the addon: lists of dependents, after libuv's handle walk. An
 * owner (an environment, a store) keeps a list of the objects that must end
 * before it does; each dependent embeds one addon_dep_t naming its close
 * callback. Closing the owner walks the list and calls the callbacks, so the
 * owner never includes nor calls the dependents' modules: the dependency
 * points from the dependent to its owner only.
 *
 * Threads: a list and its nodes belong to one JS thread (the environment's);
 * nothing here locks. */
#ifndef ADDON_DEPS_H
#define ADDON_DEPS_H

#include <node_api.h>
#include <stdbool.h>

typedef struct addon_dep_s addon_dep_t;
typedef struct addon_dep_list_s addon_dep_list_t;

/* Closes the dependent `dep` because its owner closes. Called on the JS
 * thread after `dep` was unlinked (so the callback may free the memory that
 * holds it, and a second addon_dep_remove is a no-op). */
typedef void (*addon_dep_close_cb)(napi_env env, addon_dep_t *dep);

/* When the owner calls the callback; the owner defines what each stage
 * means (a store: addon_store_close, store.h). */
typedef enum addon_dep_stage_e {
  ADDON_DEP_STAGE_FIRST = 0,
  ADDON_DEP_STAGE_SECOND = 1
} addon_dep_stage_t;

struct addon_dep_s {
  addon_dep_close_cb close_cb;
  void *data; /* the dependent; borrowed */
  addon_dep_stage_t stage;
  addon_dep_list_t *list; /* NULL when not linked */
  addon_dep_t *prev, *next;
};

struct addon_dep_list_s {
  addon_dep_t *head; /* newest first */
};

/* Links `dep` at the head of `list`, to be closed by `close_cb` at `stage`
 * with dep->data == data. `dep` must not be linked; its memory must stay
 * valid until it is removed or closed. */
void addon_dep_add(addon_dep_list_t *list, addon_dep_t *dep,
                   addon_dep_close_cb close_cb, void *data,
                   addon_dep_stage_t stage);

/* Unlinks `dep` from its list; a no-op when it is not linked. */
void addon_dep_remove(addon_dep_t *dep);

/* Closes every dependent of `list` linked for `stage`, newest first: each is
 * unlinked, then its callback runs (which may add or remove other nodes;
 * the walk restarts from the head after each callback). */
void addon_dep_close_stage(napi_env env, addon_dep_list_t *list,
                           addon_dep_stage_t stage);

/* The newest dependent of `list` with callback `close_cb`, or NULL. Lets a
 * module find its own per-owner state without the owner knowing of it. */
addon_dep_t *addon_dep_find(const addon_dep_list_t *list,
                            addon_dep_close_cb close_cb);

#endif
