/* Unit tests of the detector parsers (detect.h) over real fixtures generated
 * on this machine (fixtures/src/regen.sh): ASan, LSan, TSan, UBSan logs and
 * valgrind XML, with the attribution of each finding to our code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "detect.h"
#include "leakclass.h"
#include "text.h"
#include "util.h"

static char *const lg_ours[] = {(char *)"/harness/test/"};

static char *lg_fixture(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", LG_FIXTURES, name);
  char *s = lg_read_file(path, len);
  if (!s)
    fprintf(stderr, "missing fixture %s\n", path);
  return s;
}

static void lg_findings_fini(void *fs) {
  lg_findings_free(fs);
}

/* An empty finding list released after the test, passed or failed. */
static lg_findings_t *lg_new_findings(void) {
  return check_alloc(sizeof(lg_findings_t), lg_findings_fini);
}

static void test_asan_use_after_free(void) {
  char *log = check_defer_free(lg_fixture("asan_uaf.log", NULL));
  ASSERT_TRUE(log != NULL);
  lg_findings_t *fs = lg_new_findings();
  lg_parse_sanitizer(log, "asan.1", fs);
  ASSERT_EQ(fs->n, 1);
  lg_finding_t *f = &fs->v[0];
  lg_attribute(f, lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(f->detector, "asan");
  ASSERT_STR_EQ(f->kind, "heap-use-after-free");
  ASSERT_EQ(f->cls, LG_F_ERROR);
  ASSERT_EQ(f->nstacks, 3);
  ASSERT_STR_EQ(f->stacks[1].title, "freed by thread T0 here");
  ASSERT_STR_EQ(f->stacks[2].title, "previously allocated by thread T0 here");
  ASSERT_STR_EQ(f->stacks[0].frames[0].fn, "read_after_free");
  ASSERT_EQ(f->stacks[0].frames[0].line, 6);
  ASSERT_TRUE(f->ours);
  ASSERT_STR_EQ(f->first_our_frame, "read_after_free uaf.c:6");
  ASSERT_TRUE(f->stacks[0].frames[4].obj != NULL); /* _start (obj+0x..) */
  ASSERT_TRUE(!f->stacks[0].frames[2].ours);       /* libc */
  /* The same report with a list that does not name it: third-party. */
  char *const other[] = {(char *)"libevstore"};
  lg_attribute(f, other, 1, NULL, 0);
  ASSERT_TRUE(!f->ours);
  ASSERT_TRUE(f->first_our_frame == NULL);
}

static void test_lsan_leak(void) {
  char *log = check_defer_free(lg_fixture("lsan_leak.log", NULL));
  ASSERT_TRUE(log != NULL);
  lg_findings_t *fs = lg_new_findings();
  lg_parse_sanitizer(log, "asan.2", fs);
  ASSERT_EQ(fs->n, 1);
  lg_finding_t *f = &fs->v[0];
  lg_attribute(f, lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(f->detector, "lsan");
  ASSERT_STR_EQ(f->kind, "direct-leak");
  ASSERT_EQ(f->cls, LG_F_LEAK);
  ASSERT_EQ(f->bytes, 300);
  ASSERT_EQ(f->blocks, 3);
  ASSERT_EQ(f->nstacks, 1);
  ASSERT_EQ(f->stacks[0].nframes, 4);
  ASSERT_STR_EQ(f->first_our_frame, "leak_one leak.c:9");
  /* Allocator wrappers are skipped when naming the frame of ours. */
  char *const skip[] = {(char *)"leak_*"};
  lg_attribute(f, lg_ours, 1, skip, 1);
  ASSERT_STR_EQ(f->first_our_frame, "main leak.c:17");
  ASSERT_TRUE(f->ours);
}

static void test_tsan_race(void) {
  char *log = check_defer_free(lg_fixture("tsan_race.log", NULL));
  ASSERT_TRUE(log != NULL);
  lg_findings_t *fs = lg_new_findings();
  lg_parse_sanitizer(log, "tsan.3", fs);
  ASSERT_EQ(fs->n, 1);
  lg_finding_t *f = &fs->v[0];
  lg_attribute(f, lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(f->detector, "tsan");
  ASSERT_STR_EQ(f->kind, "data race");
  ASSERT_EQ(f->cls, LG_F_RACE);
  ASSERT_EQ(f->nstacks, 4);
  ASSERT_STR_EQ(f->stacks[1].title, "Previous write of size 8 at "
                                    "0x5570f84fd058 by thread T1");
  lg_frame_t *fr = &f->stacks[0].frames[0];
  ASSERT_STR_EQ(fr->fn, "racer");
  ASSERT_EQ(fr->line, 10);
  ASSERT_STR_EQ(fr->obj, "race-tsan");
  ASSERT_TRUE(f->ours);
  ASSERT_STR_EQ(f->first_our_frame, "racer race.c:10");
}

static void test_tsan_deadly_signal(void) {
  char *log = check_defer_free(lg_fixture("tsan_segv.log", NULL));
  ASSERT_TRUE(log != NULL);
  lg_findings_t *fs = lg_new_findings();
  lg_parse_sanitizer(log, "tsan.5", fs);
  ASSERT_EQ(fs->n, 1);
  lg_finding_t *f = &fs->v[0];
  lg_attribute(f, lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(f->detector, "tsan");
  ASSERT_STR_EQ(f->kind, "SEGV");
  ASSERT_EQ(f->cls, LG_F_CRASH);
  ASSERT_STR_EQ(f->first_our_frame, "store_null segv.c:5");
}

static void test_ubsan_overflow(void) {
  char *log = check_defer_free(lg_fixture("ubsan_overflow.log", NULL));
  ASSERT_TRUE(log != NULL);
  lg_findings_t *fs = lg_new_findings();
  lg_parse_sanitizer(log, "ubsan.4", fs);
  ASSERT_EQ(fs->n, 1);
  lg_finding_t *f = &fs->v[0];
  lg_attribute(f, lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(f->detector, "ubsan");
  ASSERT_STR_EQ(f->kind, "signed integer overflow");
  ASSERT_EQ(f->cls, LG_F_ERROR);
  ASSERT_EQ(f->nstacks, 2); /* the location line, then the stack */
  ASSERT_STR_EQ(f->stacks[0].frames[0].file, "ubsan.c");
  ASSERT_EQ(f->stacks[0].frames[0].line, 7);
  ASSERT_STR_EQ(f->first_our_frame, "add ubsan.c:7");
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

static void test_frame_lines(void) {
  lg_frame_t fr;
  ASSERT_EQ(lg_parse_frame_line("    #3 0x7f12 in evs_store_set "
                                "/src/core/src/store.c:120:7",
                                &fr),
            0);
  ASSERT_STR_EQ(fr.fn, "evs_store_set");
  ASSERT_STR_EQ(fr.file, "/src/core/src/store.c");
  ASSERT_EQ(fr.line, 120);
  ASSERT_TRUE(fr.obj == NULL);
  free(fr.fn);
  free(fr.file);
  ASSERT_EQ(lg_parse_frame_line("#1 0x55 in napi_call (/build/evstore.node+"
                                "0x1f00) (BuildId: abcdef)",
                                &fr),
            0);
  ASSERT_STR_EQ(fr.fn, "napi_call");
  ASSERT_STR_EQ(fr.obj, "/build/evstore.node");
  ASSERT_TRUE(fr.file == NULL);
  free(fr.fn);
  free(fr.obj);
  ASSERT_EQ(lg_parse_frame_line("  #2 <null> <null> (libc.so.6+0x8b)", &fr), 0);
  ASSERT_TRUE(fr.fn == NULL && fr.file == NULL);
  ASSERT_STR_EQ(fr.obj, "libc.so.6");
  free(fr.obj);
  ASSERT_EQ(lg_parse_frame_line("#0 0x4011a6 (/usr/bin/node+0x4011a6)", &fr),
            0);
  ASSERT_TRUE(fr.fn == NULL);
  ASSERT_STR_EQ(fr.obj, "/usr/bin/node");
  free(fr.obj);
  ASSERT_EQ(lg_parse_frame_line("#0 0x1 in v8::internal::Heap::Foo(int, char) "
                                "/v8/heap.cc:10",
                                &fr),
            0);
  ASSERT_STR_EQ(fr.fn, "v8::internal::Heap::Foo(int, char)");
  free(fr.fn);
  free(fr.file);
  ASSERT_EQ(lg_parse_frame_line("not a frame", &fr), -1);
  ASSERT_EQ(lg_parse_frame_line("#x", &fr), -1);
}

static void test_valgrind_leak_xwhat(void) {
  size_t len;
  char *xml = check_defer_free(lg_fixture("vg_leak.xml", &len));
  ASSERT_TRUE(xml != NULL);
  lg_findings_t *fs = lg_new_findings();
  char *err = lg_parse_valgrind_xml(xml, len, "vg.1.xml", fs);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs->n, 2);
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
  size_t len;
  char *xml = check_defer_free(lg_fixture("vg_invalid.xml", &len));
  ASSERT_TRUE(xml != NULL);
  lg_findings_t *fs = lg_new_findings();
  char *err = lg_parse_valgrind_xml(xml, len, "vg.2.xml", fs);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs->n, 2);
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
  size_t len;
  char *xml = check_defer_free(lg_fixture("vg_node.xml", &len));
  ASSERT_TRUE(xml != NULL);
  lg_findings_t *fs = lg_new_findings();
  char *err = lg_parse_valgrind_xml(xml, len, "vg.3.xml", fs);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs->n, 1);
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
  size_t len;
  char *xml = check_defer_free(lg_fixture("vg_node_suppressed.xml", &len));
  ASSERT_TRUE(xml != NULL);
  lg_findings_t *fs = lg_new_findings();
  char *err = lg_parse_valgrind_xml(xml, len, "vg.5.xml", fs);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs->n, 0);
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
