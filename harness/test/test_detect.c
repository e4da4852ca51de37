/* Unit tests of the detector parsers (detect.h) over real fixtures generated
 * on this machine (fixtures/src/regen.sh): ASan, LSan, TSan, UBSan logs and
 * valgrind XML, with the attribution of each finding to our code. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "detect.h"
#include "fixture_file.h"
#include "leakclass.h"
#include "text.h"
#include "util.h"

static char *const lg_ours[] = {(char *)"/harness/test/"};

static void lg_findings_fini(void *fs) {
  lg_findings_free(fs);
}

/* An empty finding list released after the test, passed or failed. */
static lg_findings_t *lg_new_findings(void) {
  return check_alloc(sizeof(lg_findings_t), lg_findings_fini);
}

/* What one sanitizer log fixture must parse to: a single finding. */
typedef struct lg_san_expect_s {
  const char *fixture, *src; /* fixtures/ file, name it is reported as */
  const char *detector, *kind;
  lg_fclass_t cls;
  const char *first_our_frame; /* once attributed with lg_ours */
} lg_san_expect_t;

enum {
  LG_SAN_ASAN_UAF,
  LG_SAN_LSAN_LEAK,
  LG_SAN_TSAN_RACE,
  LG_SAN_TSAN_SEGV,
  LG_SAN_UBSAN_OVERFLOW,
};

/* The sanitizer log fixtures, each parsed to one finding. */
static const lg_san_expect_t lg_san_fixtures[] = {
    [LG_SAN_ASAN_UAF] = {"asan_uaf.log", "asan.1", "asan",
                         "heap-use-after-free", LG_F_ERROR,
                         "read_after_free uaf.c:6"},
    [LG_SAN_LSAN_LEAK] = {"lsan_leak.log", "asan.2", "lsan", "direct-leak",
                          LG_F_LEAK, "leak_one leak.c:9"},
    [LG_SAN_TSAN_RACE] = {"tsan_race.log", "tsan.3", "tsan", "data race",
                          LG_F_RACE, "racer race.c:10"},
    [LG_SAN_TSAN_SEGV] = {"tsan_segv.log", "tsan.5", "tsan", "SEGV", LG_F_CRASH,
                          "store_null segv.c:5"},
    [LG_SAN_UBSAN_OVERFLOW] = {"ubsan_overflow.log", "ubsan.4", "ubsan",
                               "signed integer overflow", LG_F_ERROR,
                               "add ubsan.c:7"},
};

/* Parses the log fixture lg_san_fixtures[which] into a list released after the
 * test, checks that it holds one finding as that entry says, once attributed
 * with lg_ours, and returns that finding (owned by the list). A failed check
 * sets check_failed (and returns NULL). */
static void lg_one_sanitizer_finding_(int which, lg_finding_t **out) {
  const lg_san_expect_t *e = &lg_san_fixtures[which];
  char *log = check_defer_free(lg_fixture(e->fixture, NULL));
  ASSERT_TRUE(log != NULL);
  lg_findings_t *fs = lg_new_findings();
  lg_parse_sanitizer(log, e->src, fs);
  ASSERT_EQ(fs->n, 1);
  lg_finding_t *f = &fs->v[0];
  lg_attribute(f, lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(f->detector, e->detector);
  ASSERT_STR_EQ(f->kind, e->kind);
  ASSERT_EQ(f->cls, e->cls);
  ASSERT_STR_EQ(f->first_our_frame, e->first_our_frame);
  *out = f;
}

static lg_finding_t *lg_one_sanitizer_finding(int which) {
  lg_finding_t *f = NULL;
  lg_one_sanitizer_finding_(which, &f);
  return f;
}

/* Parses the valgrind XML fixture NAME (reported as SRC) into a list
 * released after the test, checks that the parser reports no error and
 * finds N findings, and returns the list in *out. A failed check returns
 * with check_failed set. */
static void lg_valgrind_findings(const char *name, const char *src, size_t n,
                                 lg_findings_t **out) {
  size_t len;
  char *xml = check_defer_free(lg_fixture(name, &len));
  ASSERT_TRUE(xml != NULL);
  lg_findings_t *fs = lg_new_findings();
  char *err = lg_parse_valgrind_xml(xml, len, src, fs);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs->n, n);
  *out = fs;
}

static void test_asan_use_after_free(void) {
  lg_finding_t *f = lg_one_sanitizer_finding(LG_SAN_ASAN_UAF);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(f->nstacks, 3);
  ASSERT_STR_EQ(f->stacks[1].title, "freed by thread T0 here");
  ASSERT_STR_EQ(f->stacks[2].title, "previously allocated by thread T0 here");
  ASSERT_STR_EQ(f->stacks[0].frames[0].fn, "read_after_free");
  ASSERT_EQ(f->stacks[0].frames[0].line, 6);
  ASSERT_TRUE(f->ours);
  ASSERT_TRUE(f->stacks[0].frames[4].obj != NULL); /* _start (obj+0x..) */
  ASSERT_TRUE(!f->stacks[0].frames[2].ours);       /* libc */
  /* The same report with a list that does not name it: third-party. */
  char *const other[] = {(char *)"libevstore"};
  lg_attribute(f, other, 1, NULL, 0);
  ASSERT_TRUE(!f->ours);
  ASSERT_TRUE(f->first_our_frame == NULL);
}

static void test_lsan_leak(void) {
  lg_finding_t *f = lg_one_sanitizer_finding(LG_SAN_LSAN_LEAK);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(f->bytes, 300);
  ASSERT_EQ(f->blocks, 3);
  ASSERT_EQ(f->nstacks, 1);
  ASSERT_EQ(f->stacks[0].nframes, 4);
  /* Allocator wrappers are skipped when naming the frame of ours. */
  char *const skip[] = {(char *)"leak_*"};
  lg_attribute(f, lg_ours, 1, skip, 1);
  ASSERT_STR_EQ(f->first_our_frame, "main leak.c:17");
  ASSERT_TRUE(f->ours);
}

static void test_tsan_race(void) {
  lg_finding_t *f = lg_one_sanitizer_finding(LG_SAN_TSAN_RACE);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(f->nstacks, 4);
  ASSERT_STR_EQ(f->stacks[1].title, "Previous write of size 8 at "
                                    "0x5570f84fd058 by thread T1");
  lg_frame_t *fr = &f->stacks[0].frames[0];
  ASSERT_STR_EQ(fr->fn, "racer");
  ASSERT_EQ(fr->line, 10);
  ASSERT_STR_EQ(fr->obj, "race-tsan");
  ASSERT_TRUE(f->ours);
}

static void test_tsan_deadly_signal(void) {
  /* All it checks is in its lg_san_fixtures entry. */
  (void)lg_one_sanitizer_finding(LG_SAN_TSAN_SEGV);
}

static void test_ubsan_overflow(void) {
  lg_finding_t *f = lg_one_sanitizer_finding(LG_SAN_UBSAN_OVERFLOW);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(f->nstacks, 2); /* the location line, then the stack */
  ASSERT_STR_EQ(f->stacks[0].frames[0].file, "ubsan.c");
  ASSERT_EQ(f->stacks[0].frames[0].line, 7);
}

static void test_sanitizer_concatenated_and_garbage(void) {
  size_t a, b;
  char *x = lg_fixture("asan_uaf.log", &a),
       *y = lg_fixture("tsan_race.log", &b);
  ASSERT_TRUE(x && y);
  char *both = lg_fmt("noise line\n%s\n\x01\x02 garbage #1 nothing\n%s", x, y);
  free(x);
  free(y);
  lg_findings_t *fs = lg_new_findings();
  lg_parse_sanitizer(both, "mixed", fs);
  free(both);
  ASSERT_EQ(fs->n, 2);
  ASSERT_STR_EQ(fs->v[0].detector, "asan");
  ASSERT_STR_EQ(fs->v[1].detector, "tsan");
  lg_findings_free(fs);
  lg_parse_sanitizer("", "empty", fs);
  lg_parse_sanitizer("#0 0x1 in f x.c:1\n    #1\n#", "frames only", fs);
  ASSERT_EQ(fs->n, 0);
}

/* A field of a parsed frame line the case does not look at. */
static const char lg_any[] = "(not checked)";
#define LG_ANY_LINE INT_MIN

/* A stack frame line and what lg_parse_frame_line must make of it: its
 * result, then the fields (NULL: must be NULL; lg_any, LG_ANY_LINE: not
 * checked). */
typedef struct lg_frame_case_s {
  const char *text;
  int rc;
  const char *fn, *file, *obj;
  int line;
} lg_frame_case_t;

static const lg_frame_case_t lg_frame_cases[] = {
    {"    #3 0x7f12 in evs_store_set /src/core/src/store.c:120:7", 0,
     "evs_store_set", "/src/core/src/store.c", NULL, 120},
    {"#1 0x55 in napi_call (/build/evstore.node+0x1f00) (BuildId: abcdef)", 0,
     "napi_call", NULL, "/build/evstore.node", LG_ANY_LINE},
    {"  #2 <null> <null> (libc.so.6+0x8b)", 0, NULL, NULL, "libc.so.6",
     LG_ANY_LINE},
    {"#0 0x4011a6 (/usr/bin/node+0x4011a6)", 0, NULL, lg_any, "/usr/bin/node",
     LG_ANY_LINE},
    {"#0 0x1 in v8::internal::Heap::Foo(int, char) /v8/heap.cc:10", 0,
     "v8::internal::Heap::Foo(int, char)", lg_any, lg_any, LG_ANY_LINE},
    {"not a frame", -1, lg_any, lg_any, lg_any, LG_ANY_LINE},
    {"#x", -1, lg_any, lg_any, lg_any, LG_ANY_LINE},
};

/* Checks one field of a parsed frame against what the case wants. */
static void lg_check_frame_field(const char *got, const char *want) {
  if (want == lg_any)
    return;
  if (want == NULL)
    ASSERT_TRUE(got == NULL);
  else
    ASSERT_STR_EQ(got, want);
}

static void lg_check_frame_case(const lg_frame_case_t *c) {
  lg_frame_t fr;
  int rc = lg_parse_frame_line(c->text, &fr);
  char *fn = check_defer_free(fr.fn), *file = check_defer_free(fr.file),
       *obj = check_defer_free(fr.obj);
  ASSERT_EQ(rc, c->rc);
  lg_check_frame_field(fn, c->fn);
  lg_check_frame_field(file, c->file);
  lg_check_frame_field(obj, c->obj);
  if (c->line != LG_ANY_LINE)
    ASSERT_EQ(fr.line, c->line);
}

static void test_frame_lines(void) {
  size_t n = sizeof lg_frame_cases / sizeof lg_frame_cases[0];
  for (size_t i = 0; i < n && !check_failed; i++) {
    lg_check_frame_case(&lg_frame_cases[i]);
    if (check_failed)
      fprintf(stderr, "frame line \"%s\"\n", lg_frame_cases[i].text);
  }
}

static void test_valgrind_leak_xwhat(void) {
  lg_findings_t *fs = NULL;
  lg_valgrind_findings("vg_leak.xml", "vg.1.xml", 2, &fs);
  CHECK_RETURN_IF_FAILED();
  lg_finding_t *reach = &fs->v[0], *def = &fs->v[1];
  ASSERT_STR_EQ(reach->kind, "Leak_StillReachable");
  ASSERT_EQ(reach->cls, LG_F_INFO);
  ASSERT_STR_EQ(def->kind, "Leak_DefinitelyLost");
  ASSERT_EQ(def->cls, LG_F_LEAK);
  ASSERT_EQ(def->bytes, 300);
  ASSERT_EQ(def->blocks, 3);
  ASSERT_TRUE(strstr(def->message, "definitely lost") != NULL);
  lg_attribute(def, lg_ours, 1, NULL, 0);
  ASSERT_TRUE(def->ours);
  ASSERT_STR_EQ(def->first_our_frame, "leak_one leak.c:9");
  ASSERT_STR_EQ(def->stacks[0].frames[0].fn, "malloc");
  ASSERT_TRUE(strstr(def->stacks[0].frames[1].file,
                     "/harness/test/fixtures/src/leak.c") != NULL);
}

static void test_valgrind_errors_what(void) {
  lg_findings_t *fs = NULL;
  lg_valgrind_findings("vg_invalid.xml", "vg.2.xml", 2, &fs);
  CHECK_RETURN_IF_FAILED();
  ASSERT_STR_EQ(fs->v[0].kind, "InvalidRead");
  ASSERT_STR_EQ(fs->v[1].kind, "InvalidFree");
  ASSERT_EQ(fs->v[0].cls, LG_F_ERROR);
  ASSERT_TRUE(strstr(fs->v[0].message, "Invalid read") != NULL);
  ASSERT_TRUE(fs->v[0].bytes < 0);
  /* <auxwhat> names the following stacks. */
  ASSERT_TRUE(fs->v[0].nstacks >= 2);
  ASSERT_TRUE(strstr(fs->v[0].stacks[1].title, "free'd") != NULL);
  lg_attribute(&fs->v[0], lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(fs->v[0].first_our_frame, "main invalid.c:11");
}

static void test_valgrind_node_not_ours(void) {
  lg_findings_t *fs = NULL;
  lg_valgrind_findings("vg_node.xml", "vg.3.xml", 1, &fs);
  CHECK_RETURN_IF_FAILED();
  ASSERT_STR_EQ(fs->v[0].kind, "Leak_PossiblyLost");
  ASSERT_EQ(fs->v[0].cls, LG_F_INFO);
  ASSERT_EQ(fs->v[0].bytes, 304);
  char *const ours[] = {(char *)"evstore.node", (char *)"libevstore"};
  lg_attribute(&fs->v[0], ours, 2, NULL, 0);
  ASSERT_TRUE(!fs->v[0].ours);
}

/* The suppressions valgrind used are read from <suppcounts> (real node run
 * with scenarios/suppressions/valgrind-node.supp). */
static void test_valgrind_suppcounts(void) {
  lg_findings_t *fs = NULL;
  lg_valgrind_findings("vg_node_suppressed.xml", "vg.5.xml", 0, &fs);
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(fs->nsupp_used, 1);
  ASSERT_STR_EQ(fs->supp_used[0], "node-inspector-agent-thread-tls");
}

static void test_valgrind_truncated_and_garbage(void) {
  size_t len;
  char *xml = check_defer_free(lg_fixture("vg_leak.xml", &len));
  ASSERT_TRUE(xml != NULL);
  /* Cut inside the second <error>: the first is kept, an error reported. */
  char *cut = strstr(xml, "Leak_DefinitelyLost");
  ASSERT_TRUE(cut != NULL);
  lg_findings_t *fs = lg_new_findings();
  char *err = lg_parse_valgrind_xml(xml, (size_t)(cut - xml), "vg.4.xml", fs);
  ASSERT_TRUE(err != NULL);
  ASSERT_TRUE(strstr(err, "truncated") != NULL);
  free(err);
  ASSERT_EQ(fs->n, 1);
  lg_findings_free(fs);
  err = lg_parse_valgrind_xml("\x01\x02garbage<<", 11, "g", fs);
  ASSERT_TRUE(err != NULL);
  free(err);
  err = lg_parse_valgrind_xml("", 0, "empty", fs);
  ASSERT_TRUE(err != NULL);
  free(err);
  ASSERT_EQ(fs->n, 0);
}

static const check_case_t cases[] = {
    {"asan_use_after_free", test_asan_use_after_free},
    {"lsan_leak", test_lsan_leak},
    {"tsan_race", test_tsan_race},
    {"tsan_deadly_signal", test_tsan_deadly_signal},
    {"ubsan_overflow", test_ubsan_overflow},
    {"sanitizer_concatenated_and_garbage",
     test_sanitizer_concatenated_and_garbage},
    {"frame_lines", test_frame_lines},
    {"valgrind_leak_xwhat", test_valgrind_leak_xwhat},
    {"valgrind_errors_what", test_valgrind_errors_what},
    {"valgrind_node_not_ours", test_valgrind_node_not_ours},
    {"valgrind_suppcounts", test_valgrind_suppcounts},
    {"valgrind_truncated_and_garbage", test_valgrind_truncated_and_garbage},
    {NULL, NULL}};

CHECK_MAIN(cases)
