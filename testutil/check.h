/* Minimal C test support shared by the core and harness tests.
 *
 * A test binary lists its tests once, in a CHECK_LIST table, and both the
 * runner (main) and CTest see that one list: `prog` runs every test, `prog
 * NAME` runs one, `prog --list` prints the names (CMake registers one CTest
 * test per name). Assertions print both sides and stop the current test.
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

/* Set by a failing assertion; the runner reports and continues with the next
 * test (each test should leave no state behind on failure paths it controls).
 */
extern int check_failed;

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
    return failures ? 1 : 0;                                                   \
  }

#endif
