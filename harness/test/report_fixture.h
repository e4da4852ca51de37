/* Helpers of the report tests (report_fixture.c); LG_TEST_TMP and
 * LG_FIXTURES are the test program's. */
#ifndef LG_REPORT_FIXTURE_H
#define LG_REPORT_FIXTURE_H

#include "model.h"

typedef struct lg_xml_s {
  int depth, max_depth;
  int suites, cases, failures, svgs, polylines, scripts, external;
  char first[64];
  char failure_type[64];
  char tests_attr[16], failures_attr[16];
} lg_xml_t;

/* Two runs: a pass with a fitted flat metric, and a leak with a finding. */
void lg_sample_results(lg_results_t *r);
/* report.html of lg_sample_results (caller frees). */
char *lg_sample_html(void);
/* Parses text with expat into x (counts and first names); 1 when
 * well-formed. */
int lg_parse_xml(const char *text, lg_xml_t *x);
/* Writes text to LG_TEST_TMP/name and runs xmllint --noout on it; 1 when
 * it passes. */
int lg_xmllint(const char *name, const char *text);
/* Writes text to LG_TEST_TMP/name and returns the path (caller frees). */
char *lg_tmp_write(const char *name, const char *text);
/* Loads path into *r (lg_results_load), printing the error to stderr when
 * it fails; returns lg_results_load's code (0: the caller frees *r). */
int lg_load_ok(const char *path, lg_results_t *r);
/* Loads path expecting it to fail: returns the error (caller frees), or
 * NULL when it loaded after all (the results are freed). */
char *lg_load_err(const char *path);
/* Renders every writer and checks junit.xml and report.html with xmllint;
 * 1 when all pass. */
int lg_render_all_valid(const lg_results_t *r, const char *tag);

#endif
