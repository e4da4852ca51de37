/* Unit tests of native heap attribution by allocation site (sites.c): the
 * site table and memory map readers on good and broken input, and the
 * attribution over snapshots written here whose return addresses lie in
 * this program's own functions, named through its debug information. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "sites.h"
#include "util.h"

/* Functions whose addresses serve as return addresses of fake sites
 * (distinct bodies, so that no two are folded into one). */
static volatile int t_sink;
__attribute__((noinline, used)) static void t_site_alpha(void) {
  t_sink = 1;
}
__attribute__((noinline, used)) static void t_site_beta(void) {
  t_sink = 2;
}
__attribute__((noinline, used)) static void t_site_caller(void) {
  t_sink = 3;
}
__attribute__((noinline, used)) static void t_wrapper_alloc(void) {
  t_sink = 4;
}

/* An address inside fn, as a return address would be. */
#define RET(fn) ((uint64_t)(uintptr_t)(fn) + 2)

typedef struct t_table_s {
  lg_heap_sites_hdr_t hdr;
  lg_heap_site_t site[8];
} t_table_t;

static void t_table_init(t_table_t *t) {
  memset(t, 0, sizeof *t);
  memcpy(t->hdr.magic, LG_SITES_MAGIC, sizeof t->hdr.magic);
  t->hdr.version = LG_SITES_VERSION;
  t->hdr.capacity = 8;
  t->hdr.depth = LG_SITES_DEPTH;
  t->hdr.site_size = sizeof(lg_heap_site_t);
  t->hdr.mean = LG_SITES_MEAN;
  t->hdr.pid = 4242;
}

static void t_site_set(t_table_t *t, int i, uint64_t pc0, uint64_t pc1,
                       int64_t bytes) {
  t->site[i].key = 100 + (uint64_t)i;
  t->site[i].pc[0] = pc0;
  t->site[i].pc[1] = pc1;
  t->site[i].bytes = bytes;
  t->site[i].blocks_fp = bytes / 100 * LG_SITES_BLOCK_ONE;
}

static void t_rmtree(void *dir) {
  lg_rmtree(dir);
  free(dir);
}

/* A fresh directory LG_TEST_TMP/<name>, removed after the test, passed or
 * failed (check_defer); NULL when it cannot be made. */
static const char *t_fresh_dir(const char *name) {
  char *dir = check_defer(t_rmtree, lg_fmt("%s/%s", LG_TEST_TMP, name));
  lg_rmtree(dir);
  if (lg_mkdirs(dir) != 0)
    return NULL;
  return dir;
}

static int t_write(const char *path, const void *data, size_t len) {
  return lg_write_file(path, data, len);
}

static void test_parse_table(void) {
  t_table_t t;
  t_table_init(&t);
  t_site_set(&t, 2, RET(t_site_alpha), 0, 4096);
  t.site[3].key = 1; /* being written when copied: skipped */
  t.site[3].bytes = 999;
  lg_sites_snap_t s;
  char *err = NULL;
  ASSERT_EQ(lg_sites_parse(&t, sizeof t, &s, &err), 0);
  ASSERT_EQ(s.capacity, 8);
  ASSERT_EQ(s.pid, 4242);
  ASSERT_EQ(s.site[2].key, 102);
  ASSERT_TRUE(s.site[2].bytes == 4096 && s.site[2].blocks == 40);
  ASSERT_EQ(s.site[3].key, 0);
  ASSERT_TRUE(s.site[3].bytes == 0);
  lg_sites_snap_free(&s);
}

static void test_parse_rejects_broken_tables(void) {
  t_table_t t;
  struct {
    const char *what, *msg;
    size_t len;
  } cases[] = {
      {"short header", "shorter than its header", 10},
      {"truncated body", "expected for 8 sites", sizeof(t_table_t) - 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    t_table_init(&t);
    lg_sites_snap_t s;
    char *err = NULL;
    ASSERT_EQ(lg_sites_parse(&t, cases[i].len, &s, &err), -1);
    ASSERT_TRUE(err && strstr(err, cases[i].msg));
    ASSERT_TRUE(s.site == NULL);
    free(err);
  }
  /* Wrong magic, version, depth, site size, capacity. */
  for (int k = 0; k < 5; k++) {
    t_table_init(&t);
    const char *msg = "version";
    switch (k) {
    case 0:
      t.hdr.magic[0] = 'X';
      msg = "magic";
      break;
    case 1:
      t.hdr.version = 2;
      break;
    case 2:
      t.hdr.depth = 7;
      break;
    case 3:
      t.hdr.site_size = 64;
      break;
    default:
      t.hdr.capacity = UINT32_MAX;
      break;
    }
    lg_sites_snap_t s;
    char *err = NULL;
    ASSERT_EQ(lg_sites_parse(&t, sizeof t, &s, &err), -1);
    ASSERT_TRUE(err && strstr(err, msg));
    free(err);
  }
}

static void test_parse_maps(void) {
  const char text[] =
      "00400000-00401000 r--p 00000000 08:01 1234 /usr/bin/node\n"
      "00401000-02000000 r-xp 00001000 08:01 1234 /usr/bin/node\n"
      "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n"
      "7f1000000000-7f1000002000 r-xp 00002000 08:01 99   /tmp/a b/l.so "
      "(deleted)\n"
      "7ffd000000-7ffd001000 r-xp 00000000 00:00 0   [vdso]\n"
      "zzzz-yyyy r-xp 0 0 0 /bad\n"
      "00500000-00400000 r-xp 00000000 08:01 1 /backwards\n"
      "00600000-00700000 r-xp 00000000 08:01 1 /no/newline/at/end";
  lg_maps_t m;
  char *err = NULL;
  ASSERT_EQ(lg_maps_parse(text, sizeof text - 1, &m, &err), 0);
  ASSERT_EQ(m.n, 4);
  ASSERT_TRUE(m.v[0].lo == 0x400000 && m.v[0].hi == 0x401000 &&
              m.v[0].off == 0 && !m.v[0].exec);
  ASSERT_TRUE(strcmp(m.v[0].path, "/usr/bin/node") == 0);
  ASSERT_TRUE(m.v[1].exec && m.v[1].off == 0x1000);
  /* sorted by start address */
  ASSERT_TRUE(strcmp(m.v[2].path, "/no/newline/at/end") == 0);
  ASSERT_TRUE(strcmp(m.v[3].path, "/tmp/a b/l.so (deleted)") == 0);
  lg_maps_free(&m);
  ASSERT_EQ(lg_maps_parse("garbage\n\n", 9, &m, &err), -1);
  ASSERT_TRUE(err && strstr(err, "no file mapping"));
  free(err);
}

/* Writes the snapshots at iterations 100 and 600 and this process's map
 * under dir as <dir>/heap-sites.*: alpha grows by 150 000 bytes, beta by
 * 50 000, the wrapper's caller by 25 000, and a site that shrank. */
static int t_write_run(const char *dir, char *sites, size_t n) {
  snprintf(sites, n, "%s/heap-sites", dir);
  t_table_t a, b;
  t_table_init(&a);
  t_site_set(&a, 0, RET(t_site_alpha), RET(t_site_caller), 1000);
  t_site_set(&a, 5, RET(t_site_caller), 0, 90000);
  t_table_init(&b);
  t_site_set(&b, 0, RET(t_site_alpha), RET(t_site_caller), 151000);
  t_site_set(&b, 1, RET(t_site_beta), 0, 50000);
  t_site_set(&b, 2, RET(t_wrapper_alloc), RET(t_site_caller), 25000);
  t_site_set(&b, 5, RET(t_site_caller), 0, 10000);
  char p[700];
  size_t mlen;
  char *maps = lg_read_file("/proc/self/maps", &mlen);
  if (!maps)
    return -1;
  int rc = 0;
  snprintf(p, sizeof p, "%s.at-100", sites);
  rc |= t_write(p, &a, sizeof a);
  snprintf(p, sizeof p, "%s.at-600", sites);
  rc |= t_write(p, &b, sizeof b);
  snprintf(p, sizeof p, "%s.maps", sites);
  rc |= t_write(p, maps, mlen);
  free(maps);
  return rc;
}

static void test_attribute_names_functions(void) {
  const char *dir = t_fresh_dir("attribute");
  ASSERT_TRUE(dir != NULL);
  char sites[600];
  ASSERT_EQ(t_write_run(dir, sites, sizeof sites), 0);
  char *skip[] = {"t_wrapper_*"};
  lg_sites_report_t rep;
  char *err = NULL;
  ASSERT_EQ(lg_sites_attribute(sites, skip, 1, &rep, &err), 1);
  ASSERT_EQ(rep.i_first, 100);
  ASSERT_EQ(rep.i_last, 600);
  /* 150 000 of 225 000 bytes over 500 iterations: 67%, 300 B/it, named
   * with file:line from this program's debug information, then its
   * caller; the wrapper's frame is passed over. */
  const char *want[] = {
      "67% from t_site_alpha (test_sites.c:", "(+300 B/it)",
      " <- t_site_caller (test_sites.c:", "22% from t_site_beta (test_sites.c:",
      "11% from t_site_caller (test_sites.c:"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (!strstr(rep.summary, want[i]))
      CHECK_FAIL_("'%s' not in: %s", want[i], rep.summary);
  ASSERT_TRUE(strstr(rep.summary, "t_wrapper_alloc") == NULL);
  /* The table keeps every frame, wrapper included, with full paths. */
  ASSERT_TRUE(strstr(rep.table, "t_wrapper_alloc (") != NULL);
  ASSERT_TRUE(strstr(rep.table, "/test_sites.c:") != NULL);
  ASSERT_TRUE(strstr(rep.table, "iterations 100..600") != NULL);
  lg_sites_report_free(&rep);
  /* Without the skip list the wrapper is the site. */
  ASSERT_EQ(lg_sites_attribute(sites, NULL, 0, &rep, &err), 1);
  ASSERT_TRUE(strstr(rep.summary, "from t_wrapper_alloc (") != NULL);
  lg_sites_report_free(&rep);
}

/* lg_sites_attribute on sites must fail (-1) with an error that names
 * needle. */
static void t_expect_attribute_error(const char *sites, const char *needle) {
  lg_sites_report_t rep;
  char *err = NULL;
  int rc = lg_sites_attribute(sites, NULL, 0, &rep, &err);
  int named = err && strstr(err, needle);
  if (!named)
    fprintf(stderr, "error: %s\n", err ? err : "(none)");
  free(err);
  ASSERT_EQ(rc, -1);
  ASSERT_TRUE(named);
}

static void test_attribute_without_snapshots_or_broken(void) {
  const char *dir = t_fresh_dir("broken");
  ASSERT_TRUE(dir != NULL);
  char sites[600];
  snprintf(sites, sizeof sites, "%s/heap-sites", dir);
  lg_sites_report_t rep;
  char *err = NULL;
  ASSERT_EQ(lg_sites_attribute(sites, NULL, 0, &rep, &err), 0);
  ASSERT_EQ(t_write_run(dir, sites, sizeof sites), 0);
  char p[700];
  snprintf(p, sizeof p, "%s.at-600", sites);
  ASSERT_EQ(t_write(p, "leakgate-sites1", 16), 0);
  t_expect_attribute_error(sites, "heap-sites.at-600: site table");
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(t_write_run(dir, sites, sizeof sites), 0);
  snprintf(p, sizeof p, "%s.maps", sites);
  ASSERT_EQ(unlink(p), 0);
  t_expect_attribute_error(sites, "heap-sites.maps");
}

/* Files the scenario controls may be anything: a FIFO or a link to a device
 * where a snapshot or the map should be, a FIFO named as a module. Each is
 * refused or passed over without blocking. */
static void test_attribute_hostile_files(void) {
  const char *dir = t_fresh_dir("hostile");
  ASSERT_TRUE(dir != NULL);
  char sites[600], p[700], fifo[700];
  ASSERT_EQ(t_write_run(dir, sites, sizeof sites), 0);
  lg_sites_report_t rep;
  char *err = NULL;
  /* the map copy is a link to /dev/zero: refused, not read forever */
  snprintf(p, sizeof p, "%s.maps", sites);
  ASSERT_EQ(unlink(p), 0);
  ASSERT_EQ(symlink("/dev/zero", p), 0);
  t_expect_attribute_error(sites, "heap-sites.maps");
  CHECK_RETURN_IF_FAILED();
  ASSERT_EQ(unlink(p), 0);
  /* a snapshot is a FIFO: refused without waiting for a writer */
  snprintf(p, sizeof p, "%s.at-600", sites);
  ASSERT_EQ(unlink(p), 0);
  ASSERT_EQ(mkfifo(p, 0600), 0);
  t_expect_attribute_error(sites, "heap-sites.at-600");
  CHECK_RETURN_IF_FAILED();
  /* the map names a FIFO as the module of every site: module+offset */
  ASSERT_EQ(t_write_run(dir, sites, sizeof sites), 0);
  snprintf(fifo, sizeof fifo, "%s/module-fifo", dir);
  ASSERT_EQ(mkfifo(fifo, 0600), 0);
  uintptr_t lo = (uintptr_t)t_site_alpha & ~(uintptr_t)0xffff;
  char maps[2048];
  int n = snprintf(maps, sizeof maps, "%lx-%lx r-xp 00000000 08:01 77 %s\n",
                   (unsigned long)lo, (unsigned long)(lo + 0x40000), fifo);
  snprintf(p, sizeof p, "%s.maps", sites);
  ASSERT_EQ(t_write(p, maps, (size_t)n), 0);
  ASSERT_EQ(lg_sites_attribute(sites, NULL, 0, &rep, &err), 1);
  ASSERT_TRUE(strstr(rep.summary, "from module-fifo+0x") != NULL);
  lg_sites_report_free(&rep);
}

/* A LEAK run with a native metric flagged gets the attribution in its
 * evidence and sites.txt; any other run only loses the files. */
static void test_explain_leak_only(void) {
  for (int leak = 0; leak < 2; leak++) {
    const char *dir = t_fresh_dir(leak ? "explain-leak" : "explain-pass");
    ASSERT_TRUE(dir != NULL);
    char sites[600], p[700];
    ASSERT_EQ(t_write_run(dir, sites, sizeof sites), 0);
    char live[700];
    snprintf(live, sizeof live, "%s.4242", sites);
    ASSERT_EQ(t_write(live, "live", 4), 0);
    lg_run_t run;
    memset(&run, 0, sizeof run);
    run.detected = leak ? LG_V_LEAK : LG_V_PASS;
    lg_run_metric_add(&run, "heapUsed")->flagged = 1;
    lg_run_metric_add(&run, "mallocInUse")->flagged = leak;
    char *note = lg_sites_explain(&run, sites, dir, NULL, 0);
    const char *want = "allocation sites of the growth over iterations "
                       "100..600 (sampled): 67% from t_site_alpha (";
    int as_expected =
        leak ? note && strncmp(note, want, strlen(want)) == 0 : note == NULL;
    if (!as_expected)
      fprintf(stderr, "note: %s\n", note ? note : "(none)");
    free(note);
    ASSERT_TRUE(as_expected);
    snprintf(p, sizeof p, "%s/sites.txt", dir);
    ASSERT_EQ(lg_is_file(p), leak);
    ASSERT_TRUE(!lg_is_file(live));
    snprintf(p, sizeof p, "%s.at-100", sites);
    ASSERT_TRUE(!lg_is_file(p));
    snprintf(p, sizeof p, "%s.maps", sites);
    ASSERT_TRUE(!lg_is_file(p));
    lg_run_free(&run);
  }
}

static const check_case_t cases[] = {
    {"parse_table", test_parse_table},
    {"parse_rejects_broken_tables", test_parse_rejects_broken_tables},
    {"parse_maps", test_parse_maps},
    {"attribute_names_functions", test_attribute_names_functions},
    {"attribute_without_snapshots_or_broken",
     test_attribute_without_snapshots_or_broken},
    {"attribute_hostile_files", test_attribute_hostile_files},
    {"explain_leak_only", test_explain_leak_only},
    {NULL, NULL}};

CHECK_MAIN(cases)
