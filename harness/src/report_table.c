/* The report's table model and its three renderers (see report_table.h).
 * A renderer only escapes and lays out: what a cell says was decided when
 * the table was built. */
#include "report_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void lg_table_init(lg_table_t *t, const lg_tcol_t *cols, size_t ncols) {
  memset(t, 0, sizeof *t);
  t->cols = lg_xcalloc(ncols + 1, sizeof *t->cols);
  memcpy(t->cols, cols, ncols * sizeof *cols);
  t->ncols = ncols;
}

lg_tcell_t *lg_table_row(lg_table_t *t) {
  if (t->nrows == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->cells = lg_xrealloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
  }
  lg_tcell_t *row = &t->cells[t->nrows++ * t->ncols];
  memset(row, 0, t->ncols * sizeof *row);
  for (size_t c = 0; c < t->ncols; c++)
    row[c].num = NAN;
  return row;
}

void lg_table_free(lg_table_t *t) {
  for (size_t i = 0; i < t->nrows * t->ncols; i++) {
    lg_tcell_t *c = &t->cells[i];
    LG_FREE_ALL(c->text, c->note, c->md, c->link, c->title);
  }
  for (size_t c = 0; c < t->ncols; c++)
    if (t->cols[c].own_head)
      free((char *)t->cols[c].head);
  free(t->cells);
  free(t->cols);
  memset(t, 0, sizeof *t);
}

static void lg_html_cell(lg_buf_t *b, const lg_table_t *t, const lg_tcol_t *col,
                         const lg_tcell_t *c) {
  const char *tag = col->th ? "th" : "td";
  const char *cls = c->cls ? c->cls : col->cls;
  lg_buf_addf(b, "<%s", tag);
  if (cls)
    lg_buf_addf(b, " class=\"%s\"", cls);
  if (c->title)
    lg_text_xml_in(b, " title=\"", c->title, "\"");
  lg_buf_add(b, ">");
  if (c->link)
    lg_text_xml_in(b, "<a href=\"#", c->link, "\">");
  lg_text_xml(b, c->text);
  if (c->link)
    lg_buf_add(b, "</a>");
  if (c->note) {
    lg_buf_add(b, col->note_br ? "<br/>" : " ");
    lg_buf_add(b, "<span class=\"muted\">");
    lg_text_xml(b, t->note_pre);
    lg_text_xml(b, c->note);
    lg_buf_add(b, "</span>");
  }
  lg_buf_addf(b, "</%s>", tag);
}

void lg_table_html(lg_buf_t *b, const lg_table_t *t) {
  lg_buf_add(b, "<table><tr>");
  for (size_t c = 0; c < t->ncols; c++) {
    if (!(t->cols[c].formats & LG_TF_HTML))
      continue;
    lg_text_xml_in(b, "<th>", t->cols[c].head, "</th>");
  }
  lg_buf_add(b, "</tr>");
  for (size_t r = 0; r < t->nrows; r++) {
    lg_buf_add(b, "<tr>");
    for (size_t c = 0; c < t->ncols; c++)
      if (t->cols[c].formats & LG_TF_HTML)
        lg_html_cell(b, t, &t->cols[c], &t->cells[r * t->ncols + c]);
    lg_buf_add(b, "</tr>");
  }
  lg_buf_add(b, "</table>");
}

/* Every string goes through lg_text_md: it may come from scenario output,
 * and GitHub renders raw HTML and table syntax in it. */
void lg_table_md(lg_buf_t *b, const lg_table_t *t) {
  lg_buf_add(b, "|");
  for (size_t c = 0; c < t->ncols; c++) {
    const lg_tcol_t *col = &t->cols[c];
    if (!(col->formats & LG_TF_MD))
      continue;
    const char *head = col->md_head ? col->md_head : col->head;
    if (head && *head) {
      lg_buf_add(b, " ");
      lg_text_md(b, head, col->md_max);
    }
    lg_buf_add(b, " |");
  }
  lg_buf_add(b, "\n|");
  for (size_t c = 0; c < t->ncols; c++)
    if (t->cols[c].formats & LG_TF_MD)
      lg_buf_add(b, t->cols[c].md_right ? "---:|" : "---|");
  lg_buf_add(b, "\n");
  for (size_t r = 0; r < t->nrows; r++) {
    lg_buf_add(b, "|");
    for (size_t c = 0; c < t->ncols; c++) {
      const lg_tcol_t *col = &t->cols[c];
      const lg_tcell_t *cell = &t->cells[r * t->ncols + c];
      if (!(col->formats & LG_TF_MD))
        continue;
      lg_buf_add(b, " ");
      if (cell->md) {
        lg_text_md(b, cell->md, 0);
      } else {
        lg_text_md(b, cell->text, col->md_max);
        if (cell->note && col->md_note_max) {
          lg_buf_add(b, " (");
          lg_text_md(b, t->note_pre, 0);
          lg_text_md(b, cell->note, col->md_note_max);
          lg_buf_add(b, ")");
        }
      }
      lg_buf_add(b, " |");
    }
    lg_buf_add(b, "\n");
  }
}

void lg_table_emit(lg_buf_t *b, const lg_results_t *r, lg_table_build_fn build,
                   int format) {
  lg_table_t t;
  build(&t, r);
  if (format == LG_TF_HTML)
    lg_table_html(b, &t);
  else
    lg_table_md(b, &t);
  lg_table_free(&t);
}

void lg_table_print(FILE *out, const lg_results_t *r, lg_table_build_fn build) {
  lg_table_t t;
  build(&t, r);
  lg_table_term(out, &t);
  lg_table_free(&t);
}

/* The conversions are the columns' own (static strings of report_tables.c),
 * never text from the model. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void lg_table_term(FILE *out, const lg_table_t *t) {
  for (size_t r = 0; r < t->nrows; r++) {
    fputs("  ", out);
    int first = 1;
    for (size_t c = 0; c < t->ncols; c++) {
      const lg_tcol_t *col = &t->cols[c];
      const lg_tcell_t *cell = &t->cells[r * t->ncols + c];
      if (!(col->formats & LG_TF_TERM))
        continue;
      if (!first)
        fputc(' ', out);
      first = 0;
      if (col->term_num) {
        fprintf(out, col->term, cell->num);
      } else if (col->term_safe) {
        char *s = lg_text_terminal(cell->text, 0);
        fprintf(out, col->term, s);
        free(s);
      } else {
        fprintf(out, col->term, cell->text);
      }
    }
    fputc('\n', out);
  }
}
#pragma GCC diagnostic pop
