/* Paths and patterns: validation and matching rules of evstore/path.h. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "evstore.h"

/* A text and what a validator must return for it. */
typedef struct {
  const char *text;
  int rc;
} validate_case_t;

/* A pattern, a path and whether the pattern must match it. */
typedef struct {
  const char *pattern, *path;
  int match;
} match_case_t;

/* Checks validate(text, strlen(text)) == rc for each of the n cases. */
static void check_validate(int (*validate)(const char *, size_t),
                           const validate_case_t *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int rc = validate(cases[i].text, strlen(cases[i].text));
    if (rc != cases[i].rc)
      fprintf(stderr, "\"%s\"\n", cases[i].text);
    ASSERT_EQ(rc, cases[i].rc);
  }
}

static void test_valid_paths(void) {
  static const validate_case_t cases[] = {
      {"/a", EVS_OK}, {"/users/1", EVS_OK}, {"/a b/c.d-e", EVS_OK}};
  check_validate(evs_path_validate, cases, sizeof cases / sizeof cases[0]);
}

static void test_malformed_paths(void) {
  static const validate_case_t cases[] = {
      {"", EVS_EPATH},      {"/", EVS_EPATH},   {"a/b", EVS_EPATH},
      {"/a//b", EVS_EPATH}, {"/a/", EVS_EPATH}, {"/a/*", EVS_EPATH},
      {"/**", EVS_EPATH}};
  ASSERT_EQ(evs_path_validate(NULL, 3), EVS_EINVAL);
  check_validate(evs_path_validate, cases, sizeof cases / sizeof cases[0]);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(evs_path_validate("/a\0b", 4), EVS_EPATH);
}

static void test_length_limit(void) {
  char buf[300];
  memset(buf, 'x', sizeof(buf));
  buf[0] = '/';
  ASSERT_EQ(evs_path_validate(buf, EVS_PATH_MAX), EVS_OK);
  ASSERT_EQ(evs_path_validate(buf, EVS_PATH_MAX + 1), EVS_EPATHLEN);
  ASSERT_EQ(evs_pattern_validate(buf, EVS_PATH_MAX + 1), EVS_EPATHLEN);
}

static void test_patterns(void) {
  static const validate_case_t cases[] = {
      {"/a/*", EVS_OK},        {"/**", EVS_OK},       {"/*/b/**", EVS_OK},
      {"/**/a", EVS_EPATTERN}, {"/a*", EVS_EPATTERN}, {"/a/***", EVS_EPATTERN},
      {"//", EVS_EPATTERN},    {"*", EVS_EPATTERN}};
  check_validate(evs_pattern_validate, cases, sizeof cases / sizeof cases[0]);
}

static void test_matching(void) {
  static const match_case_t cases[] = {{"/a/b", "/a/b", 1},
                                       {"/a/b", "/a/bc", 0},
                                       {"/a/b", "/a/b/c", 0},
                                       {"/a/*", "/a/x", 1},
                                       {"/a/*", "/a", 0},
                                       {"/a/*", "/a/x/y", 0},
                                       {"/*/b", "/x/b", 1},
                                       {"/a/**", "/a", 1},
                                       {"/a/**", "/a/x/y/z", 1},
                                       {"/a/**", "/ab", 0},
                                       {"/**", "/anything/at/all", 1},
                                       {"/*/*/**", "/a/b", 1},
                                       {"/*/*/**", "/a", 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const match_case_t *c = &cases[i];
    int m = evs_pattern_match(c->pattern, strlen(c->pattern), c->path,
                              strlen(c->path));
    if (!m != !c->match)
      fprintf(stderr, "\"%s\" on \"%s\"\n", c->pattern, c->path);
    ASSERT_EQ(!m, !c->match);
  }
}

static const check_case_t cases[] = {{"valid_paths", test_valid_paths},
                                     {"malformed_paths", test_malformed_paths},
                                     {"length_limit", test_length_limit},
                                     {"patterns", test_patterns},
                                     {"matching", test_matching},
                                     {NULL, NULL}};
CHECK_MAIN(cases)
