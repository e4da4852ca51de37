/* Unit tests: detector parsers over real fixtures generated on this machine
 * (fixtures/src/regen.sh), attribution, the probe stream reader and manifest
 * validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "detect.h"
#include "heapsnap.h"
#include "leakclass.h"
#include "manifest.h"
#include "probe_read.h"
#include "supp.h"
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

static void test_asan_use_after_free(void) {
  char *log = lg_fixture("asan_uaf.log", NULL);
  ASSERT_TRUE(log != NULL);
  lg_findings_t fs = {0};
  lg_parse_sanitizer(log, "asan.1", &fs);
  free(log);
  ASSERT_EQ(fs.n, 1);
  lg_finding_t *f = &fs.v[0];
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
  lg_findings_free(&fs);
}

static void test_lsan_leak(void) {
  char *log = lg_fixture("lsan_leak.log", NULL);
  ASSERT_TRUE(log != NULL);
  lg_findings_t fs = {0};
  lg_parse_sanitizer(log, "asan.2", &fs);
  free(log);
  ASSERT_EQ(fs.n, 1);
  lg_finding_t *f = &fs.v[0];
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
  lg_findings_free(&fs);
}

static void test_tsan_race(void) {
  char *log = lg_fixture("tsan_race.log", NULL);
  ASSERT_TRUE(log != NULL);
  lg_findings_t fs = {0};
  lg_parse_sanitizer(log, "tsan.3", &fs);
  free(log);
  ASSERT_EQ(fs.n, 1);
  lg_finding_t *f = &fs.v[0];
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
  lg_findings_free(&fs);
}

static void test_tsan_deadly_signal(void) {
  char *log = lg_fixture("tsan_segv.log", NULL);
  ASSERT_TRUE(log != NULL);
  lg_findings_t fs = {0};
  lg_parse_sanitizer(log, "tsan.5", &fs);
  free(log);
  ASSERT_EQ(fs.n, 1);
  lg_finding_t *f = &fs.v[0];
  lg_attribute(f, lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(f->detector, "tsan");
  ASSERT_STR_EQ(f->kind, "SEGV");
  ASSERT_EQ(f->cls, LG_F_CRASH);
  ASSERT_STR_EQ(f->first_our_frame, "store_null segv.c:5");
  lg_findings_free(&fs);
}

static void test_ubsan_overflow(void) {
  char *log = lg_fixture("ubsan_overflow.log", NULL);
  ASSERT_TRUE(log != NULL);
  lg_findings_t fs = {0};
  lg_parse_sanitizer(log, "ubsan.4", &fs);
  free(log);
  ASSERT_EQ(fs.n, 1);
  lg_finding_t *f = &fs.v[0];
  lg_attribute(f, lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(f->detector, "ubsan");
  ASSERT_STR_EQ(f->kind, "signed integer overflow");
  ASSERT_EQ(f->cls, LG_F_ERROR);
  ASSERT_EQ(f->nstacks, 2); /* the location line, then the stack */
  ASSERT_STR_EQ(f->stacks[0].frames[0].file, "ubsan.c");
  ASSERT_EQ(f->stacks[0].frames[0].line, 7);
  ASSERT_STR_EQ(f->first_our_frame, "add ubsan.c:7");
  lg_findings_free(&fs);
}

static void test_sanitizer_concatenated_and_garbage(void) {
  size_t a, b;
  char *x = lg_fixture("asan_uaf.log", &a),
       *y = lg_fixture("tsan_race.log", &b);
  ASSERT_TRUE(x && y);
  char *both = lg_fmt("noise line\n%s\n\x01\x02 garbage #1 nothing\n%s", x, y);
  free(x);
  free(y);
  lg_findings_t fs = {0};
  lg_parse_sanitizer(both, "mixed", &fs);
  free(both);
  ASSERT_EQ(fs.n, 2);
  ASSERT_STR_EQ(fs.v[0].detector, "asan");
  ASSERT_STR_EQ(fs.v[1].detector, "tsan");
  lg_findings_free(&fs);
  lg_parse_sanitizer("", "empty", &fs);
  lg_parse_sanitizer("#0 0x1 in f x.c:1\n    #1\n#", "frames only", &fs);
  ASSERT_EQ(fs.n, 0);
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
  char *xml = lg_fixture("vg_leak.xml", &len);
  ASSERT_TRUE(xml != NULL);
  lg_findings_t fs = {0};
  char *err = lg_parse_valgrind_xml(xml, len, "vg.1.xml", &fs);
  free(xml);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs.n, 2);
  lg_finding_t *reach = &fs.v[0], *def = &fs.v[1];
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
  lg_findings_free(&fs);
}

static void test_valgrind_errors_what(void) {
  size_t len;
  char *xml = lg_fixture("vg_invalid.xml", &len);
  ASSERT_TRUE(xml != NULL);
  lg_findings_t fs = {0};
  char *err = lg_parse_valgrind_xml(xml, len, "vg.2.xml", &fs);
  free(xml);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs.n, 2);
  ASSERT_STR_EQ(fs.v[0].kind, "InvalidRead");
  ASSERT_STR_EQ(fs.v[1].kind, "InvalidFree");
  ASSERT_EQ(fs.v[0].cls, LG_F_ERROR);
  ASSERT_TRUE(strstr(fs.v[0].message, "Invalid read") != NULL);
  ASSERT_TRUE(fs.v[0].bytes < 0);
  /* <auxwhat> names the following stacks. */
  ASSERT_TRUE(fs.v[0].nstacks >= 2);
  ASSERT_TRUE(strstr(fs.v[0].stacks[1].title, "free'd") != NULL);
  lg_attribute(&fs.v[0], lg_ours, 1, NULL, 0);
  ASSERT_STR_EQ(fs.v[0].first_our_frame, "main invalid.c:11");
  lg_findings_free(&fs);
}

static void test_valgrind_node_not_ours(void) {
  size_t len;
  char *xml = lg_fixture("vg_node.xml", &len);
  ASSERT_TRUE(xml != NULL);
  lg_findings_t fs = {0};
  char *err = lg_parse_valgrind_xml(xml, len, "vg.3.xml", &fs);
  free(xml);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs.n, 1);
  ASSERT_STR_EQ(fs.v[0].kind, "Leak_PossiblyLost");
  ASSERT_EQ(fs.v[0].cls, LG_F_INFO);
  ASSERT_EQ(fs.v[0].bytes, 304);
  char *const ours[] = {(char *)"evstore.node", (char *)"libevstore"};
  lg_attribute(&fs.v[0], ours, 2, NULL, 0);
  ASSERT_TRUE(!fs.v[0].ours);
  lg_findings_free(&fs);
}

/* The suppressions valgrind used are read from <suppcounts> (real node run
 * with scenarios/suppressions/valgrind-node.supp). */
static void test_valgrind_suppcounts(void) {
  size_t len;
  char *xml = lg_fixture("vg_node_suppressed.xml", &len);
  ASSERT_TRUE(xml != NULL);
  lg_findings_t fs = {0};
  char *err = lg_parse_valgrind_xml(xml, len, "vg.5.xml", &fs);
  free(xml);
  ASSERT_TRUE(err == NULL);
  ASSERT_EQ(fs.n, 0);
  ASSERT_EQ(fs.nsupp_used, 1);
  ASSERT_STR_EQ(fs.supp_used[0], "node-inspector-agent-thread-tls");
  lg_findings_free(&fs);
}

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
    FILE *fp = fopen(path, "w");
    ASSERT_TRUE(fp != NULL);
    fputs(bad[i], fp);
    fclose(fp);
    ASSERT_TRUE(lg_supp_load(path, &f) == NULL);
    char *e = lg_supp_check_ours(&f, ours, 3, funcs, 2);
    lg_supp_free(&f);
    unlink(path);
    if (e == NULL)
      fprintf(stderr, "not rejected: %s", bad[i]);
    ASSERT_TRUE(e != NULL);
    ASSERT_TRUE(strstr(e, "would match our own code") != NULL);
    free(e);
  }
  /* Anchored LSan patterns and other programs' objects are fine. */
  snprintf(path, sizeof path, "%s/lg-supp-test-ok.supp", LG_TEST_TMP);
  FILE *fp = fopen(path, "w");
  ASSERT_TRUE(fp != NULL);
  fputs("# node itself\nleak:/usr/bin/node\nleak:^libv8_internal$\n", fp);
  fclose(fp);
  ASSERT_TRUE(lg_supp_load(path, &f) == NULL);
  ASSERT_EQ(f.n, 2);
  ASSERT_TRUE(lg_supp_check_ours(&f, ours, 3, funcs, 2) == NULL);
  lg_supp_free(&f);
  unlink(path);
}

static void test_valgrind_truncated_and_garbage(void) {
  size_t len;
  char *xml = lg_fixture("vg_leak.xml", &len);
  ASSERT_TRUE(xml != NULL);
  /* Cut inside the second <error>: the first is kept, an error reported. */
  char *cut = strstr(xml, "Leak_DefinitelyLost");
  ASSERT_TRUE(cut != NULL);
  lg_findings_t fs = {0};
  char *err = lg_parse_valgrind_xml(xml, (size_t)(cut - xml), "vg.4.xml", &fs);
  ASSERT_TRUE(err != NULL);
  ASSERT_TRUE(strstr(err, "truncated") != NULL);
  free(err);
  ASSERT_EQ(fs.n, 1);
  lg_findings_free(&fs);
  err = lg_parse_valgrind_xml("\x01\x02garbage<<", 11, "g", &fs);
  ASSERT_TRUE(err != NULL);
  free(err);
  err = lg_parse_valgrind_xml("", 0, "empty", &fs);
  ASSERT_TRUE(err != NULL);
  free(err);
  ASSERT_EQ(fs.n, 0);
  free(xml);
}

static void test_probe_stream(void) {
  const char *s =
      "{\"type\":\"meta\",\"protocol\":1,\"scenario\":\"x\",\"lang\":\"c\","
      "\"iterations\":20,\"sample_every\":10,\"pid\":1}\n"
      "{\"type\":\"phase\",\"name\":\"baseline\",\"i\":0}\n"
      "{\"type\":\"sample\",\"phase\":\"baseline\",\"i\":0,\"t_ms\":1,"
      "\"rss\":100,\"threads\":1}\n"
      "{\"type\":\"sample\",\"phase\":\"iterate\",\"i\":10,\"t_ms\":2,"
      "\"rss\":110,\"threads\":1,\"liveBytes\":5,\"note\":\"text ignored\"}\n"
      "{\"type\":\"future-record\",\"i\":10}\n"
      "{\"type\":\"sample\",\"phase\":\"teardown\",\"i\":20,\"t_ms\":3,"
      "\"rss\":120,\"threads\":1}\n"
      "{\"type\":\"end\",\"status\":\"ok\",\"i\":20}\n";
  lg_run_t run;
  memset(&run, 0, sizeof run);
  lg_probe_info_t pi;
  memset(&pi, 0, sizeof pi);
  lg_probe_parse(s, strlen(s), &run, &pi);
  ASSERT_TRUE(pi.protocol_error == NULL);
  ASSERT_TRUE(pi.has_meta && pi.has_end);
  ASSERT_EQ(pi.meta_iterations, 20);
  ASSERT_EQ(run.nsamples, 3);
  ASSERT_EQ(run.nmetrics, 3);
  lg_metric_t *lb = lg_run_metric(&run, "liveBytes");
  ASSERT_TRUE(lb != NULL);
  ASSERT_TRUE(lb->v[0] != lb->v[0]); /* NaN where the sample lacks it */
  ASSERT_DBL_NEAR(lb->v[1], 5, 0);
  ASSERT_TRUE(lg_run_metric(&run, "note") == NULL);
  ASSERT_STR_EQ(run.sphase[2], "teardown");
  lg_run_free(&run);
  lg_probe_info_free(&pi);

  /* Truncated: the process died mid-record. */
  memset(&run, 0, sizeof run);
  size_t cut =
      strstr(s, "{\"type\":\"sample\",\"phase\":\"teardown\"") - s + 25;
  lg_probe_parse(s, cut, &run, &pi);
  ASSERT_TRUE(pi.truncated);
  ASSERT_TRUE(!pi.has_end);
  ASSERT_TRUE(pi.protocol_error == NULL);
  ASSERT_EQ(run.nsamples, 2);
  ASSERT_EQ(pi.last_i, 10);
  lg_run_free(&run);
  lg_probe_info_free(&pi);

  /* Garbage, records without a type, non-integer i, missing meta. */
  const char *bad[] = {
      "{\"type\":\"meta\"}\nnot json at all\n",
      "{\"type\":\"meta\"}\n[1,2,3]\n",
      "{\"type\":\"meta\"}\n{\"i\":3}\n",
      "{\"type\":\"meta\"}\n{\"type\":\"sample\",\"i\":\"x\"}\n",
      "{\"type\":\"sample\",\"i\":1}\n",
      "{\"type\":\"meta\"}\n{\"type\":\"end\"}\n{\"type\":\"end\"}\n",
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    memset(&run, 0, sizeof run);
    lg_probe_parse(bad[k], strlen(bad[k]), &run, &pi);
    if (!pi.protocol_error)
      fprintf(stderr, "no protocol error for case %zu\n", k);
    ASSERT_TRUE(pi.protocol_error != NULL);
    lg_run_free(&run);
    lg_probe_info_free(&pi);
  }
  ASSERT_EQ(lg_probe_read("/nonexistent/probe.jsonl", NULL, &pi), -1);
  ASSERT_TRUE(strstr(pi.protocol_error, "no probe output") != NULL);
  lg_probe_info_free(&pi);
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

/* heapdiff.js output as the runner reads it (heapsnap.h): sorted by size,
 * the evidence line, and a copy through results.json's form. */
static void test_heapattr_parse(void) {
  const char *json =
      "{\"heapdiff\":1,\"a\":{},\"b\":{},\"growers\":["
      "{\"kind\":\"array\",\"name\":\"(array)\",\"count\":0,\"size\":40960,"
      "\"retainers\":[\"Store._active\",\"Set.table\",\"(array)\"]},"
      "{\"kind\":\"closure\",\"name\":\"(closure)\",\"function\":\"\","
      "\"location\":\"forgotten-unsubscribe.js:16\",\"count\":200,"
      "\"size\":11200,\"retainers\":[\"Store._table\",\"Object.subs\","
      "\"Array\",\"closure (forgotten-unsubscribe.js:16)\"]},"
      "{\"kind\":\"object\",\"name\":\"Subscription\",\"count\":200,"
      "\"size\":12800,\"retainers_truncated\":true,\"retainers\":["
      "\"a\",\"b\",\"c\",\"Context.store\",\"Store._active\","
      "\"Set.table\",\"(array)\",\"Subscription\"],\"unknown\":1},"
      "{\"kind\":\"object shape\",\"name\":\"(object shape)\",\"count\":3,"
      "\"size\":264,\"retainers\":null}]}";
  lg_heapattr_t *h = lg_xcalloc(1, sizeof *h);
  h->from = 2000;
  h->to = 2200;
  char *err = NULL;
  ASSERT_EQ(lg_heapattr_parse(json, strlen(json), h, &err), 0);
  ASSERT_EQ(h->ngrowers, 4);
  ASSERT_STR_EQ(h->growers[0].name, "(array)"); /* largest size first */
  ASSERT_STR_EQ(h->growers[1].name, "Subscription");
  ASSERT_STR_EQ(h->growers[2].location, "forgotten-unsubscribe.js:16");
  ASSERT_EQ(h->growers[3].nretainers, 0);
  char *line = lg_heapattr_line(h);
  ASSERT_STR_EQ(line,
                "JS heap over iterations 2000..2200: +1 Subscription (+64 B), "
                "+1 closure (forgotten-unsubscribe.js:16) (+56 B) per "
                "iteration; retained by ... -> Context.store -> "
                "Store._active -> Set.table -> (array) -> Subscription");
  free(line);
  /* A copy through the results.json form keeps every field. */
  lg_run_t run, copy;
  memset(&run, 0, sizeof run);
  run.scenario = lg_xstrdup("s");
  run.variant = lg_xstrdup("v");
  run.heap = h;
  lg_run_copy(&copy, &run);
  lg_run_free(&run);
  ASSERT_TRUE(copy.heap != NULL);
  line = lg_heapattr_line(copy.heap);
  int same = strstr(line, "+1 Subscription (+64 B)") != NULL &&
             copy.heap->ngrowers == 4 && copy.heap->growers[1].truncated &&
             copy.heap->growers[1].nretainers == 8;
  free(line);
  lg_run_free(&copy);
  ASSERT_TRUE(same);

  /* In-place growth only (no group grows by an object every other
   * iteration): the totals; nothing at all: the note. */
  h = lg_xcalloc(1, sizeof *h);
  h->from = 0;
  h->to = 100;
  const char *inplace = "{\"heapdiff\":1,\"growers\":[{\"kind\":\"array\","
                        "\"name\":\"(array)\",\"count\":1,\"size\":4096,"
                        "\"retainers\":[]}]}";
  ASSERT_EQ(lg_heapattr_parse(inplace, strlen(inplace), h, &err), 0);
  line = lg_heapattr_line(h);
  ASSERT_STR_EQ(line, "JS heap over iterations 0..100: +4.0 KiB (array) (+1 "
                      "objects) over the 100 iterations; no retainer path "
                      "found (reachable only through weak references?)");
  free(line);
  lg_heapattr_free(h);
  h = lg_xcalloc(1, sizeof *h);
  h->note = lg_xstrdup("not made: heapUsed 300 MiB is over the limit");
  line = lg_heapattr_line(h);
  ASSERT_STR_EQ(line, "JS heap attribution: not made: heapUsed 300 MiB is "
                      "over the limit");
  free(line);
  lg_heapattr_free(h);
}

/* heapdiff's output is untrusted: wrong types are errors naming the key,
 * strings are cut and cleaned, counts are bounded, and a failed parse
 * leaves the attribution as it was. */
static void test_heapattr_hostile(void) {
  static const struct {
    const char *json, *err;
  } bad[] = {
      {"", "not JSON"},
      {"[1]", "the document: expected an object"},
      {"{\"growers\":[]}", "heapdiff: expected 1"},
      {"{\"heapdiff\":2,\"growers\":[]}", "heapdiff: expected 1"},
      {"{\"heapdiff\":1,\"growers\":{}}", "growers: expected an array"},
      {"{\"heapdiff\":1,\"growers\":[1]}", "growers[0]: expected an object"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"object\",\"count\":1,"
       "\"size\":1}]}",
       "growers[0].name: expected a string"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":1,\"name\":\"x\",\"count\":1,"
       "\"size\":1}]}",
       "growers[0].kind: expected a string"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"x\","
       "\"count\":\"1\",\"size\":1}]}",
       "growers[0].count: expected a number"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"x\","
       "\"count\":1e300,\"size\":1}]}",
       "growers[0].count: expected a number"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"x\","
       "\"count\":1,\"size\":1,\"retainers\":\"a -> b\"}]}",
       "growers[0].retainers: expected an array"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"x\","
       "\"count\":1,\"size\":1,\"retainers\":[\"a\",2]}]}",
       "growers[0].retainers[1]: expected a string"},
      {"{\"heapdiff\":1,\"growers\":[{\"kind\":\"o\",\"name\":\"\xff\","
       "\"count\":1,\"size\":1}]}",
       "not JSON"},
  };
  lg_heapattr_t *h = lg_xcalloc(1, sizeof *h);
  const char *ok = "{\"heapdiff\":1,\"growers\":[{\"kind\":\"object\","
                   "\"name\":\"Kept\",\"count\":10,\"size\":100}]}";
  char *err = NULL;
  ASSERT_EQ(lg_heapattr_parse(ok, strlen(ok), h, &err), 0);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err = NULL;
    int rc = lg_heapattr_parse(bad[i].json, strlen(bad[i].json), h, &err);
    int good = rc == -1 && err && strstr(err, bad[i].err) &&
               strncmp(err, "heapdiff output: ", 17) == 0;
    if (!good)
      fprintf(stderr, "case %zu: rc %d, err %s\n", i, rc, err ? err : "-");
    free(err);
    ASSERT_TRUE(good);
    /* untouched by a failed parse */
    ASSERT_EQ(h->ngrowers, 1);
    ASSERT_STR_EQ(h->growers[0].name, "Kept");
  }
  /* Long and control-laden strings, many growers and hops: bounded. */
  lg_buf_t b = {0};
  lg_buf_add(&b, "{\"heapdiff\":1,\"growers\":[");
  for (int g = 0; g < 50; g++) {
    lg_buf_addf(&b, "%s{\"kind\":\"object\",\"name\":\"", g ? "," : "");
    for (int k = 0; k < 1000; k++)
      lg_buf_add(&b, k % 100 == 0 ? "\\n\\u001b[31m" : "\u00e9");
    lg_buf_addf(&b, "\",\"count\":%d,\"size\":%d,\"retainers\":[", g, g);
    for (int k = 0; k < 100; k++)
      lg_buf_addf(&b, "%s\"hop%d\"", k ? "," : "", k);
    lg_buf_add(&b, "]}");
  }
  lg_buf_add(&b, "]}");
  ASSERT_EQ(lg_heapattr_parse(b.s, b.len, h, &err), 0);
  lg_buf_free(&b);
  ASSERT_EQ(h->ngrowers, LG_HEAPATTR_MAX_GROWERS);
  for (size_t g = 0; g < h->ngrowers; g++) {
    const lg_grower_t *gr = &h->growers[g];
    ASSERT_LE(strlen(gr->name), LG_HEAPATTR_MAX_STR);
    ASSERT_TRUE(lg_utf8_valid(gr->name)); /* cut between characters */
    ASSERT_TRUE(strchr(gr->name, '\n') == NULL);
    ASSERT_TRUE(strchr(gr->name, '\033') == NULL);
    ASSERT_EQ(gr->nretainers, LG_HEAPATTR_MAX_HOPS);
    ASSERT_TRUE(gr->truncated);
    ASSERT_STR_EQ(gr->retainers[LG_HEAPATTR_MAX_HOPS - 1], "hop99");
  }
  lg_heapattr_free(h);
}

/* When a run gets an attribution, and between which iterations. */
static void test_heapsnap_wanted(void) {
  lg_run_t run;
  memset(&run, 0, sizeof run);
  run.lang = lg_xstrdup("js");
  run.detected = LG_V_LEAK;
  run.has_end = 1;
  run.slopes_judged = 1;
  run.iterations = 4000;
  run.warmup = 2000;
  lg_metric_t *m = lg_run_metric_add(&run, "heapUsed");
  lg_metric_t *mi = lg_run_metric_add(&run, "mallocInUse");
  (void)mi;
  const char *phases[] = {"baseline", "setup",   "iterate", "iterate",
                          "iterate",  "iterate", "teardown"};
  long long at[] = {0, 0, 1950, 2000, 2050, 4000, 4000};
  for (size_t i = 0; i < 7; i++)
    lg_run_sample_add(&run, at[i], 0, phases[i]);
  m = lg_run_metric(&run, "heapUsed");
  m->flagged = 1;
  ASSERT_TRUE(lg_heapsnap_wanted(LG_HEAPSNAP_AUTO, &run));
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_OFF, &run));
  long long a = 0, b = 0;
  ASSERT_EQ(lg_heapsnap_window(&run, &a, &b), 0);
  ASSERT_EQ(a, 2000);
  ASSERT_EQ(b, 2000 + LG_HEAPSNAP_SPAN);
  m->flagged = 0;
  lg_run_metric(&run, "mallocInUse")->flagged = 1;
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_AUTO, &run)); /* native only */
  ASSERT_TRUE(lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  run.detected = LG_V_PASS;
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  run.detected = LG_V_LEAK;
  run.timed_out = 1;
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  run.timed_out = 0;
  free(run.lang);
  run.lang = lg_xstrdup("c");
  ASSERT_TRUE(!lg_heapsnap_wanted(LG_HEAPSNAP_LEAK, &run));
  /* A window ending 5 iterations after its first sample: too short. */
  run.iterations = 2005;
  ASSERT_EQ(lg_heapsnap_window(&run, &a, &b), -1);
  run.iterations = 2100;
  ASSERT_EQ(lg_heapsnap_window(&run, &a, &b), 0);
  ASSERT_EQ(b, 2100);
  lg_run_free(&run);
  /* Why a snapshot is missing: the probe's "heapsnap" record says. */
  lg_mkdirs(LG_TEST_TMP);
  const char *probe = LG_TEST_TMP "/heapsnap-probe.jsonl";
  const char *stream =
      "{\"type\":\"sample\",\"i\":2000}\n"
      "{\"type\":\"heapsnap\",\"i\":2000,\"skipped\":\"heapUsed 300 MiB "
      "is over the 256 MiB limit\\n\"}\n"
      "{\"type\":\"heapsnap\",\"i\":2200,\"file\":\"/x\"}\n{\"type\":";
  ASSERT_EQ(lg_write_file(probe, stream, strlen(stream)), 0);
  char *why = lg_heapsnap_skip_reason(probe, 2000);
  int found = why && strcmp(why, "heapUsed 300 MiB is over the 256 MiB "
                                 "limit?") == 0;
  free(why);
  ASSERT_TRUE(found);
  ASSERT_TRUE(lg_heapsnap_skip_reason(probe, 2200) == NULL);
  ASSERT_TRUE(lg_heapsnap_skip_reason(LG_TEST_TMP "/missing", 1) == NULL);
  lg_heapsnap_mode_t mode;
  ASSERT_EQ(lg_heapsnap_mode_parse("leak", &mode), 0);
  ASSERT_EQ(mode, LG_HEAPSNAP_LEAK);
  ASSERT_EQ(lg_heapsnap_mode_parse("always", &mode), -1);
}

static const check_case_t cases[] = {
    {"supp_paths", test_supp_paths},
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
    {"suppression_check", test_suppression_check},
    {"valgrind_truncated_and_garbage", test_valgrind_truncated_and_garbage},
    {"probe_stream", test_probe_stream},
    {"heapattr_parse", test_heapattr_parse},
    {"heapattr_hostile", test_heapattr_hostile},
    {"heapsnap_wanted", test_heapsnap_wanted},
    {NULL, NULL}};

CHECK_MAIN(cases)
