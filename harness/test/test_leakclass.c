/* Unit tests of finding identity and one-time vs growing leaks
 * (leakclass.c) over result sets built in memory (gate_fixtures.h) and
 * hand-written LSan/valgrind fixtures modelled on the real ones. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "check.h"
#include "detect.h"
#include "fixture_file.h"
#include "gate.h"
#include "gate_fixtures.h"
#include "leakclass.h"
#include "manifest.h"
#include "model.h"
#include "util.h"

/* ---- one-time vs growing leaks ------------------------------------------ */

static void test_leak_grows_rule(void) {
  ASSERT_TRUE(!lg_leak_grows(24, 1, 2000, 16));         /* 24 B once */
  ASSERT_TRUE(lg_leak_grows(24576000, 2000, 2000, 16)); /* 12 KB per call */
  ASSERT_TRUE(lg_leak_grows(1280, 20, 2000, 16)); /* every 100th iteration */
  ASSERT_TRUE(!lg_leak_grows(190, 19, 2000, 16));
  ASSERT_TRUE(lg_leak_grows(48000, 1, 2000, 16)); /* one buffer realloc'ed */
  ASSERT_TRUE(!lg_leak_grows(48000, 1, 2000, NAN));
  /* Short smokes: a few blocks may be per process, not per iteration. */
  ASSERT_TRUE(!lg_leak_grows(48, 2, 30, 16)); /* leveldown 6.1.1: 2 filters */
  ASSERT_TRUE(!lg_leak_grows(64, 2, 40, 16));
  ASSERT_TRUE(lg_leak_grows(1200, 12, 12, 16)); /* every call of 12 */
  ASSERT_TRUE(lg_leak_grows(30, 3, 12, 16));    /* every fourth call */
  ASSERT_TRUE(lg_leak_grows(150, 10, 200, 16)); /* the cap: 10 of 200 */
  ASSERT_TRUE(!lg_leak_grows(90, 9, 200, 16));
  ASSERT_TRUE(lg_leak_grows(24, 1, 0, 16)); /* no iterations: no evidence */
  ASSERT_TRUE(lg_leak_grows(-1, -1, 2000, 16));
}

static char *const lg_ours[] = {(char *)"/addon/src/", (char *)"/core/src/",
                                (char *)"evstore.node"};
#define LG_NOURS 3

/* Parses fixtures/vg_napi.xml (as vg.1.xml) into *fs, empty on entry, and
 * attributes each finding with lg_ours; the parser's error (caller frees)
 * or NULL. A fixture that cannot be read is "missing fixture". */
static char *lg_parse_vg_napi(lg_findings_t *fs) {
  size_t len = 0;
  char *xml = lg_fixture("vg_napi.xml", &len);
  if (xml == NULL)
    return lg_xstrdup("missing fixture");
  char *e = lg_parse_valgrind_xml(xml, len, "vg.1.xml", fs);
  free(xml);
  for (size_t i = 0; i < fs->n; i++)
    lg_attribute(&fs->v[i], lg_ours, LG_NOURS, NULL, 0);
  return e;
}

static void test_once_vs_growing_lsan(void) {
  /* lsan_once.log: 24 B in 1 object at exit (addon_store_new, once), a
   * 12 KiB-per-call leak (2000 objects), and one site split into 21 records
   * of 1 object each. */
  char *log = lg_fixture("lsan_once.log", NULL);
  ASSERT_TRUE(log != NULL);
  lg_run_t run;
  memset(&run, 0, sizeof run);
  run.variant = lg_xstrdup("asan");
  run.iterations_done = 2000;
  lg_findings_t fs = {0};
  lg_parse_sanitizer(log, "asan.1", &fs);
  free(log);
  for (size_t i = 0; i < fs.n; i++)
    lg_attribute(&fs.v[i], lg_ours, LG_NOURS, NULL, 0);
  run.findings = fs.v;
  run.nfindings = fs.n;
  lg_manifest_t m;
  memset(&m, 0, sizeof m);
  m.once = LG_ONCE_WARN;
  lg_scenario_t sc;
  memset(&sc, 0, sizeof sc);
  sc.once = LG_ONCE_INHERIT;
  lg_buf_t warn = {0};
  lg_leakclass_run(&m, &sc, &run, &warn);
  size_t n = run.nfindings;
  lg_fclass_t c0 = n > 0 ? run.findings[0].cls : LG_F_INFO;
  lg_fclass_t c1 = n > 1 ? run.findings[1].cls : LG_F_INFO;
  size_t split_leak = 0;
  for (size_t i = 2; i < n; i++)
    split_leak += run.findings[i].cls == LG_F_LEAK;
  char *reason = n ? lg_finding_reason(&run.findings[0]) : NULL;
  char *w = lg_buf_take(&warn);
  lg_verdict_t warn_v = lg_once_verdict(&m, &sc);
  sc.once = LG_ONCE_FAIL;
  lg_verdict_t fail_v = lg_once_verdict(&m, &sc);
  /* Evidence: one reason per site, largest first; the split site once. */
  lg_leak_group_t *g;
  size_t ng = lg_leak_groups(&run, NULL, &g, NULL), split = ng;
  int sorted = 1;
  for (size_t k = 0; k < ng; k++) {
    sorted &= k == 0 || g[k - 1].bytes >= g[k].bytes;
    if (g[k].records == 21)
      split = k;
  }
  char *split_reason =
      split < ng ? lg_leak_group_reason(&run, &g[split]) : NULL;
  free(g);
  /* 21 one-block records scale with 2000 iterations (1%), not with 20000 */
  run.iterations_done = 20000;
  lg_leakclass_run(&m, &sc, &run, NULL);
  lg_fclass_t c2 = n > 2 ? run.findings[2].cls : LG_F_INFO;
  lg_run_free(&run);
  ASSERT_EQ(n, 23);
  ASSERT_EQ(ng, 3);
  ASSERT_TRUE(sorted);
  ASSERT_TRUE(split_reason &&
              strstr(split_reason, "in 21 blocks, 21 stacks) at "));
  free(split_reason);
  ASSERT_EQ(c0, LG_F_ONCE);
  ASSERT_EQ(c1, LG_F_LEAK);
  ASSERT_EQ(split_leak, 21); /* 21 blocks >= 1% of 2000 iterations */
  ASSERT_STR_EQ(reason, "lsan direct-leak: leaked once, 24 B in 1 block at "
                        "addon_store_new addon.c:57");
  ASSERT_TRUE(w &&
              strstr(w, "warning (\"once\": \"warn\"): lsan direct-leak: "
                        "leaked once, 24 B in 1 block at addon_store_new"));
  /* only the one-time leak warns, once */
  ASSERT_TRUE(w && strstr(w, "warning") == strrchr(w, ';') + 2);
  free(reason);
  free(w);
  ASSERT_EQ(warn_v, LG_V_PASS);
  ASSERT_EQ(fail_v, LG_V_LEAK);
  ASSERT_EQ(c2, LG_F_ONCE);
}

/* What a once-leaked object holds is leaked once with it, however many
 * blocks (indirect leaks); with a growing direct leak, indirect ones are
 * judged on their own counts. */
static void test_indirect_follows_direct(void) {
  for (int growing = 0; growing < 2; growing++) {
    lg_run_t run;
    memset(&run, 0, sizeof run);
    run.variant = lg_xstrdup("asan");
    run.iterations_done = 3000;
    lg_finding_t *d =
        lg_mkfinding(&run, "table_new", "/r/addon/src/table.c", 10, "t.node");
    d->blocks = growing ? 3000 : 1;
    d->bytes = d->blocks * 48;
    lg_finding_t *ind =
        lg_mkfinding(&run, "bucket_new", "/r/addon/src/table.c", 30, "t.node");
    free(ind->kind);
    ind->kind = lg_xstrdup("indirect-leak");
    ind->blocks = 60; /* 2% of the iterations: growing on its own counts */
    ind->bytes = 60 * 32;
    lg_manifest_t m;
    memset(&m, 0, sizeof m);
    m.once = LG_ONCE_FAIL;
    lg_leakclass_run(&m, NULL, &run, NULL);
    lg_fclass_t cd = run.findings[0].cls, ci = run.findings[1].cls;
    lg_run_free(&run);
    ASSERT_EQ(cd, growing ? LG_F_LEAK : LG_F_ONCE);
    ASSERT_EQ(ci, growing ? LG_F_LEAK : LG_F_ONCE);
  }
}

static void test_once_vs_growing_valgrind(void) {
  lg_findings_t fs = {0};
  char *e = lg_parse_vg_napi(&fs);
  ASSERT_TRUE(e == NULL);
  lg_run_t run;
  memset(&run, 0, sizeof run);
  run.variant = lg_xstrdup("valgrind");
  run.iterations_done = 40;
  run.findings = fs.v;
  run.nfindings = fs.n;
  lg_manifest_t m;
  memset(&m, 0, sizeof m);
  m.once = LG_ONCE_FAIL;
  lg_leakclass_run(&m, NULL, &run, NULL);
  /* [0] node's block for napi_create_external: not ours, left alone;
   * [1] addon_store_new's own 24 B once; [2] 40 blocks over 40 iterations */
  int ok = run.nfindings == 3 && run.findings[0].cls == LG_F_LEAK &&
           !run.findings[0].ours && run.findings[1].cls == LG_F_ONCE &&
           run.findings[1].ours && run.findings[2].cls == LG_F_LEAK &&
           run.findings[2].ours;
  lg_run_free(&run);
  ASSERT_TRUE(ok);
}

/* ---- allocations made by node on the addon's behalf ---------------------- */

static void test_napi_attribution_lsan(void) {
  char *log = lg_fixture("lsan_napi.log", NULL);
  ASSERT_TRUE(log != NULL);
  lg_findings_t fs = {0};
  lg_parse_sanitizer(log, "asan.7", &fs);
  free(log);
  ASSERT_EQ(fs.n, 2);
  char *const skip[] = {(char *)"evs__malloc"};
  for (size_t i = 0; i < fs.n; i++)
    lg_attribute(&fs.v[i], lg_ours, LG_NOURS, skip, 1);
  /* [0]: malloc <- operator new <- v8impl::(anon)::Reference::New <-
   *      napi_create_external <- addon_wrap_store (ours): node's */
  lg_finding_t *f = &fs.v[0];
  int node = !f->ours && f->first_our_frame &&
             strncmp(f->first_our_frame, "addon_wrap_store (", 18) == 0 &&
             strstr(f->message, "allocated inside node by "
                                "napi_create_external for addon_wrap_store");
  /* [1]: malloc <- evs__malloc <- addon_finalize_store (ours) <- node's
   *      finalizer machinery: allocated by our frame, ours */
  lg_finding_t *g = &fs.v[1];
  int ours = g->ours && strcmp(g->first_our_frame,
                               "addon_finalize_store addon.c:212") == 0;
  /* idempotent: the note is not added twice */
  lg_attribute(f, lg_ours, LG_NOURS, skip, 1);
  const char *p = strstr(f->message, "allocated inside node");
  int once = p && !strstr(p + 1, "allocated inside node");
  /* the same stack without node's frames is ours */
  lg_stack_t *s = &f->stacks[0];
  for (size_t j = 0; j < s->nframes; j++)
    if (lg_frame_is_node(&s->frames[j])) {
      free(s->frames[j].fn);
      s->frames[j].fn = lg_xstrdup("libfoo_alloc");
      free(s->frames[j].obj);
      s->frames[j].obj = lg_xstrdup("/usr/lib/libfoo.so");
    }
  lg_attribute(f, lg_ours, LG_NOURS, skip, 1);
  int plain = f->ours;
  lg_findings_free(&fs);
  ASSERT_TRUE(node);
  ASSERT_TRUE(ours);
  ASSERT_TRUE(once);
  ASSERT_TRUE(plain);
}

static void test_napi_attribution_valgrind(void) {
  lg_findings_t fs = {0};
  char *e = lg_parse_vg_napi(&fs);
  ASSERT_TRUE(e == NULL);
  ASSERT_EQ(fs.n, 3);
  int node = !fs.v[0].ours && fs.v[0].first_our_frame &&
             strstr(fs.v[0].first_our_frame, "addon_wrap_store") &&
             strstr(fs.v[0].message, "by napi_create_external");
  int ours1 = fs.v[1].ours, ours2 = fs.v[2].ours;
  lg_findings_free(&fs);
  ASSERT_TRUE(node);
  ASSERT_TRUE(ours1);
  ASSERT_TRUE(ours2);
}

/* The analysis applies the "once" policy: a one-time leak of ours is a
 * warning under "warn" and a LEAK (with its own wording) under "fail"; a
 * growing one is a LEAK under both. */
static void test_once_policy_in_analysis(void) {
  for (int fail = 0; fail < 2; fail++)
    for (int grows = 0; grows < 2; grows++) {
      lg_manifest_t m;
      memset(&m, 0, sizeof m);
      m.once = fail ? LG_ONCE_FAIL : LG_ONCE_WARN;
      m.alpha = 0.01;
      lg_results_t r = {0};
      lg_run_t *run = lg_mkrun(&r, "store-open.c", "asan", "pass", LG_V_PASS);
      lg_finding_t *f = lg_mkfinding(run, "addon_store_new",
                                     "/r/addon/src/addon.c", 57, "x.node");
      f->bytes = grows ? 24 * 2000 : 24;
      f->blocks = grows ? 2000 : 1;
      /* A complete run: a judged window long enough for the trend rule. */
      for (long long it = 100; it <= 2000; it += 100)
        lg_run_sample_add(run, it, (double)it, "iterate");
      lg_probe_info_t pi;
      memset(&pi, 0, sizeof pi);
      pi.has_end = 1;
      pi.last_i = pi.end_i = 2000;
      pi.end_status = (char *)"ok";
      pi.last_phase = (char *)"teardown";
      lg_analyze_run(&m, NULL, NULL, &pi, NULL, NULL, run);
      lg_verdict_t v = run->verdict;
      lg_fclass_t cls = run->findings[0].cls;
      char *ev = lg_xstrdup(run->evidence);
      lg_results_free(&r);
      ASSERT_EQ(cls, grows ? LG_F_LEAK : LG_F_ONCE);
      ASSERT_EQ(v, grows || fail ? LG_V_LEAK : LG_V_PASS);
      int says = strstr(ev, "leaked once, 24 B in 1 block at addon_store_new "
                            "addon.c:57") != NULL;
      int warns = strstr(ev, "warning (\"once\": \"warn\")") != NULL;
      free(ev);
      ASSERT_EQ(says, !grows);
      ASSERT_EQ(warns, !grows && !fail);
    }
}

static const check_case_t cases[] = {
    {"leak_grows_rule", test_leak_grows_rule},
    {"once_policy_in_analysis", test_once_policy_in_analysis},
    {"once_vs_growing_lsan", test_once_vs_growing_lsan},
    {"indirect_follows_direct", test_indirect_follows_direct},
    {"once_vs_growing_valgrind", test_once_vs_growing_valgrind},
    {"napi_attribution_lsan", test_napi_attribution_lsan},
    {"napi_attribution_valgrind", test_napi_attribution_valgrind},
    {NULL, NULL}};

CHECK_MAIN(cases)
