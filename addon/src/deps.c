/* Lists of dependents closed by their owner (deps.h). JS thread only. */
#include <stddef.h>

#include "deps.h"

void addon_dep_add(addon_dep_list_t *list, addon_dep_t *dep,
                   addon_dep_close_cb close_cb, void *data,
                   addon_dep_stage_t stage) {
  dep->close_cb = close_cb;
  dep->data = data;
  dep->stage = stage;
  dep->list = list;
  dep->prev = NULL;
  dep->next = list->head;
  if (list->head != NULL)
    list->head->prev = dep;
  list->head = dep;
}

void addon_dep_remove(addon_dep_t *dep) {
  if (dep->list == NULL)
    return;
  if (dep->prev != NULL)
    dep->prev->next = dep->next;
  else
    dep->list->head = dep->next;
  if (dep->next != NULL)
    dep->next->prev = dep->prev;
  dep->prev = dep->next = NULL;
  dep->list = NULL;
}

void addon_dep_close_stage(napi_env env, addon_dep_list_t *list,
                           addon_dep_stage_t stage) {
  addon_dep_t *dep = list->head;
  while (dep != NULL) {
    if (dep->stage != stage) {
      dep = dep->next;
      continue;
    }
    addon_dep_remove(dep);
    dep->close_cb(env, dep);
    dep = list->head;
  }
}

addon_dep_t *addon_dep_find(const addon_dep_list_t *list,
                            addon_dep_close_cb close_cb) {
  addon_dep_t *dep;
  for (dep = list->head; dep != NULL; dep = dep->next)
    if (dep->close_cb == close_cb)
      return dep;
  return NULL;
}
