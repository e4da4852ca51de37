/* Report writers. Each renders the result model as it is (lg_results_t);
 * none of them recomputes a slope, a verdict or a noise figure. */
#ifndef LG_REPORT_H
#define LG_REPORT_H

#include "model.h"

char *lg_render_junit(const lg_results_t *r);
char *lg_render_markdown(const lg_results_t *r);
char *lg_render_html(const lg_results_t *r);

/* Writes results.json, junit.xml, summary.md and report.html into dir
 * (created if needed). Returns 0, or -1 with *err set. */
int lg_write_reports(const lg_results_t *r, const char *dir, char **err);

/* Helpers shared by the writers. */
const char *lg_run_status(const lg_run_t *run); /* PASS, or the verdict */
char *lg_run_label(const lg_run_t *run);        /* scenario[@fault] */
/* "+1.2 B/it" style slope of a metric, or "n/a". */
char *lg_fmt_slope(const lg_metric_t *m);

#endif
