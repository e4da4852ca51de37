/* Private to the report writers. A table of the report built once as data
 * (columns, then rows of cells: a value, a styling class, an optional link
 * and note), the way jemalloc's stats emitter does it; report.html,
 * summary.md and the terminal only render it (lg_table_html, lg_table_md,
 * lg_table_term). The builders (lg_table_failing, ...) are the only place
 * that decides what a table shows. Tables are plain memory: any thread, one
 * thread per table. */
#ifndef LG_REPORT_TABLE_H
#define LG_REPORT_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"
#include "util.h"

/* Which writers show a column (lg_tcol_t.formats). */
enum {
  LG_TF_HTML = 1,
  LG_TF_MD = 2,
  LG_TF_TERM = 4,
  LG_TF_DOCS = LG_TF_HTML | LG_TF_MD /* both documents */
};

/* A column. Strings are static unless `own_head` (then freed with the
 * table). */
typedef struct lg_tcol_s {
  const char *head;    /* header; NULL: no header row cell (terminal) */
  const char *md_head; /* Markdown's header when it differs, else NULL */
  int formats;         /* LG_TF_* */
  int own_head;        /* head was allocated for this table */
  /* HTML */
  const char *cls; /* class of the column's cells, or NULL */
  int th;          /* the cells are row headers (<th>) */
  int note_br;     /* a cell's note on its own line, not after a space */
  /* Markdown */
  int md_right;       /* right-aligned (---:) */
  size_t md_max;      /* code points of a cell's text, 0: all */
  size_t md_note_max; /* code points of a cell's note, 0: notes not shown */
  /* Terminal: the printf conversion of a cell, with any literal text
   * around it ("base %-10.4g"). */
  const char *term;
  int term_num;  /* the conversion takes the cell's num, not its text */
  int term_safe; /* the text goes through lg_text_terminal first */
} lg_tcol_t;

/* A cell. Every string is owned by the table (freed by lg_table_free);
 * NULL text renders as "". The documents escape every string; the
 * terminal only in term_safe columns. */
typedef struct lg_tcell_s {
  char *text;      /* the value */
  char *note;      /* a secondary line: HTML muted, Markdown in (...) */
  char *md;        /* Markdown's own spelling of the value (and its note),
                    * when the documents differ; never truncated */
  char *link;      /* HTML: the value links to #link */
  char *title;     /* HTML: the cell's title attribute */
  const char *cls; /* HTML class (static); NULL: the column's */
  double num;      /* the figure, for a term_num column */
} lg_tcell_t;

typedef struct lg_table_s {
  lg_tcol_t *cols;
  size_t ncols;
  lg_tcell_t *cells; /* cells[row * ncols + col] */
  size_t nrows, cap;
  const char *note_pre; /* text before every note ("not judged: "), static */
} lg_table_t;

/* Starts an empty table in t (not initialised before) with a copy of the
 * ncols columns; the heads of own_head columns pass to the table. */
void lg_table_init(lg_table_t *t, const lg_tcol_t *cols, size_t ncols);
/* Appends a row of empty cells (text NULL, num NAN) and returns it: the
 * caller fills its ncols cells, handing every string to the table. The
 * pointer is valid until the next lg_table_row. */
lg_tcell_t *lg_table_row(lg_table_t *t);
/* Frees the cells, their strings and the columns. */
void lg_table_free(lg_table_t *t);

/* Renders t as an HTML <table> (header row, then rows), appended to b. */
void lg_table_html(lg_buf_t *b, const lg_table_t *t);
/* Renders t as a GitHub Markdown table (header, alignment, rows; each line
 * ends with "\n"), appended to b. */
void lg_table_md(lg_buf_t *b, const lg_table_t *t);
/* Prints every row of t to out: "  " and the LG_TF_TERM columns' `term`
 * conversions separated by a space, then "\n". No header. */
void lg_table_term(FILE *out, const lg_table_t *t);

/* "PASS", "INFRA" or "FAIL": the HTML class of a run's verdict. Static
 * string. */
const char *lg_run_class(const lg_run_t *run);
/* The id of run r->runs[idx]'s section in report.html ("run-3"). Caller
 * frees. */
char *lg_run_anchor(size_t idx);

/* The tables of the report (report_tables.c). A builder fills an
 * uninitialised t from r (borrowed, not kept), which the caller frees with
 * lg_table_free. */
typedef void (*lg_table_build_fn)(lg_table_t *t, const lg_results_t *r);

/* Builds a table with build and appends it to b as report.html
 * (LG_TF_HTML) or summary.md (LG_TF_MD) renders it. */
void lg_table_emit(lg_buf_t *b, const lg_results_t *r, lg_table_build_fn build,
                   int format);
/* Builds a table with build and prints it to out (lg_table_term). */
void lg_table_print(FILE *out, const lg_results_t *r, lg_table_build_fn build);

/* The verdict table: one row per failing run, or per passing run, in
 * order; the scenario links to the run's section "run-<index>". */
void lg_table_failing(lg_table_t *t, const lg_results_t *r);
void lg_table_passing(lg_table_t *t, const lg_results_t *r);
/* "At a glance": one row per scenario label, one column per variant (both
 * in order of first appearance), each cell the verdict of the first run of
 * that pair, linking to its section. Linear in the runs. */
void lg_table_glance(lg_table_t *t, const lg_results_t *r);
/* The noise floor of the control scenario: one row per r->noise entry. */
void lg_table_noise(lg_table_t *t, const lg_results_t *r);
/* The selftest matrix: planted defects (rows) by columns (lg_selftest_matrix),
 * each cell the status of its cell, "n/a" where none ran. */
void lg_table_matrix(lg_table_t *t, const lg_results_t *r);
/* The selftest cells, then the clean runs (no fault), as a list: defect,
 * column, status, seconds, evidence. */
void lg_table_cells(lg_table_t *t, const lg_results_t *r);
/* The gate's rows: all of them, or only those whose status is not ok. */
void lg_table_gate(lg_table_t *t, const lg_results_t *r);
void lg_table_gate_changes(lg_table_t *t, const lg_results_t *r);
/* The suppression entries and how often each matched. */
void lg_table_supps(lg_table_t *t, const lg_results_t *r);
/* The benchmark medians (r->bench_rows). */
void lg_table_bench(lg_table_t *t, const lg_results_t *r);

#endif
