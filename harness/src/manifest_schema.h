/* Private to the harness: the manifest schema as data. Each JSON object
 * level of the manifest (the top level, defaults, variants, scenarios,
 * defects, ...) is one lg_mlevel_t, a table of the keys it may hold with
 * their type, range or allowed values, default and a one-line doc. The
 * loader (manifest.c) walks a document and the table together, so an
 * unknown key or a wrong type is an error by construction; the same table
 * prints docs/manifest-schema.md (lg_manifest_schema_doc). */
#ifndef LG_MANIFEST_SCHEMA_H
#define LG_MANIFEST_SCHEMA_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "manifest.h"

/* One load: the first error wins (later ones are not reported). */
typedef struct lg_mctx_s {
  const char *file; /* the manifest's path, first in every message */
  char *err;        /* the first error, owned by the load */
  unsigned flags;   /* LG_MANIFEST_* */
  lg_manifest_t *m; /* the manifest being filled (cross references) */
  json_t *presets;  /* {leakgate}/presets.json once a variant needs it */
} lg_mctx_t;

typedef enum lg_mtype_e {
  LG_MT_STRING,  /* a template -> char *; with values: one of them */
  LG_MT_STRINGS, /* an array of templates -> char **, size_t; with values:
                    each one of them */
  LG_MT_ENV,     /* an object of templates -> lg_kv_t *, size_t */
  LG_MT_INT,     /* an integer in [min, max] -> long long */
  LG_MT_NUMBER,  /* a number in [min, max] -> double */
  LG_MT_BOOL,    /* true or false -> int */
  LG_MT_ENUM,    /* one of values -> int: min + its index */
  LG_MT_OBJECT,  /* a nested object of level sub, same struct */
  LG_MT_ARRAY,   /* an array of objects of level sub -> T *, size_t */
  LG_MT_CUSTOM   /* read by read(); type_doc says what it is */
} lg_mtype_t;

#define LG_MK_REQUIRED 1u  /* missing is an error */
#define LG_MK_NAME 2u      /* a run-directory component (lg_name_problem) */
#define LG_MK_FIRST 4u     /* read before the unknown-key check (version) */
#define LG_MK_PLAIN 8u     /* ENUM: no string/template check, only values */
#define LG_MK_NONEMPTY 16u /* ARRAY, STRINGS: at least one element */
/* Consumed by the level's prepare hook: never reaches the key check and is
 * not listed in its message (documented only). */
#define LG_MK_PREPARED 32u

#define LG_MNONE ((size_t)-1) /* off: the value is checked, not stored */

typedef struct lg_mlevel_s lg_mlevel_t;
typedef struct lg_mkey_s lg_mkey_t;

/* CUSTOM reader: v is present; full is the key's path for messages; base
 * the level's struct. 0, or -1 with c->err set. */
typedef int (*lg_mread_fn)(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                           const char *full, void *base);

struct lg_mkey_s {
  const char *key;
  lg_mtype_t type;
  unsigned flags;            /* LG_MK_* */
  size_t off, count_off;     /* where the value (and a count) go in base */
  double min, max;           /* INT, NUMBER */
  const char *const *values; /* STRING, ENUM: NULL-terminated */
  const lg_mlevel_t *sub;    /* OBJECT, ARRAY; CUSTOM: its object's keys */
  lg_mread_fn read;          /* CUSTOM */
  const char *expect;        /* the error's "expected ..." (NULL: from type) */
  const char *errkey;   /* OBJECT: the key a wrong type names (NULL: own) */
  const char *type_doc; /* CUSTOM: its type, for the doc */
  const char *def;      /* default, for the doc (NULL: none) */
  const char *doc;      /* one line */
  /* A rule that needs this key read (and the keys before it): runs after
   * it, present or not. 0, or -1 with c->err set. */
  int (*then)(lg_mctx_t *c, json_t *o, void *base);
};

struct lg_mlevel_s {
  const char *name; /* "variants[]", for the doc */
  const char *doc;
  const lg_mkey_t *keys;
  size_t nkeys;
  size_t size;        /* ARRAY element size */
  const char *expect; /* ARRAY: what a non-object element should be */
  /* Optional hooks, in this order: prepare (ARRAY elements: a new
   * reference to read instead of the element, or NULL with c->err set),
   * init (defaults, before any key; o may be NULL: absent), check (cross-key
   * rules after every key). idx: the element's index (0 otherwise). */
  json_t *(*prepare)(lg_mctx_t *c, json_t *o, size_t idx);
  void (*init)(lg_mctx_t *c, json_t *o, void *base);
  int (*check)(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
               void *base);
};

/* The top level of a manifest (version 1). */
extern const lg_mlevel_t lg_manifest_schema;

/* Reads object o (NULL: absent, only the init hooks run) at path into base
 * by level lv. 0, or -1 with c->err set; what was read before the error
 * stays in base for lg_manifest_free. */
int lg_mwalk(lg_mctx_t *c, const lg_mlevel_t *lv, json_t *o, const char *path,
             size_t idx, void *base);

/* Sets c->err, unless already set, to "FILE: key 'KEY': expected EXPECTED".
 * Returns -1. */
int lg_merr(lg_mctx_t *c, const char *key, const char *expected);

/* The unknown-key check of one object against a level (and, recursively,
 * the OBJECT levels under it): 0, or -1 with c->err naming the closest
 * known key or listing them. o not an object: 0 (its type is reported
 * where it is read). */
int lg_mkeys(lg_mctx_t *c, json_t *o, const char *path, const lg_mlevel_t *lv);

/* The readers of LG_MT_STRING and LG_MT_STRINGS values, for CUSTOM readers:
 * v must be a string that is a valid template (*out: a new string; the
 * old one is not freed), or an array of them (*out, *n: replaced; on an
 * error the elements before the bad one stay there for the caller to
 * free). 0, or -1 with c->err set. */
int lg_mstring(lg_mctx_t *c, json_t *v, const char *full, char **out);
int lg_mstrv(lg_mctx_t *c, json_t *v, const char *full, char ***out, size_t *n);

/* Prints the schema as Markdown (docs/manifest-schema.md) to f. */
void lg_manifest_schema_doc(FILE *f);

/* ---- manifest_rules.c: the readers and hooks the tables name ---------- */

/* The object form of a threshold (its keys, for the check and the doc). */
extern const lg_mlevel_t lg_mthreshold_level;

/* CUSTOM readers (lg_mread_fn). */
int lg_mcontrol(lg_mctx_t *c, const lg_mkey_t *k, json_t *v, const char *full,
                void *base);
int lg_mthresholds(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                   const char *full, void *base);
int lg_mlangs(lg_mctx_t *c, const lg_mkey_t *k, json_t *v, const char *full,
              void *base);
int lg_mexit_codes(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                   const char *full, void *base);
int lg_miterations(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                   const char *full, void *base);
int lg_mexpect(lg_mctx_t *c, const lg_mkey_t *k, json_t *v, const char *full,
               void *base);
int lg_mcaught_by(lg_mctx_t *c, const lg_mkey_t *k, json_t *v, const char *full,
                  void *base);
/* What lg_mexpect accepts, as its message says it. */
#define LG_EXPECT_DOC                                                          \
  "\"pass\" or a verdict: LEAK, ERROR, RACE, CRASH, TIMEOUT, RESOURCE"

/* Level hooks (lg_mlevel_t). */
json_t *lg_mpreset(lg_mctx_t *c, json_t *o, size_t idx);
void lg_mtop_init(lg_mctx_t *c, json_t *o, void *base);
int lg_mcontrol_names(lg_mctx_t *c, json_t *o, void *base);
int lg_mdefaults_check(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
                       void *base);
void lg_mdefaults_js_init(lg_mctx_t *c, json_t *o, void *base);
void lg_mvariant_init(lg_mctx_t *c, json_t *o, void *base);
int lg_mvariant_check(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
                      void *base);
void lg_mscenario_init(lg_mctx_t *c, json_t *o, void *base);
int lg_mscenario_check(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
                       void *base);
int lg_mdefect_check(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
                     void *base);

#endif
