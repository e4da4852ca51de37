/* evstore's test controls, kept out of the umbrella header evstore.h (the
 * sqlite3_test_control pattern): a program that includes only evstore.h
 * cannot reach them. Include "evstore/testing.h" in tests, scenarios and the
 * layers that plant their own faults.
 *
 * Fault points: planted one-line defects for the harness self-test, compiled
 * only with -DEVS_FAULTS=ON (never in release) and selected at run time by the
 * EVS_FAULT environment variable (one name, or several separated by ','). */
#ifndef EVSTORE_TESTING_H
#define EVSTORE_TESTING_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(id, name) */
#define EVS_FAULT_MAP(X)                                                       \
  X(EVS_FAULT_LEAK_EVENT_COPY, "leak-event-copy")                              \
  X(EVS_FAULT_LEAK_SUBSCRIPTION, "leak-subscription")                          \
  X(EVS_FAULT_NO_THREAD_JOIN, "no-thread-join")                                \
  X(EVS_FAULT_DOUBLE_FREE_STRING, "double-free-string")                        \
  X(EVS_FAULT_USE_AFTER_FREE_EVENT, "use-after-free-event")                    \
  X(EVS_FAULT_DATA_RACE_STATS, "data-race-stats")

typedef enum evs_fault_e {
#define EVS_FAULT_ENUM_(id, name) id,
  EVS_FAULT_MAP(EVS_FAULT_ENUM_)
#undef EVS_FAULT_ENUM_
      EVS_FAULT_COUNT_
} evs_fault_t;

/* Parses EVS_FAULT once; later calls return the first call's result. Names
 * in `extra_names` (a NULL-terminated list, may be NULL; the list is kept,
 * not copied, so it must live until the process exits) are accepted too:
 * layers above the core (the addon) register their own fault points this way
 * and test them with evs_fault_named(). Returns EVS_OK, EVS_EFAULTNAME when
 * EVS_FAULT names an unknown fault (stderr names it and lists the known ones),
 * or EVS_ENOTSUP when EVS_FAULT is set but the build has no fault points. Any
 * thread. evs_store_open calls it with NULL, so a layer with extra names must
 * call it first. */
int evs_fault_init(const char *const *extra_names);

/* True when fault `f` was selected (parses EVS_FAULT on first use if
 * evs_fault_init has not run). Always false without EVS_FAULTS. Any
 * thread. */
bool evs_fault_on(evs_fault_t f);

/* True when EVS_FAULT selected `name` (a core or a registered extra name;
 * NULL is false). Always false without EVS_FAULTS. Any thread. */
bool evs_fault_named(const char *name);

/* True when the library was built with fault points. Any thread. */
bool evs_fault_compiled(void);

/* Allocation-failure injection (compiled in unless EVS_ALLOC_FAILURES=OFF):
 * make the n-th core allocation from now fail (n = 1 is the next one); n = 0
 * disables injection. Only that one allocation fails. Any thread. Returns
 * EVS_OK, or EVS_ENOTSUP if the build lacks the feature. */
int evs_alloc_fail_nth(uint64_t n);

#ifdef __cplusplus
}
#endif
#endif
