/* Paths and patterns: validation and matching rules of evstore/path.h. */
#include <string.h>

#include "check.h"
#include "evstore.h"

#define V(s) evs_path_validate(s, strlen(s))
#define P(s) evs_pattern_validate(s, strlen(s))
#define M(p, s) evs_pattern_match(p, strlen(p), s, strlen(s))

static void test_valid_paths(void) {
  ASSERT_EQ(V("/a"), EVS_OK);
  ASSERT_EQ(V("/users/1"), EVS_OK);
  ASSERT_EQ(V("/a b/c.d-e"), EVS_OK);
}

static void test_malformed_paths(void) {
  ASSERT_EQ(evs_path_validate(NULL, 3), EVS_EINVAL);
  ASSERT_EQ(V(""), EVS_EPATH);
  ASSERT_EQ(V("/"), EVS_EPATH);
  ASSERT_EQ(V("a/b"), EVS_EPATH);
  ASSERT_EQ(V("/a//b"), EVS_EPATH);
  ASSERT_EQ(V("/a/"), EVS_EPATH);
  ASSERT_EQ(V("/a/*"), EVS_EPATH);
  ASSERT_EQ(V("/**"), EVS_EPATH);
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
  ASSERT_EQ(P("/a/*"), EVS_OK);
  ASSERT_EQ(P("/**"), EVS_OK);
  ASSERT_EQ(P("/*/b/**"), EVS_OK);
  ASSERT_EQ(P("/**/a"), EVS_EPATTERN);
  ASSERT_EQ(P("/a*"), EVS_EPATTERN);
  ASSERT_EQ(P("/a/***"), EVS_EPATTERN);
  ASSERT_EQ(P("//"), EVS_EPATTERN);
  ASSERT_EQ(P("*"), EVS_EPATTERN);
}

static void test_matching(void) {
  ASSERT_TRUE(M("/a/b", "/a/b"));
  ASSERT_TRUE(!M("/a/b", "/a/bc"));
  ASSERT_TRUE(!M("/a/b", "/a/b/c"));
  ASSERT_TRUE(M("/a/*", "/a/x"));
  ASSERT_TRUE(!M("/a/*", "/a"));
  ASSERT_TRUE(!M("/a/*", "/a/x/y"));
  ASSERT_TRUE(M("/*/b", "/x/b"));
  ASSERT_TRUE(M("/a/**", "/a"));
  ASSERT_TRUE(M("/a/**", "/a/x/y/z"));
  ASSERT_TRUE(!M("/a/**", "/ab"));
  ASSERT_TRUE(M("/**", "/anything/at/all"));
  ASSERT_TRUE(M("/*/*/**", "/a/b"));
  ASSERT_TRUE(!M("/*/*/**", "/a"));
}

static const check_case_t cases[] = {{"valid_paths", test_valid_paths},
                                     {"malformed_paths", test_malformed_paths},
                                     {"length_limit", test_length_limit},
                                     {"patterns", test_patterns},
                                     {"matching", test_matching},
                                     {NULL, NULL}};
CHECK_MAIN(cases)
