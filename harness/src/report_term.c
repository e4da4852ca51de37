/* The terminal's tables (report.h): the gate's changed rows and the
 * selftest cells, rendered from the same tables as the documents
 * (report_table.h) with the terminal's column formats. */
#include <stdio.h>

#include "report.h"
#include "report_table.h"

void lg_term_gate(FILE *out, const lg_results_t *r) {
  size_t reg = 0, imp = 0, still = 0;
  for (size_t i = 0; i < r->ngate; i++) {
    reg += r->gate[i].status == LG_G_REGRESSION;
    imp += r->gate[i].status == LG_G_IMPROVEMENT;
    still += r->gate[i].status == LG_G_STILL_FAILING;
  }
  /* Rows may come from a results file: the table's terminal columns keep
   * control bytes off the terminal. */
  lg_table_print(out, r, lg_table_gate_changes);
  fprintf(out,
          "gate vs %s: %s (%zu regressions, %zu still failing, %zu "
          "improvements, %zu rows)\n",
          r->gate_baseline, r->gate_ok ? "PASS" : "FAIL", reg, still, imp,
          r->ngate);
}

void lg_term_selftest(FILE *out, const lg_results_t *r) {
  fputs("\nselftest detection matrix:\n", out);
  lg_table_print(out, r, lg_table_cells);
  fprintf(out, "selftest: %s\n",
          r->selftest_ok ? "every designated detector caught its planted defect"
                         : "FAILED");
}
