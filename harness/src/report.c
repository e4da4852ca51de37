/* Writes all report files (see report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "util.h"

const char *lg_run_status(const lg_run_t *run) {
  return lg_verdict_name(run->verdict);
}

char *lg_run_label(const lg_run_t *run) {
  return run->fault ? lg_fmt("%s@%s", run->scenario, run->fault)
                    : lg_xstrdup(run->scenario);
}

char *lg_fmt_slope(const lg_metric_t *m) {
  if (!m || !m->fitted || !isfinite(m->trend.slope))
    return lg_xstrdup("n/a");
  const char *u = lg_metric_unit(m->name);
  return lg_fmt("%+.3g %s/it", m->trend.slope, *u ? u : "units");
}

int lg_write_reports(const lg_results_t *r, const char *dir, char **err) {
  if (lg_mkdirs(dir) != 0) {
    *err = lg_fmt("cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  char *path = lg_path_join(dir, "results.json");
  if (lg_results_save(r, path) != 0) {
    *err = lg_fmt("cannot write %s: %s", path, strerror(errno));
    free(path);
    return -1;
  }
  /* Render from results.json as written, so that 'leakgate report' later
   * produces byte-identical files and no writer sees more than the file. */
  lg_results_t saved;
  char *lerr = NULL;
  if (lg_results_load(path, &saved, &lerr) != 0) {
    *err = lerr;
    free(path);
    return -1;
  }
  free(path);
  struct {
    const char *name;
    char *(*render)(const lg_results_t *);
  } w[] = {{"junit.xml", lg_render_junit},
           {"summary.md", lg_render_markdown},
           {"report.html", lg_render_html}};
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
    char *text = w[i].render(&saved);
    path = lg_path_join(dir, w[i].name);
    int rc = lg_write_file(path, text, strlen(text));
    free(text);
    if (rc != 0) {
      *err = lg_fmt("cannot write %s: %s", path, strerror(errno));
      free(path);
      lg_results_free(&saved);
      return -1;
    }
    free(path);
  }
  lg_results_free(&saved);
  return 0;
}
