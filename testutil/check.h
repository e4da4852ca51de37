/* Minimal C test support shared by the core, harness and fuzz tests.
 *
 * Registration, once: a test binary lists its tests in one table,
 *   static const check_case_t cases[] = {{"name", test_fn}, ..., {NULL, NULL}};
 *   CHECK_MAIN(cases)
 * and everything else reads that table: `prog` runs every test, `prog NAME`
 * runs one, `prog --list` prints the names, and CMake's evs_add_test_cases
 * (cmake/EvsBuild.cmake) parses it to register one CTest test per name
 * (PREFIX.NAME). A unit-test program may instead be one CTest test named
 * after the program (evs_add_test); either way no CMake file lists names.
 *
 * Failure and cleanup: an assertion prints both sides, marks the test failed
 * and returns from the test function at once, skipping whatever the test
 * would have freed or removed after it. So hand such a resource to the
 * runner as soon as you have it, instead of releasing it at the end:
 *   char *s = check_defer_free(lg_fmt(...));      free(s) after the test
 *   check_defer_remove(path);                     remove the file after
 *   check_defer(rm_tree, dir);                    any void fn(void *)
 *   lg_results_t *r = check_alloc(sizeof *r, fini);   fini(r), then free(r)
 *   check_cleanup_now(p);              run p's cleanups now (reusing p)
 * After each test, passed or failed, the runner runs its deferred cleanups,
 * newest first. Defer only what outlives the test function (heap or static
 * storage, paths copied there): never the address of a local variable. A
 * test that counts its own process's allocations (test_preload.c) defers
 * nothing: the deferred list allocates too.
 */
#ifndef EVS_TESTUTIL_CHECK_H
#define EVS_TESTUTIL_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*check_fn)(void);
typedef struct check_case_s {
  const char *name;
  check_fn fn;
} check_case_t;

/* Set by a failing assertion; the runner reports, runs the test's deferred
 * cleanups and continues with the next test. */
extern int check_failed;

/* The deferred cleanups of the running test (defined by CHECK_MAIN). */
typedef void (*check_cleanup_fn)(void *);
typedef struct check_defer_s {
  check_cleanup_fn fn;
  void *p;
} check_defer_t;
extern check_defer_t *check_defers;
extern size_t check_ndefers, check_defers_cap;

/* Registers fn(p) to run after the current test, pass or fail; returns p.
 * Out of memory: runs fn(p) at once and exits (the test cannot go on). */
static inline void *check_defer(check_cleanup_fn fn, void *p) {
  if (check_ndefers == check_defers_cap) {
    size_t cap = check_defers_cap ? 2 * check_defers_cap : 16;
    check_defer_t *d = (check_defer_t *)realloc(check_defers, cap * sizeof *d);
    if (d == NULL) {
      fn(p);
      fprintf(stderr, "check_defer: out of memory\n");
      exit(2);
    }
    check_defers = d;
    check_defers_cap = cap;
  }
  check_defers[check_ndefers].fn = fn;
  check_defers[check_ndefers].p = p;
  check_ndefers++;
  return p;
}

/* free(p) after the test; returns p (NULL is fine: free(NULL)). */
static inline void *check_defer_free(void *p) {
  return check_defer(free, p);
}

static inline void check_remove_(void *path) {
  remove((const char *)path);
  free(path);
}

/* remove(path) (a file or an empty directory) after the test; path is
 * copied. Exits when out of memory. */
static inline void check_defer_remove(const char *path) {
  size_t n = strlen(path) + 1;
  char *copy = (char *)malloc(n);
  if (copy == NULL) {
    fprintf(stderr, "check_defer_remove: out of memory\n");
    exit(2);
  }
  memcpy(copy, path, n);
  check_defer(check_remove_, copy);
}

/* A zeroed heap object of n bytes released after the test by fini(p) (when
 * not NULL) and then free(p); exits when out of memory. */
static inline void *check_alloc(size_t n, check_cleanup_fn fini) {
  void *p = calloc(1, n);
  if (p == NULL) {
    fprintf(stderr, "check_alloc: out of memory\n");
    exit(2);
  }
  check_defer(free, p);
  if (fini)
    check_defer(fini, p);
  return p;
}

/* Runs now, newest first, the cleanups deferred for p and forgets them (a
 * test that reuses a variable releases the old value this way). */
static inline void check_cleanup_now(void *p) {
  size_t j = check_ndefers;
  while (j > 0) {
    j--;
    if (check_defers[j].p != p)
      continue;
    check_defer_t d = check_defers[j];
    memmove(&check_defers[j], &check_defers[j + 1],
            (check_ndefers - j - 1) * sizeof *check_defers);
    check_ndefers--;
    d.fn(d.p);
  }
}

/* The runner: every deferred cleanup of the test that just returned, newest
 * first. */
static inline void check_run_deferred(void) {
  while (check_ndefers > 0) {
    check_defer_t d = check_defers[--check_ndefers];
    d.fn(d.p);
  }
}

#define CHECK_FAIL_(...)                                                       \
  do {                                                                         \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    check_failed = 1;                                                          \
    return;                                                                    \
  } while (0)

#define ASSERT_TRUE(c)                                                         \
  do {                                                                         \
    if (!(c))                                                                  \
      CHECK_FAIL_("ASSERT_TRUE(%s) failed", #c);                               \
  } while (0)

#define ASSERT_INT_OP_(a, op, b)                                               \
  do {                                                                         \
    long long a_ = (long long)(a), b_ = (long long)(b);                        \
    if (!(a_ op b_))                                                           \
      CHECK_FAIL_("ASSERT(%s %s %s) failed: %lld vs %lld", #a, #op, #b, a_,    \
                  b_);                                                         \
  } while (0)

#define ASSERT_EQ(a, b) ASSERT_INT_OP_(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_INT_OP_(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_INT_OP_(a, <, b)
#define ASSERT_LE(a, b) ASSERT_INT_OP_(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_INT_OP_(a, >, b)
#define ASSERT_GE(a, b) ASSERT_INT_OP_(a, >=, b)

#define ASSERT_UINT_EQ(a, b)                                                   \
  do {                                                                         \
    unsigned long long a_ = (unsigned long long)(a),                           \
                       b_ = (unsigned long long)(b);                           \
    if (a_ != b_)                                                              \
      CHECK_FAIL_("ASSERT_UINT_EQ(%s, %s) failed: %llu vs %llu", #a, #b, a_,   \
                  b_);                                                         \
  } while (0)

#define ASSERT_DBL_NEAR(a, b, eps)                                             \
  do {                                                                         \
    double a_ = (double)(a), b_ = (double)(b);                                 \
    if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps)))                               \
      CHECK_FAIL_("ASSERT_DBL_NEAR(%s, %s) failed: %g vs %g (eps %g)", #a, #b, \
                  a_, b_, (double)(eps));                                      \
  } while (0)

#define ASSERT_STR_EQ(a, b)                                                    \
  do {                                                                         \
    const char *a_ = (a), *b_ = (b);                                           \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                       \
      CHECK_FAIL_("ASSERT_STR_EQ(%s, %s) failed: \"%s\" vs \"%s\"", #a, #b,    \
                  a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
  } while (0)

#define ASSERT_MEM_EQ(a, b, n)                                                 \
  do {                                                                         \
    if (memcmp((a), (b), (n)) != 0)                                            \
      CHECK_FAIL_("ASSERT_MEM_EQ(%s, %s, %s) failed", #a, #b, #n);             \
  } while (0)

/* Runs inside a test: stop the test here if a helper it called failed. */
#define CHECK_RETURN_IF_FAILED()                                               \
  do {                                                                         \
    if (check_failed)                                                          \
      return;                                                                  \
  } while (0)

/* Defines main() for a test binary from a NULL-terminated check_case_t array.
 */
#define CHECK_MAIN(cases)                                                      \
  int check_failed;                                                            \
  check_defer_t *check_defers;                                                 \
  size_t check_ndefers, check_defers_cap;                                      \
  int main(int argc, char **argv) {                                            \
    int failures = 0, ran = 0;                                                 \
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {                          \
      for (const check_case_t *c = (cases); c->name; c++)                      \
        printf("%s\n", c->name);                                               \
      return 0;                                                                \
    }                                                                          \
    for (const check_case_t *c = (cases); c->name; c++) {                      \
      if (argc > 1 && strcmp(argv[1], c->name) != 0)                           \
        continue;                                                              \
      check_failed = 0;                                                        \
      c->fn();                                                                 \
      check_run_deferred();                                                    \
      ran++;                                                                   \
      if (check_failed) {                                                      \
        failures++;                                                            \
        fprintf(stderr, "FAIL %s\n", c->name);                                 \
      } else {                                                                 \
        printf("ok %s\n", c->name);                                            \
      }                                                                        \
    }                                                                          \
    if (ran == 0) {                                                            \
      fprintf(stderr, "no test named '%s'\n", argc > 1 ? argv[1] : "");        \
      return 2;                                                                \
    }                                                                          \
    free(check_defers);                                                        \
    return failures ? 1 : 0;                                                   \
  }

#endif
