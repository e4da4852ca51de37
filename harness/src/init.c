/* leakgate init (see init.h). */
#include "init.h"

#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const char lg_control_js[] =
    "'use strict';\n"
    "// The control scenario (written by leakgate init): it loads the addon "
    "and does\n"
    "// nothing per iteration, so its noise is the floor the other scenarios "
    "are\n"
    "// judged against.\n"
    "require('./addon');\n"
    "\n"
    "module.exports = { name: 'control', iterate() {} };\n";

static const char lg_calls_js[] =
    "'use strict';\n"
    "// A scenario skeleton (written by leakgate init). Call the functions "
    "you want\n"
    "// proved leak-free in iterate(): whatever one iteration allocates must "
    "be\n"
    "// released by its end, or by garbage collection, which runs before "
    "every\n"
    "// sample. As written it only reads the addon's exports, so it passes on "
    "any\n"
    "// clean addon. Scenario API: leakgate's harness/README.md, \"Probe "
    "protocol\".\n"
    "const addon = require('./addon');\n"
    "\n"
    "module.exports = {\n"
    "  name: 'calls',\n"
    "  // prewarm(ctx) {}  // start what the addon starts once and keeps, "
    "before\n"
    "  //                   // the baseline sample (a pool, a cache)\n"
    "  // async setup(ctx) {},\n"
    "  iterate(ctx) {\n"
    "    // e.g. ctx.last = addon.someFunction('x'.repeat(64));\n"
    "    ctx.exports = Object.keys(addon).length;\n"
    "  },\n"
    "  // async teardown(ctx) {},\n"
    "};\n";

static json_t *lg_threshold(double slope, const char *measured) {
  return json_pack("{s:f,s:s}", "slope", slope, "measured", measured);
}

static json_t *lg_manifest_json(json_t *ours, json_t *frame_skip) {
  json_t *thr = json_object();
  json_object_set_new(
      thr, "mallocInUse",
      lg_threshold(256, "leakgate init's starting point, from leakgate's "
                        "textbuf example: live malloc bytes (the preload, "
                        "or the sanitizer's count) of a clean addon were "
                        "flat but for single ~216 KB steps of node's own, "
                        "which tilted a 1500-iteration window to ~+80 "
                        "B/it. Measure your control and tighten it"));
  json_object_set_new(
      thr, "heapUsed",
      lg_threshold(64, "leakgate init's starting point: the JS heap after "
                       "forced GC, flat after warm-up"));
  json_t *defaults =
      json_pack("{s:i,s:i,s:i,s:i,s:o,s:[s,s]}", "iterations", 3000, "warmup",
                1500, "sample_every", 50, "timeout_s", 300, "thresholds", thr,
                "exact", "threads", "fds");
  /* valgrind is there to be asked for (--variant valgrind): a smoke of
   * 1% of the iterations under memcheck, minutes for node to start. */
  json_t *variants =
      json_pack("[{s:s},{s:s},{s:s,s:b}]", "preset", "release", "preset",
                "asan", "preset", "valgrind", "default", 0);
  json_t *scenarios =
      json_pack("[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s}]", "name", "control",
                "lang", "js", "program", "control.js", "description",
                "loads the addon and does nothing: the noise floor", "name",
                "calls", "lang", "js", "program", "calls.js", "description",
                "the calls under test (a skeleton: fill in iterate)");
  return json_pack("{s:i,s:s,s:o,s:o,s:s,s:o,s:o,s:o}", "version", 1, "js_dir",
                   "{manifest_dir}", "ours", ours, "frame_skip", frame_skip,
                   "control", "control", "defaults", defaults, "variants",
                   variants, "scenarios", scenarios);
}

int lg_init(const char *addon, const char *dir, char **written, char **err) {
  *written = *err = NULL;
  char *abs = lg_realpath(addon);
  if (!abs) {
    *err = lg_fmt("init: %s: no such file or directory", addon);
    return -1;
  }
  char *copy = lg_xstrdup(abs);
  const char *base = basename(copy);
  json_t *ours = json_array();
  /* Allocator wrappers (tree-sitter's ts_realloc_default) are skipped when
   * a finding names its first frame of ours, which is then the caller. */
  json_t *skip = json_pack("[s,s,s,s]", "*_malloc_default", "*_realloc_default",
                           "*_calloc_default", "*_free_default");
  if (lg_is_dir(abs)) {
    char *pkg = lg_path_join(abs, "package.json");
    int ok = lg_is_file(pkg);
    free(pkg);
    if (!ok) {
      *err = lg_fmt("init: %s is a directory without package.json: give the "
                    "addon's .node file or its npm package directory",
                    abs);
      goto fail;
    }
    /* Anchored at node_modules when installed there: "/leveldown/" alone
     * would also match any directory of that name (leakgate's own report
     * directory next to it, a nested dependency). */
    char *parent = lg_xstrdup(abs);
    char *slash = strrchr(parent, '/');
    if (slash)
      *slash = '\0';
    const char *pslash = strrchr(parent, '/');
    int in_nm = pslash && strcmp(pslash + 1, "node_modules") == 0;
    char *frag =
        in_nm ? lg_fmt("/node_modules/%s/", base) : lg_fmt("/%s/", base);
    json_array_append_new(ours, json_string(frag));
    free(frag);
    free(parent);
  } else {
    size_t n = strlen(abs);
    if (!lg_is_file(abs) || n < 5 || strcmp(abs + n - 5, ".node") != 0) {
      *err = lg_fmt("init: %s is not a .node file: give the addon's .node "
                    "file or its npm package directory",
                    abs);
      goto fail;
    }
    json_array_append_new(ours, json_string(base));
  }
  static const char *const names[] = {"manifest.json", "addon.js", "control.js",
                                      "calls.js"};
  char *paths[4];
  for (size_t i = 0; i < 4; i++)
    paths[i] = lg_path_join(dir, names[i]);
  for (size_t i = 0; i < 4; i++)
    if (access(paths[i], F_OK) == 0) {
      *err = lg_fmt("init: %s exists; nothing was written (init never "
                    "overwrites: choose another --dir or move it away)",
                    paths[i]);
      for (size_t k = 0; k < 4; k++)
        free(paths[k]);
      goto fail;
    }
  if (lg_mkdirs(dir) != 0) {
    *err = lg_fmt("init: cannot create %s", dir);
    for (size_t k = 0; k < 4; k++)
      free(paths[k]);
    goto fail;
  }
  json_t *lit = json_string(abs);
  char *quoted = json_dumps(lit, JSON_ENCODE_ANY);
  json_decref(lit);
  char *addon_js = lg_fmt(
      "'use strict';\n"
      "// The addon under test (written by leakgate init). Every scenario "
      "loads it\n"
      "// from here: when it moves, change this one line.\n"
      "module.exports = require(%s);\n",
      quoted);
  free(quoted);
  json_t *m = lg_manifest_json(json_incref(ours), skip);
  skip = NULL;
  char *mtext = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(m);
  char *mfile = lg_fmt("%s\n", mtext);
  free(mtext);
  const char *texts[] = {mfile, addon_js, lg_control_js, lg_calls_js};
  size_t done = 0;
  for (; done < 4; done++)
    if (lg_write_file(paths[done], texts[done], strlen(texts[done])) != 0)
      break;
  if (done < 4) {
    *err = lg_fmt("init: cannot write %s", paths[done]);
    for (size_t k = 0; k < done; k++)
      unlink(paths[k]);
  } else {
    *written = lg_fmt("wrote %s, %s, %s and %s for %s", paths[0], paths[1],
                      paths[2], paths[3], abs);
  }
  free(mfile);
  free(addon_js);
  for (size_t k = 0; k < 4; k++)
    free(paths[k]);
  json_decref(ours);
  free(copy);
  free(abs);
  return *err ? -1 : 0;
fail:
  json_decref(skip);
  json_decref(ours);
  free(copy);
  free(abs);
  return -1;
}
