/* Unit tests of the suppression files (supp.h): loading both formats, the
 * check that no entry could hide our own code, and the paths named by
 * *_OPTIONS and wrapper arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "supp.h"
#include "util.h"

/* Suppression files: both formats parse; entries that could hide our code
 * are rejected with the entry named; narrow ones pass. */
static void test_suppression_check(void) {
  char *const ours[] = {(char *)"evstore.node", (char *)"libevstore",
                        (char *)"/core/src/"};
  char *const funcs[] = {(char *)"evs_*", (char *)"addon_*"};
  lg_supp_file_t f;
  char path[4096];
  ASSERT_EQ(lg_mkdirs(LG_TEST_TMP), 0);
  snprintf(path, sizeof path,
           "%s/../../../scenarios/suppressions/valgrind-node.supp",
           LG_FIXTURES);
  ASSERT_TRUE(lg_supp_load(path, &f) == NULL);
  ASSERT_EQ(f.n, 1);
  ASSERT_TRUE(lg_supp_check_ours(&f, ours, 3, funcs, 2) == NULL);
  lg_supp_free(&f);
  const char *bad[] = {"leak:node\n", "leak:evs_store\n",
                       "{\n x\n Memcheck:Leak\n fun:malloc\n fun:*\n}\n",
                       "{\n y\n Memcheck:Leak\n obj:*evstore*\n}\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(path, sizeof path, "%s/lg-supp-test-%zu.supp", LG_TEST_TMP, i);
    check_defer_remove(path);
    FILE *fp = fopen(path, "w");
    ASSERT_TRUE(fp != NULL);
    fputs(bad[i], fp);
    fclose(fp);
    ASSERT_TRUE(lg_supp_load(path, &f) == NULL);
    char *e = lg_supp_check_ours(&f, ours, 3, funcs, 2);
    lg_supp_free(&f);
    check_defer_free(e);
    if (e == NULL)
      fprintf(stderr, "not rejected: %s", bad[i]);
    ASSERT_TRUE(e != NULL);
    ASSERT_TRUE(strstr(e, "would match our own code") != NULL);
  }
  /* Anchored LSan patterns and other programs' objects are fine. */
  snprintf(path, sizeof path, "%s/lg-supp-test-ok.supp", LG_TEST_TMP);
  check_defer_remove(path);
  FILE *fp = fopen(path, "w");
  ASSERT_TRUE(fp != NULL);
  fputs("# node itself\nleak:/usr/bin/node\nleak:^libv8_internal$\n", fp);
  fclose(fp);
  ASSERT_TRUE(lg_supp_load(path, &f) == NULL);
  ASSERT_EQ(f.n, 2);
  ASSERT_TRUE(lg_supp_check_ours(&f, ours, 3, funcs, 2) == NULL);
  lg_supp_free(&f);
}

/* Suppression files named by *_OPTIONS and wrapper arguments: whole flags
 * only (print_suppressions=1 once read as a file named "1"), sanitizer
 * separators and quotes, valgrind paths to whitespace. */
static void test_supp_paths(void) {
  static const struct {
    const char *in, *want; /* want: the paths joined by '|' */
  } cases[] = {
      {"print_suppressions=1", ""},
      {"suppressions=/a.supp:print_suppressions=1", "/a.supp"},
      {"print_suppressions=0:suppressions=/a.supp", "/a.supp"},
      {"detect_leaks=1,suppressions=/x y.supp", "/x"},
      {"suppressions='/x y.supp':exitcode=86", "/x y.supp"},
      {"log_path=\"a:b\" suppressions=\"/q.supp\"", "/q.supp"},
      {"--suppressions=/v/a:b.supp --error-exitcode=1", "/v/a:b.supp"},
      {"--suppressions={root}/s.supp", "{root}/s.supp"},
      {"--gen-suppressions=all", ""},
      {"suppressions=", ""},
      {"suppressions='/unterminated", "/unterminated"},
      {"", ""},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char **paths = NULL;
    size_t n = 0;
    lg_supp_paths(cases[k].in, &paths, &n);
    lg_buf_t b = {0};
    for (size_t i = 0; i < n; i++)
      lg_buf_addf(&b, "%s%s", i ? "|" : "", paths[i]);
    int same = strcmp(b.s ? b.s : "", cases[k].want) == 0;
    if (!same)
      fprintf(stderr, "lg_supp_paths(%s) gave '%s', want '%s'\n", cases[k].in,
              b.s ? b.s : "", cases[k].want);
    lg_buf_free(&b);
    lg_strv_free(paths, n);
    ASSERT_TRUE(same);
  }
}

static const check_case_t cases[] = {
    {"supp_paths", test_supp_paths},
    {"suppression_check", test_suppression_check},
    {NULL, NULL}};

CHECK_MAIN(cases)
