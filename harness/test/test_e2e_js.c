/* End-to-end tests of the JS scenarios of test/js: verdicts, and the JS heap
 * attribution (snapshots, their options and hostile outputs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "e2e_util.h"
#include "heapsnap.h"
#include "util.h"

LG_VERDICT_TEST(js_clean, "js-clean", "plain", 0, LG_V_PASS, "heapUsed")

LG_VERDICT_TEST(js_leak, "js-leak", "plain", 1, LG_V_LEAK, "heapUsed grows")

LG_VERDICT_TEST(js_async, "js-async", "plain", 0, LG_V_PASS, "heapUsed")

LG_VERDICT_TEST(js_throws, "js-throws", "plain", 1, LG_V_ERROR,
                "planted failure")

/* Warm baseline: the threadpool and a kept descriptor, both started
 * lazily in the first iterations, are started by the probe's prewarm and
 * the scenario's prewarm() hook before the baseline sample. */
LG_VERDICT_TEST(js_lazy, "js-lazy", "plain", 0, LG_V_PASS,
                "back to baseline after teardown: threads, fds")

/* The number of files in dir matching an fnmatch pattern. */
static size_t lg_count_files(const char *dir, const char *pattern) {
  char **names;
  size_t n = lg_list_dir(dir, pattern, &names);
  lg_strv_free(names, n);
  return n;
}

/* A scenario that plants a link and a FIFO where heapdiff's output goes
 * (heap-hostile.js): the run ends (no hang), nothing is written through the
 * link, and the attribution is still made. */
static void test_js_heap_hostile(void) {
  const char *dir = LG_TEST_OUT "/js_heap_hostile";
  ASSERT_EQ(lg_run("js_heap_hostile", "run", "--scenario", "js-heap-hostile",
                   "--variant", "plain", "--quiet", "--out", dir, NULL),
            1);
  char p[4200];
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-hostile/victim.txt", dir);
  size_t len = 0;
  char *victim = lg_read_file(p, &len);
  ASSERT_TRUE(victim != NULL);
  int untouched = strcmp(victim, "victim\n") == 0;
  free(victim);
  ASSERT_TRUE(untouched);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, "js-heap-hostile", "plain");
  int ok = run && run->verdict == LG_V_LEAK && run->heap &&
           lg_contains(run->evidence, "JS heap over iterations 200..400: ");
  if (!ok && run)
    fprintf(stderr, "evidence: %s\n", run->evidence);
  lg_results_free(&r);
  ASSERT_TRUE(ok);
}

/* JS heap attribution (heapsnap.h): a JS run judged LEAK on heapUsed is
 * re-run with two heap snapshots; the evidence names what grew and how it
 * is held, results.json/summary.md/report.html carry it, the verdict stays
 * and the snapshots are deleted. */
static void test_js_heap_attribution(void) {
  const char *dir = LG_TEST_OUT "/js_heap_attribution";
  ASSERT_EQ(lg_run("js_heap_attribution", "run", "--scenario", "js-heap-growth",
                   "--variant", "plain", "--quiet", "--out", dir, NULL),
            1);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, "js-heap-growth", "plain");
  ASSERT_TRUE(run != NULL);
  if (!run->heap || !lg_contains(run->evidence, "JS heap over iterations"))
    fprintf(stderr, "evidence: %s\n", run->evidence);
  ASSERT_EQ(run->verdict, LG_V_LEAK);
  ASSERT_TRUE(run->heap != NULL);
  /* first judged sample (warm-up 200, one sample every 40) .. +200 */
  ASSERT_EQ(run->heap->from, 200);
  ASSERT_EQ(run->heap->to, 400);
  ASSERT_TRUE(run->heap->note == NULL);
  ASSERT_STR_EQ(run->heap->dir, "runs/plain/js-heap-growth/heapsnap");
  ASSERT_TRUE(lg_contains(run->evidence, "JS heap over iterations 200..400: "));
  ASSERT_TRUE(lg_contains(run->evidence, "+1 Planted ("));
  ASSERT_TRUE(lg_contains(run->evidence, " per iteration; retained by "));
  /* One Planted, one closure of line 34 per iteration, each with a path. */
  int planted = 0, closure = 0;
  for (size_t i = 0; i < run->heap->ngrowers; i++) {
    const lg_grower_t *g = &run->heap->growers[i];
    char *path = lg_grower_path(g, 0);
    if (strcmp(g->name, "Planted") == 0) {
      planted = g->count == 200 && g->size > 0 &&
                lg_contains(path, "Registry.items -> Array -> Planted");
      if (!planted)
        fprintf(stderr, "Planted %+g (%s)\n", g->count, path);
    }
    if (strcmp(g->kind, "closure") == 0 && g->location &&
        strcmp(g->location, "heap-growth.js:34") == 0) {
      closure = g->count == 200 && lg_contains(path, "Registry.listeners");
      if (!closure)
        fprintf(stderr, "closure %+g (%s)\n", g->count, path);
    }
    free(path);
  }
  lg_results_free(&r);
  ASSERT_TRUE(planted);
  ASSERT_TRUE(closure);
  char p[4200];
  snprintf(p, sizeof p, "%s/summary.md", dir);
  ASSERT_TRUE(lg_file_contains(p, "## JS heap attribution"));
  ASSERT_TRUE(lg_file_contains(p, "heap-growth.js:34"));
  snprintf(p, sizeof p, "%s/report.html", dir);
  ASSERT_TRUE(lg_file_contains(p, "<h3>JS heap attribution</h3>"));
  ASSERT_TRUE(lg_file_contains(p, "Registry.items"));
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-growth/heapsnap", dir);
  ASSERT_EQ(lg_count_files(p, "*.heapsnapshot"), 0);
  ASSERT_EQ(lg_count_files(p, "heapdiff.json"), 1);
}

/* --heapsnap off changes nothing but the attribution; --keep-heapsnap keeps
 * the two snapshots; a clean JS run gets none; bad option values are usage
 * errors, and selftest does not take the options. */
static void test_js_heap_options(void) {
  const char *dir = LG_TEST_OUT "/js_heap_off";
  ASSERT_EQ(lg_run("js_heap_off", "run", "--scenario", "js-heap-growth",
                   "--variant", "plain", "--quiet", "--heapsnap", "off",
                   "--out", dir, NULL),
            1);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, "js-heap-growth", "plain");
  ASSERT_TRUE(run != NULL);
  int off_ok = run->verdict == LG_V_LEAK && run->heap == NULL &&
               !lg_contains(run->evidence, "JS heap");
  lg_results_free(&r);
  ASSERT_TRUE(off_ok);
  char p[4200];
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-growth/heapsnap", dir);
  ASSERT_TRUE(!lg_is_dir(p));

  dir = LG_TEST_OUT "/js_heap_keep";
  ASSERT_EQ(lg_run("js_heap_keep", "run", "--scenario", "js-heap-growth",
                   "--scenario", "js-clean", "--variant", "plain", "--quiet",
                   "--keep-heapsnap", "--out", dir, NULL),
            1);
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-growth/heapsnap", dir);
  ASSERT_EQ(lg_count_files(p, "heap-200.heapsnapshot"), 1);
  ASSERT_EQ(lg_count_files(p, "heap-400.heapsnapshot"), 1);
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *leak = lg_find(&r, "js-heap-growth", "plain");
  const lg_run_t *clean = lg_find(&r, "js-clean", "plain");
  int keep_ok = leak && leak->heap && leak->heap->ngrowers > 0 && clean &&
                clean->verdict == LG_V_PASS && clean->heap == NULL;
  lg_results_free(&r);
  ASSERT_TRUE(keep_ok);
  snprintf(p, sizeof p, "%s/runs/plain/js-clean/heapsnap", dir);
  ASSERT_TRUE(!lg_is_dir(p));

  ASSERT_EQ(lg_run("heapsnap-usage1", "run", "--heapsnap", "always", NULL), 2);
  ASSERT_TRUE(lg_file_contains(lg_stderr_path, "expected auto, leak or off"));
  ASSERT_EQ(lg_run("heapsnap-usage2", "selftest", "--heapsnap", "auto", NULL),
            2);
}

/* auto attributes failures only: a LEAK the scenario expects (a negative
 * control) passes without the re-run; --heapsnap leak attributes it too. */
static void test_js_heap_expected(void) {
  const char *dir = LG_TEST_OUT "/js_heap_expected";
  ASSERT_EQ(lg_run("js_heap_expected", "run", "--scenario", "js-heap-expected",
                   "--variant", "plain", "--quiet", "--out", dir, NULL),
            0);
  lg_results_t r;
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  const lg_run_t *run = lg_find(&r, "js-heap-expected", "plain");
  int auto_ok = run && run->verdict == LG_V_PASS &&
                run->detected == LG_V_LEAK && run->heap == NULL;
  lg_results_free(&r);
  ASSERT_TRUE(auto_ok);
  char p[4200];
  snprintf(p, sizeof p, "%s/runs/plain/js-heap-expected/heapsnap", dir);
  ASSERT_TRUE(!lg_is_dir(p));

  dir = LG_TEST_OUT "/js_heap_expected_leak";
  ASSERT_EQ(lg_run("js_heap_expected_leak", "run", "--scenario",
                   "js-heap-expected", "--variant", "plain", "--quiet",
                   "--heapsnap", "leak", "--out", dir, NULL),
            0);
  ASSERT_EQ(lg_load(&r, lg_out), 0);
  run = lg_find(&r, "js-heap-expected", "plain");
  int leak_ok = run && run->verdict == LG_V_PASS && run->heap &&
                run->heap->ngrowers > 0 &&
                lg_contains(run->evidence, "JS heap over iterations 200..400");
  lg_results_free(&r);
  ASSERT_TRUE(leak_ok);
}

static const check_case_t cases[] = {
    {"js_clean", test_js_clean},
    {"js_leak", test_js_leak},
    {"js_async", test_js_async},
    {"js_throws", test_js_throws},
    {"js_lazy", test_js_lazy},
    {"js_heap_attribution", test_js_heap_attribution},
    {"js_heap_expected", test_js_heap_expected},
    {"js_heap_hostile", test_js_heap_hostile},
    {"js_heap_options", test_js_heap_options},
    {NULL, NULL}};

CHECK_MAIN(cases)
