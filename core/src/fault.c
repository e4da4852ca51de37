/* Fault points: EVS_FAULT parsing. The planted defects themselves sit at the
 * code they corrupt, each behind one evs_fault_on() test. */
#include "evstore/testing.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evstore/error.h"

#ifdef EVS_FAULTS
static const char *const core_names[EVS_FAULT_COUNT_] = {
#define EVS_FAULT_NAME_(id, name) name,
    EVS_FAULT_MAP(EVS_FAULT_NAME_)
#undef EVS_FAULT_NAME_
};

#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *const *extras;
static int init_result;
static const char *env_value; /* EVS_FAULT as read at init */

#ifdef EVS_FAULTS
static bool selected[EVS_FAULT_COUNT_];

/* True when `list` (comma separated) contains `name` exactly. */
static bool list_has(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; p != NULL && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && memcmp(p, name, n) == 0)
      return true;
    p = end ? end + 1 : NULL;
  }
  return false;
}

static bool known(const char *tok, size_t len) {
  for (int i = 0; i < EVS_FAULT_COUNT_; i++)
    if (strlen(core_names[i]) == len && memcmp(core_names[i], tok, len) == 0)
      return true;
  for (const char *const *e = extras; e != NULL && *e != NULL; e++)
    if (strlen(*e) == len && memcmp(*e, tok, len) == 0)
      return true;
  return false;
}

#endif

static void parse(void) {
  env_value = getenv("EVS_FAULT");
  if (env_value == NULL || *env_value == '\0') {
    env_value = NULL;
    return;
  }
#ifndef EVS_FAULTS
  fprintf(stderr,
          "evstore: EVS_FAULT=%s is set but this build has no fault points "
          "(configure with -DEVS_FAULTS=ON)\n",
          env_value);
  init_result = EVS_ENOTSUP;
  env_value = NULL;
  return;
#else
  for (const char *p = env_value; *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (!known(p, len)) {
      fprintf(stderr,
              "evstore: unknown fault '%.*s' in EVS_FAULT; known:", (int)len,
              p);
      for (int i = 0; i < EVS_FAULT_COUNT_; i++)
        fprintf(stderr, " %s", core_names[i]);
      for (const char *const *e = extras; e != NULL && *e != NULL; e++)
        fprintf(stderr, " %s", *e);
      fputc('\n', stderr);
      init_result = EVS_EFAULTNAME;
    }
    p = end ? end + 1 : p + len;
  }
  for (int i = 0; i < EVS_FAULT_COUNT_; i++)
    selected[i] = list_has(env_value, core_names[i]);
  if (init_result == EVS_OK)
    fprintf(stderr, "evstore: fault points active: %s\n", env_value);
#endif
}

int evs_fault_init(const char *const *extra_names) {
  /* The first caller's extra names are the ones used: pthread_once gives the
   * parse a happens-before edge to every later reader. */
  if (extras == NULL && extra_names != NULL)
    extras = extra_names;
  pthread_once(&once, parse);
  return init_result;
}

bool evs_fault_on(evs_fault_t f) {
#ifdef EVS_FAULTS
  pthread_once(&once, parse);
  return f >= 0 && f < EVS_FAULT_COUNT_ && selected[f];
#else
  (void)f;
  return false;
#endif
}

bool evs_fault_named(const char *name) {
#ifdef EVS_FAULTS
  pthread_once(&once, parse);
  return name != NULL && env_value != NULL && list_has(env_value, name);
#else
  (void)name;
  return false;
#endif
}

bool evs_fault_compiled(void) {
#ifdef EVS_FAULTS
  return true;
#else
  return false;
#endif
}
