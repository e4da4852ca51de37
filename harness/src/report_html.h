/* Private to report_html*.c: the part of report.html that renders one
 * run. */
#ifndef LG_REPORT_HTML_H
#define LG_REPORT_HTML_H

#include "model.h"
#include "util.h"

/* Appends the section of run r->runs[idx] (id "run-<idx>", what the
 * verdict table links to) to b. run is borrowed. */
void lg_html_run_section(lg_buf_t *b, const lg_run_t *run, size_t idx);

#endif
