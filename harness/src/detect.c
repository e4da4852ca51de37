/* Sanitizer log and valgrind XML parsers (see detect.h). */
#include "detect.h"

#include <ctype.h>
#include <expat.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static lg_finding_t *lg_finding_new(lg_findings_t *out, const char *detector,
                                    const char *source) {
  out->v = lg_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
  lg_finding_t *f = &out->v[out->n++];
  memset(f, 0, sizeof *f);
  f->detector = lg_xstrdup(detector);
  f->source = lg_xstrdup(source);
  f->bytes = f->blocks = -1;
  return f;
}

static lg_stack_t *lg_stack_new(lg_finding_t *f, const char *title) {
  f->stacks = lg_xrealloc(f->stacks, (f->nstacks + 1) * sizeof *f->stacks);
  lg_stack_t *s = &f->stacks[f->nstacks++];
  memset(s, 0, sizeof *s);
  s->title = lg_xstrdup(title);
  return s;
}

static lg_frame_t *lg_frame_new(lg_stack_t *s) {
  s->frames = lg_xrealloc(s->frames, (s->nframes + 1) * sizeof *s->frames);
  lg_frame_t *fr = &s->frames[s->nframes++];
  memset(fr, 0, sizeof *fr);
  return fr;
}

void lg_findings_free(lg_findings_t *f) {
  for (size_t i = 0; i < f->n; i++)
    lg_finding_free(&f->v[i]);
  free(f->v);
  f->v = NULL;
  f->n = 0;
  lg_strv_free(f->supp_used, f->nsupp_used);
  f->supp_used = NULL;
  f->nsupp_used = 0;
}

/* ---- sanitizer logs --------------------------------------------------- */

/* "path/file.c:12:5" -> file, line; returns 1 if it looks like a location. */
static int lg_parse_location(const char *tok, char **file, int *line) {
  const char *c = strchr(tok, ':');
  while (c && !isdigit((unsigned char)c[1]))
    c = strchr(c + 1, ':');
  if (!c || c == tok)
    return 0;
  *file = lg_xstrndup(tok, (size_t)(c - tok));
  *line = atoi(c + 1);
  return 1;
}

int lg_parse_frame_line(const char *line, lg_frame_t *fr) {
  memset(fr, 0, sizeof *fr);
  const char *p = line;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != '#' || !isdigit((unsigned char)p[1]))
    return -1;
  p++;
  while (isdigit((unsigned char)*p))
    p++;
  if (*p != ' ')
    return -1;
  char *s = lg_trim(p, strlen(p));
  /* Drop a trailing " (BuildId: ...)". */
  char *bid = strstr(s, " (BuildId:");
  if (bid)
    *bid = '\0';
  size_t n = strlen(s);
  if (n && s[n - 1] == ')') {
    char *open = strrchr(s, '(');
    if (open && (open == s || open[-1] == ' ')) {
      char *mod = lg_xstrndup(open + 1, (size_t)(s + n - 1 - open - 1));
      char *plus = strstr(mod, "+0x");
      if (plus)
        *plus = '\0';
      if (*mod && strcmp(mod, "<null>") != 0)
        fr->obj = lg_xstrdup(mod);
      free(mod);
      *open = '\0';
    }
  }
  char *q = s;
  while (*q == ' ')
    q++;
  if (q[0] == '0' && q[1] == 'x') {
    while (*q && *q != ' ')
      q++;
    while (*q == ' ')
      q++;
  }
  if (strncmp(q, "in ", 3) == 0)
    q += 3;
  char *rest = lg_trim(q, strlen(q));
  char *sp = strrchr(rest, ' ');
  char *last = sp ? sp + 1 : rest;
  int line_no = 0;
  char *file = NULL;
  if ((strchr(last, '/') || strchr(last, '.')) &&
      lg_parse_location(last, &file, &line_no)) {
    fr->file = strcmp(file, "<null>") == 0 ? NULL : file;
    if (!fr->file)
      free(file);
    fr->line = line_no;
    if (sp)
      *sp = '\0';
    else
      rest[0] = '\0';
  } else if (sp && strcmp(last, "<null>") == 0) {
    *sp = '\0';
  }
  char *fn = lg_trim(rest, strlen(rest));
  if (*fn && strcmp(fn, "<null>") != 0)
    fr->fn = fn;
  else
    free(fn);
  free(rest);
  free(s);
  return 0;
}

static int lg_starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static lg_fclass_t lg_asan_class(const char *kind) {
  static const char *const crash[] = {"SEGV",           "BUS",  "FPE", "ILL",
                                      "stack-overflow", "ABRT", NULL};
  for (int i = 0; crash[i]; i++)
    if (strcmp(kind, crash[i]) == 0)
      return LG_F_CRASH;
  return LG_F_ERROR;
}

static lg_fclass_t lg_tsan_class(const char *kind) {
  if (strstr(kind, "thread leak"))
    return LG_F_RESOURCE;
  if (strstr(kind, "use-after-free") || strstr(kind, "double"))
    return LG_F_ERROR;
  return LG_F_RACE;
}

static char *lg_first_word(const char *s) {
  size_t n = strcspn(s, " \t:(");
  return lg_xstrndup(s, n);
}

void lg_parse_sanitizer(const char *text, const char *source,
                        lg_findings_t *out) {
  lg_finding_t *cur = NULL;
  lg_stack_t *stk = NULL;
  char *pending_title = NULL;
  int in_lsan = 0;
  const char *p = text;
  while (p && *p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    char *line = lg_xstrndup(p, n);
    p = nl ? nl + 1 : NULL;
    const char *h;
    lg_frame_t fr;
    char *file = NULL;
    int lno = 0;

    if ((h = strstr(line, "ERROR: AddressSanitizer: ")) != NULL) {
      h += strlen("ERROR: AddressSanitizer: ");
      if (lg_starts(h, "attempting "))
        h += strlen("attempting ");
      cur = lg_finding_new(out, "asan", source);
      cur->kind = lg_first_word(h);
      cur->cls = lg_asan_class(cur->kind);
      cur->message = lg_trim(h, strlen(h));
      stk = NULL;
      in_lsan = 0;
    } else if (strstr(line, "ERROR: LeakSanitizer:")) {
      in_lsan = 1;
      cur = NULL;
      stk = NULL;
    } else if (in_lsan && (lg_starts(line, "Direct leak of ") ||
                           lg_starts(line, "Indirect leak of "))) {
      long long bytes = 0, blocks = 0;
      int direct = line[0] == 'D';
      const char *num = line + (direct ? 15 : 17);
      bytes = strtoll(num, NULL, 10);
      const char *in = strstr(line, " in ");
      if (in)
        blocks = strtoll(in + 4, NULL, 10);
      cur = lg_finding_new(out, "lsan", source);
      cur->kind = lg_xstrdup(direct ? "direct-leak" : "indirect-leak");
      cur->cls = LG_F_LEAK;
      cur->bytes = bytes;
      cur->blocks = blocks;
      cur->message = lg_trim(line, strlen(line));
      stk = lg_stack_new(cur, "allocated from");
    } else if ((h = strstr(line, "ERROR: ThreadSanitizer: ")) != NULL ||
               (h = strstr(line, "ERROR: UndefinedBehaviorSanitizer: ")) !=
                   NULL) {
      /* Deadly signals under TSan or UBSan alone: "SEGV on unknown address". */
      int tsan = strstr(line, "ThreadSanitizer") != NULL;
      h = strchr(strstr(h, "Sanitizer: "), ' ') + 1;
      cur = lg_finding_new(out, tsan ? "tsan" : "ubsan", source);
      cur->kind = lg_first_word(h);
      cur->cls = lg_asan_class(cur->kind);
      cur->message = lg_trim(h, strlen(h));
      stk = NULL;
      in_lsan = 0;
    } else if ((h = strstr(line, "WARNING: ThreadSanitizer: ")) != NULL) {
      h += strlen("WARNING: ThreadSanitizer: ");
      const char *pid = strstr(h, " (pid=");
      cur = lg_finding_new(out, "tsan", source);
      cur->kind =
          pid ? lg_xstrndup(h, (size_t)(pid - h)) : lg_trim(h, strlen(h));
      cur->cls = lg_tsan_class(cur->kind);
      cur->message = lg_trim(h, strlen(h));
      stk = NULL;
      in_lsan = 0;
    } else if ((h = strstr(line, ": runtime error: ")) != NULL) {
      cur = lg_finding_new(out, "ubsan", source);
      const char *msg = h + strlen(": runtime error: ");
      const char *colon = strchr(msg, ':');
      if (colon && colon - msg < 48) {
        cur->kind = lg_xstrndup(msg, (size_t)(colon - msg));
      } else {
        /* The first four words name the check well enough. */
        const char *e = msg;
        for (int w = 0; w < 4 && *e; w++) {
          e += strcspn(e, " ");
          if (w < 3)
            e += strspn(e, " ");
        }
        cur->kind = lg_xstrndup(msg, (size_t)(e - msg));
      }
      cur->cls = LG_F_ERROR;
      cur->message = lg_trim(msg, strlen(msg));
      char *loc = lg_xstrndup(line, (size_t)(h - line));
      stk = lg_stack_new(cur, "location");
      if (lg_parse_location(loc, &file, &lno)) {
        lg_frame_t *f0 = lg_frame_new(stk);
        f0->file = file;
        f0->line = lno;
      }
      free(loc);
      in_lsan = 0;
    } else if (lg_starts(line, "SUMMARY: ")) {
      /* ASan's summary names the kind precisely; keep LSan's leak kinds. */
      if (cur && strcmp(cur->detector, "asan") == 0 &&
          (h = strstr(line, "AddressSanitizer: ")) != NULL) {
        free(cur->kind);
        cur->kind = lg_first_word(h + strlen("AddressSanitizer: "));
        cur->cls = lg_asan_class(cur->kind);
      }
      cur = NULL;
      stk = NULL;
      in_lsan = 0;
    } else if (cur && lg_parse_frame_line(line, &fr) == 0) {
      lg_frame_t *dst;
      int frame0 = strstr(line, "#0 ") != NULL;
      /* Frame #0 opens a new stack unless the current one is still empty
       * (LSan's "allocated from" stack is created by its headline). */
      if (!stk || (frame0 && (stk->nframes > 0 || pending_title))) {
        stk = lg_stack_new(cur, pending_title ? pending_title : "stack");
        free(pending_title);
        pending_title = NULL;
      }
      dst = lg_frame_new(stk);
      *dst = fr;
    } else if (cur) {
      char *t = lg_trim(line, strlen(line));
      size_t tn = strlen(t);
      if (tn > 1 && t[tn - 1] == ':' && !lg_starts(t, "==")) {
        t[tn - 1] = '\0';
        free(pending_title);
        pending_title = t;
      } else {
        free(t);
      }
    }
    free(line);
  }
  free(pending_title);
}

/* ---- valgrind XML ----------------------------------------------------- */

typedef struct lg_vg_s {
  lg_findings_t *out;
  const char *source;
  lg_finding_t cur; /* the <error> being read */
  int in_error, in_xwhat, in_frame, in_fatal, in_suppcounts;
  lg_stack_t *stk;
  lg_frame_t *fr;
  char *dir;
  char *aux;
  lg_buf_t text;
  int depth;
} lg_vg_t;

static void XMLCALL lg_vg_start(void *ud, const XML_Char *name,
                                const XML_Char **attrs) {
  (void)attrs;
  lg_vg_t *v = ud;
  v->depth++;
  lg_buf_free(&v->text);
  if (v->depth == 2 &&
      (strcmp(name, "error") == 0 || strcmp(name, "fatal_signal") == 0)) {
    memset(&v->cur, 0, sizeof v->cur);
    v->cur.detector = lg_xstrdup("valgrind");
    v->cur.source = lg_xstrdup(v->source);
    v->cur.bytes = v->cur.blocks = -1;
    v->in_error = 1;
    v->in_fatal = strcmp(name, "fatal_signal") == 0;
    if (v->in_fatal) {
      v->cur.cls = LG_F_CRASH;
      v->cur.kind = lg_xstrdup("fatal_signal");
    }
    v->stk = NULL;
    free(v->aux);
    v->aux = NULL;
  } else if (v->in_error && strcmp(name, "stack") == 0) {
    v->stk = lg_stack_new(&v->cur, v->aux                ? v->aux
                                   : v->cur.nstacks == 0 ? "stack"
                                                         : "auxiliary stack");
    free(v->aux);
    v->aux = NULL;
  } else if (v->in_error && v->stk && strcmp(name, "frame") == 0) {
    v->fr = lg_frame_new(v->stk);
    v->in_frame = 1;
    free(v->dir);
    v->dir = NULL;
  } else if (v->in_error && strcmp(name, "xwhat") == 0) {
    v->in_xwhat = 1;
  } else if (v->depth == 2 && strcmp(name, "suppcounts") == 0) {
    v->in_suppcounts = 1;
  }
}

static lg_fclass_t lg_vg_class(const char *kind) {
  if (!kind)
    return LG_F_ERROR;
  if (strcmp(kind, "Leak_DefinitelyLost") == 0 ||
      strcmp(kind, "Leak_IndirectlyLost") == 0)
    return LG_F_LEAK;
  if (lg_starts(kind, "Leak_"))
    return LG_F_INFO;
  if (strstr(kind, "Race"))
    return LG_F_RACE;
  return LG_F_ERROR;
}

static void XMLCALL lg_vg_end(void *ud, const XML_Char *name) {
  lg_vg_t *v = ud;
  char *t = lg_trim(v->text.s ? v->text.s : "", v->text.len);
  lg_buf_free(&v->text);
  if (v->in_suppcounts) {
    /* <pair><count>N</count><name>entry</name></pair>: only used entries
     * are listed. */
    if (strcmp(name, "name") == 0) {
      v->out->supp_used = lg_xrealloc(
          v->out->supp_used, (v->out->nsupp_used + 1) * sizeof(char *));
      v->out->supp_used[v->out->nsupp_used++] = t;
      t = NULL;
    } else if (strcmp(name, "suppcounts") == 0) {
      v->in_suppcounts = 0;
    }
  } else if (v->in_frame) {
    if (strcmp(name, "fn") == 0) {
      free(v->fr->fn);
      v->fr->fn = t;
      t = NULL;
    } else if (strcmp(name, "obj") == 0) {
      free(v->fr->obj);
      v->fr->obj = t;
      t = NULL;
    } else if (strcmp(name, "dir") == 0) {
      free(v->dir);
      v->dir = t;
      t = NULL;
    } else if (strcmp(name, "file") == 0) {
      free(v->fr->file);
      v->fr->file = v->dir ? lg_path_join(v->dir, t) : lg_xstrdup(t);
    } else if (strcmp(name, "line") == 0) {
      v->fr->line = atoi(t);
    } else if (strcmp(name, "frame") == 0) {
      v->in_frame = 0;
      v->fr = NULL;
    }
  } else if (v->in_error) {
    if (strcmp(name, "kind") == 0 && !v->in_fatal) {
      free(v->cur.kind);
      v->cur.kind = t;
      t = NULL;
      v->cur.cls = lg_vg_class(v->cur.kind);
    } else if (strcmp(name, "signame") == 0 && v->in_fatal) {
      free(v->cur.kind);
      v->cur.kind = t;
      t = NULL;
    } else if ((strcmp(name, "what") == 0 ||
                (strcmp(name, "text") == 0 && v->in_xwhat)) &&
               !v->cur.message) {
      v->cur.message = t;
      t = NULL;
    } else if (strcmp(name, "leakedbytes") == 0) {
      v->cur.bytes = strtoll(t, NULL, 10);
    } else if (strcmp(name, "leakedblocks") == 0) {
      v->cur.blocks = strtoll(t, NULL, 10);
    } else if (strcmp(name, "xwhat") == 0) {
      v->in_xwhat = 0;
    } else if (strcmp(name, "auxwhat") == 0) {
      free(v->aux);
      v->aux = t;
      t = NULL;
    } else if (strcmp(name, "stack") == 0) {
      v->stk = NULL;
    } else if (v->depth == 2 && (strcmp(name, "error") == 0 ||
                                 strcmp(name, "fatal_signal") == 0)) {
      if (v->in_fatal && !v->cur.message)
        v->cur.message = lg_fmt("process terminated by %s",
                                v->cur.kind ? v->cur.kind : "a signal");
      if (!v->cur.kind)
        v->cur.kind = lg_xstrdup("unknown");
      v->out->v = lg_xrealloc(v->out->v, (v->out->n + 1) * sizeof *v->out->v);
      v->out->v[v->out->n++] = v->cur;
      memset(&v->cur, 0, sizeof v->cur);
      v->in_error = v->in_fatal = 0;
      v->stk = NULL;
    }
  }
  free(t);
  v->depth--;
}

static void XMLCALL lg_vg_text(void *ud, const XML_Char *s, int len) {
  lg_vg_t *v = ud;
  if (len > 0 && v->text.len < (1u << 20))
    lg_buf_addn(&v->text, s, (size_t)len);
}

char *lg_parse_valgrind_xml(const char *data, size_t len, const char *source,
                            lg_findings_t *out) {
  XML_Parser p = XML_ParserCreate(NULL);
  if (!p)
    return lg_xstrdup("cannot create an XML parser");
  lg_vg_t v;
  memset(&v, 0, sizeof v);
  v.out = out;
  v.source = source;
  XML_SetUserData(p, &v);
  XML_SetElementHandler(p, lg_vg_start, lg_vg_end);
  XML_SetCharacterDataHandler(p, lg_vg_text);
  char *err = NULL;
  if (len == 0) {
    err = lg_xstrdup(
        "empty valgrind XML (process killed before valgrind wrote it?)");
  } else if (XML_Parse(p, data, (int)len, 1) == XML_STATUS_ERROR) {
    err = lg_fmt("valgrind XML malformed or truncated at line %lu: %s",
                 (unsigned long)XML_GetCurrentLineNumber(p),
                 XML_ErrorString(XML_GetErrorCode(p)));
  }
  if (v.in_error)
    lg_finding_free(&v.cur);
  lg_buf_free(&v.text);
  free(v.dir);
  free(v.aux);
  XML_ParserFree(p);
  return err;
}

/* ---- attribution ------------------------------------------------------ */

static int lg_matches(const char *s, char *const *ours, size_t n) {
  if (!s)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (ours[i][0] && strstr(s, ours[i]))
      return 1;
  return 0;
}

char *lg_frame_label(const lg_frame_t *fr) {
  const char *file = fr->file ? strrchr(fr->file, '/') : NULL;
  file = file ? file + 1 : fr->file;
  if (file)
    return lg_fmt("%s %s:%d", fr->fn ? fr->fn : "??", file, fr->line);
  return lg_fmt("%s (%s)", fr->fn ? fr->fn : "??", fr->obj ? fr->obj : "?");
}

int lg_frame_is_node(const lg_frame_t *fr) {
  static const char *const fns[] = {
      "napi_", "v8impl::", "v8::", "node::", "uv_", NULL};
  if (fr->obj) {
    const char *b = strrchr(fr->obj, '/');
    b = b ? b + 1 : fr->obj;
    if (strcmp(b, "node") == 0 || lg_starts(b, "libnode.so"))
      return 1;
  }
  for (int i = 0; fr->fn && fns[i]; i++)
    if (lg_starts(fr->fn, fns[i]))
      return 1;
  return 0;
}

/* A leak whose allocation stack (the first) reaches our first frame only
 * through node: the frame of node our code called (the last one of node
 * before ours, preferring one with a name: napi_create_external), else
 * NULL. Frames that are neither node's nor ours (malloc, operator new,
 * libstdc++) are the allocator and do not decide. */
static const lg_frame_t *lg_node_allocated(const lg_finding_t *f) {
  if (f->nstacks == 0)
    return NULL;
  const lg_stack_t *s = &f->stacks[0];
  const lg_frame_t *node = NULL;
  for (size_t j = 0; j < s->nframes; j++) {
    const lg_frame_t *fr = &s->frames[j];
    if (fr->ours)
      return node;
    if (lg_frame_is_node(fr) && (!node || fr->fn || !node->fn))
      node = fr;
  }
  return NULL;
}

void lg_attribute(lg_finding_t *f, char *const *ours, size_t nours,
                  char *const *skip, size_t nskip) {
  f->ours = 0;
  free(f->first_our_frame);
  f->first_our_frame = NULL;
  const lg_frame_t *first = NULL, *first_unskipped = NULL;
  for (size_t i = 0; i < f->nstacks; i++) {
    for (size_t j = 0; j < f->stacks[i].nframes; j++) {
      lg_frame_t *fr = &f->stacks[i].frames[j];
      fr->ours =
          lg_matches(fr->obj, ours, nours) || lg_matches(fr->file, ours, nours);
      if (!fr->ours)
        continue;
      f->ours = 1;
      if (!first)
        first = fr;
      int skipped = 0;
      for (size_t k = 0; k < nskip && fr->fn; k++)
        skipped |= fnmatch(skip[k], fr->fn, 0) == 0;
      if (!skipped && !first_unskipped)
        first_unskipped = fr;
    }
  }
  if (first_unskipped)
    f->first_our_frame = lg_frame_label(first_unskipped);
  else if (first)
    f->first_our_frame = lg_frame_label(first);
  const lg_frame_t *node;
  if (f->ours && (f->cls == LG_F_LEAK || f->cls == LG_F_ONCE) &&
      (node = lg_node_allocated(f)) != NULL) {
    f->ours = 0;
    static const char note[] = " [allocated inside node by ";
    if (!f->message || !strstr(f->message, note)) {
      char *m = lg_fmt("%s%s%s for %s]", f->message ? f->message : "", note,
                       node->fn    ? node->fn
                       : node->obj ? node->obj
                                   : "?",
                       f->first_our_frame);
      free(f->message);
      f->message = m;
    }
  }
}
