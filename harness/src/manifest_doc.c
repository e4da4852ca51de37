/* docs/manifest-schema.md, printed from the schema tables
 * (manifest_schema.h): one Markdown table per object level, in the order
 * the levels nest. The lg_manifest_schema program prints it; a test compares
 * the committed file with its output. */
#include "manifest_schema.h"

#include <math.h>
#include <string.h>

#define LG_DOC_LEVELS 32 /* at most this many levels are printed */

/* Text in a table cell: '|' escaped. */
static void lg_doc_cell(FILE *f, const char *s) {
  for (; s && *s; s++) {
    if (*s == '|')
      fputc('\\', f);
    fputc(*s, f);
  }
}

/* The type column; OBJECT and ARRAY add the sub-level's name, CUSTOM keys
 * bring their own text. */
static const char *const lg_doc_types[] = {
    [LG_MT_STRING] = "string (template)",
    [LG_MT_STRINGS] = "array of strings (templates)",
    [LG_MT_ENV] = "object: name → string (template)",
    [LG_MT_INT] = "integer",
    [LG_MT_NUMBER] = "number",
    [LG_MT_BOOL] = "true or false",
    [LG_MT_ENUM] = "string",
    [LG_MT_OBJECT] = "object",
    [LG_MT_ARRAY] = "array of objects",
};

static void lg_doc_type(FILE *f, const lg_mkey_t *k) {
  if (k->type == LG_MT_CUSTOM)
    lg_doc_cell(f, k->type_doc);
  else if (k->type == LG_MT_OBJECT || k->type == LG_MT_ARRAY)
    fprintf(f, "%s (`%s`)", lg_doc_types[k->type], k->sub->name);
  else
    fputs(lg_doc_types[k->type], f);
}

static void lg_doc_values(FILE *f, const lg_mkey_t *k) {
  if (k->type == LG_MT_INT || k->type == LG_MT_NUMBER) {
    if (k->min == k->max)
      fprintf(f, "%g", k->min);
    else if (isinf(k->max))
      fprintf(f, ">= %g", k->min);
    else
      fprintf(f, "%g to %g", k->min, k->max);
  } else if ((k->type == LG_MT_STRING || k->type == LG_MT_ENUM) && k->values) {
    for (size_t i = 0; k->values[i]; i++)
      fprintf(f, "%s`\"%s\"`", i ? ", " : "", k->values[i]);
  } else if (k->type == LG_MT_ARRAY && (k->flags & LG_MK_NONEMPTY)) {
    fputs("non-empty", f);
  }
}

static void lg_doc_level(FILE *f, const lg_mlevel_t *lv,
                         const lg_mlevel_t **seen, size_t *nseen) {
  for (size_t i = 0; i < *nseen; i++)
    if (seen[i] == lv)
      return;
  if (*nseen == LG_DOC_LEVELS)
    return;
  seen[(*nseen)++] = lv;
  fprintf(f, "\n## `%s`\n\n%s\n\n", lv->name, lv->doc);
  fputs("| key | type | values | default | meaning |\n", f);
  fputs("|---|---|---|---|---|\n", f);
  for (size_t i = 0; i < lv->nkeys; i++) {
    const lg_mkey_t *k = &lv->keys[i];
    fprintf(f, "| `%s` | ", k->key);
    lg_doc_type(f, k);
    fputs(" | ", f);
    lg_doc_values(f, k);
    fputs(" | ", f);
    if (k->flags & LG_MK_REQUIRED)
      fputs("required", f);
    else
      lg_doc_cell(f, k->def);
    fputs(" | ", f);
    lg_doc_cell(f, k->doc);
    if (k->flags & LG_MK_NAME)
      fputs(" 1 to 128 of `A-Z a-z 0-9 . _ + -`, not `.` or `..`.", f);
    fputs(" |\n", f);
  }
  for (size_t i = 0; i < lv->nkeys; i++)
    if (lv->keys[i].sub)
      lg_doc_level(f, lv->keys[i].sub, seen, nseen);
}

void lg_manifest_schema_doc(FILE *f) {
  const lg_mlevel_t *seen[LG_DOC_LEVELS];
  size_t nseen = 0;
  fputs(
      "# Manifest schema (`version: 1`)\n\n"
      "<!-- Generated from harness/src/manifest_schema.c by lg_manifest_schema;"
      " do not edit.\n"
      "     Regenerate: build/release/harness/lg_manifest_schema >"
      " docs/manifest-schema.md -->\n\n"
      "Every key a scenario manifest (`scenarios/manifest.json`) may hold,"
      " level by level.\n"
      "The loader reads a manifest with these same tables, so a key not"
      " listed here, a\n"
      "wrong type or a value out of range is a configuration error (exit"
      " 2) naming the\n"
      "file, the key and what was expected. Templates, relative paths,"
      " presets and the\n"
      "limits after scaling are described in harness/README.md (Manifest"
      " schema).\n",
      f);
  lg_doc_level(f, &lg_manifest_schema, seen, &nseen);
}
