/* A run's command line, environment and run directory, before it starts
 * (runner_int.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner_int.h"

void lg_strv_push(char ***v, size_t *n, char *s) {
  *v = lg_xrealloc(*v, (*n + 2) * sizeof **v);
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

void lg_env_set(char ***v, size_t *n, const char *key, const char *value) {
  size_t kl = strlen(key);
  for (size_t i = 0; i < *n; i++)
    if (strncmp((*v)[i], key, kl) == 0 && (*v)[i][kl] == '=') {
      free((*v)[i]);
      (*v)[i] = lg_fmt("%s=%s", key, value);
      return;
    }
  lg_strv_push(v, n, lg_fmt("%s=%s", key, value));
}

static void lg_shell_quote(lg_buf_t *b, const char *s) {
  if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-_./=:,+%@") == strlen(s)) {
    lg_buf_add(b, s);
    return;
  }
  lg_buf_addc(b, '\'');
  for (; *s; s++) {
    if (*s == '\'')
      lg_buf_add(b, "'\\''");
    else
      lg_buf_addc(b, *s);
  }
  lg_buf_addc(b, '\'');
}

void lg_infra(lg_run_t *run, char *msg) {
  run->detected = run->verdict = LG_V_INFRA;
  run->ok = 0;
  free(run->evidence);
  run->evidence = msg;
}

static int lg_add_env(char ***envp, size_t *envc, lg_buf_t *cmd,
                      const lg_kv_t *kv, size_t n, const lg_expand_t *x,
                      lg_run_t *run) {
  for (size_t i = 0; i < n; i++) {
    char *err = NULL;
    char *v = lg_expand(kv[i].value, x, &err);
    if (!v) {
      lg_infra(run, lg_fmt("variant '%s': env %s: %s", run->variant, kv[i].key,
                           err));
      free(err);
      return -1;
    }
    lg_env_set(envp, envc, kv[i].key, v);
    lg_shell_quote(cmd, kv[i].key);
    lg_buf_addc(cmd, '=');
    lg_shell_quote(cmd, v);
    lg_buf_addc(cmd, ' ');
    free(v);
  }
  return 0;
}

/* lg_expand, then a relative result resolved against the manifest's
 * directory (lg_manifest_path): a path in the manifest never depends on the
 * run directory the scenario starts in. */
static char *lg_rel_expand(const lg_manifest_t *m, const char *tmpl,
                           const lg_expand_t *x, char **err) {
  char *s = lg_expand(tmpl, x, err);
  if (!s)
    return NULL;
  char *abs = lg_manifest_path(m, s);
  free(s);
  return abs;
}

/* The variant's build directory, expanded and resolved ({build}); NULL with
 * the run INFRA when it is not a directory. */
static char *lg_prep_build(const lg_manifest_t *m, const lg_variant_t *va,
                           const lg_expand_t *x, lg_run_t *run) {
  char *err = NULL, *build = NULL;
  char *build_t = lg_rel_expand(m, va->build, x, &err);
  if (!build_t) {
    lg_infra(run, lg_fmt("variant '%s': build: %s", va->name, err));
    goto out;
  }
  build = lg_realpath(build_t);
  if (!build || !lg_is_dir(build)) {
    free(build);
    build = NULL;
    /* The cmake hint holds for leakgate's own manifest only: its variants
     * are its CMake presets. */
    lg_infra(run, m->own ? lg_fmt("variant '%s': build directory %s not found "
                                  "(build it first, e.g. cmake --preset %s && "
                                  "cmake --build --preset %s)",
                                  va->name, build_t, va->name, va->name)
                         : lg_fmt("variant '%s': build directory %s not found "
                                  "(the variant's \"build\" is \"%s\"; a "
                                  "relative path is taken from the manifest's "
                                  "directory %s)",
                                  va->name, build_t, va->build, m->dir));
  }
out:
  free(err);
  free(build_t);
  return build;
}

/* Pushes the variant's wrapper, expanded, onto js->argv; 0, or -1 with the
 * run INFRA. */
static int lg_prep_wrapper(const lg_variant_t *va, const lg_expand_t *x,
                           lg_jstate_t *js, lg_run_t *run) {
  for (size_t i = 0; i < va->nwrapper; i++) {
    char *err = NULL;
    char *a = lg_expand(va->wrapper[i], x, &err);
    if (!a) {
      lg_infra(run, lg_fmt("variant '%s': wrapper: %s", va->name, err));
      free(err);
      return -1;
    }
    lg_strv_push(&js->argv, &js->argc, a);
  }
  return 0;
}

/* Pushes `node --expose-gc probe.js` onto js->argv and returns the JS
 * scenarios' directory (caller frees); NULL with the run INFRA. */
static char *lg_prep_node(const lg_manifest_t *m, const lg_expand_t *x,
                          lg_jstate_t *js, lg_run_t *run) {
  char *err = NULL;
  /* node is looked up in PATH unless it names a path */
  char *node = strchr(m->node, '/') ? lg_rel_expand(m, m->node, x, &err)
                                    : lg_expand(m->node, x, &err);
  char *probe = node ? lg_rel_expand(m, m->probe_js, x, &err) : NULL;
  char *dir = probe ? lg_rel_expand(m, m->js_dir, x, &err) : NULL;
  if (!dir) {
    free(node);
    free(probe);
    lg_infra(run, lg_fmt("manifest template: %s", err));
    free(err);
    return NULL;
  }
  lg_strv_push(&js->argv, &js->argc, node);
  lg_strv_push(&js->argv, &js->argc, lg_xstrdup("--expose-gc"));
  lg_strv_push(&js->argv, &js->argc, probe);
  if (!lg_is_file(probe)) {
    lg_infra(run, lg_fmt("JS probe %s not found", probe));
    free(dir);
    return NULL;
  }
  return dir;
}

/* The environment leakgate inherited, minus its own protocol variables. */
static void lg_prep_inherit(lg_jstate_t *js) {
  for (char **e = environ; *e; e++)
    if (strncmp(*e, "LEAKGATE_", 9) != 0 && strncmp(*e, "EVS_FAULT=", 10) != 0)
      lg_strv_push(&js->envp, &js->envc, lg_xstrdup(*e));
}

/* What a run and a batch set up alike: the directory `rel` under --out
 * (emptied; only ever under --out, never through a link, whatever the names
 * say; `what` names it in errors), the probe stream `probe_file` and the
 * heap-sites file in it, the template context *x (with `scenario`), the
 * build directory and the variant's wrapper. Returns the build directory
 * (the caller frees it; x->build borrows it), or NULL with run's infra
 * error set. */
static char *lg_prep_process(const lg_manifest_t *m, const lg_variant_t *va,
                             const lg_run_opts_t *o, const char *rel,
                             const char *what, const char *probe_file,
                             const char *scenario, lg_jstate_t *js,
                             lg_run_t *run, lg_expand_t *x) {
  char *err = NULL, *build;
  js->run_dir = lg_confined_fresh_dir(o->out_dir, rel, &err);
  if (!js->run_dir) {
    lg_infra(run, lg_fmt("%s: %s", what, err));
    free(err);
    return NULL;
  }
  js->probe_path = lg_path_join(js->run_dir, probe_file);
  js->sites_path = lg_path_join(js->run_dir, "heap-sites");
  *x = (lg_expand_t){m->root,  "",       js->run_dir, o->out_dir,
                     scenario, va->name, m->dir};
  build = lg_prep_build(m, va, x, run);
  if (!build)
    return NULL;
  x->build = build;
  if (lg_prep_wrapper(va, x, js, run) != 0) {
    free(build);
    return NULL;
  }
  return build;
}

/* May this run stop early? Not with --no-early-stop or where the manifest
 * turns it off (defaults.early_stop, a scenario's early_stop); not a run
 * with a planted defect (self-test, run --fault) or one whose scenario
 * expects a failing verdict (the run exists to show a defect: only the full
 * window may judge it); not the heap attribution's re-run; not where the
 * variant judges no slopes (nothing is judged that could stop it). */
static int lg_early_allowed(const lg_job_t *job, const lg_jstate_t *js,
                            const lg_run_opts_t *o) {
  const lg_run_t *run = job->run;
  return !o->no_early_stop && job->sc->early_stop && !job->fault &&
         !js->subdir && run->expected && strcmp(run->expected, "pass") == 0 &&
         lg_variant_judges_slopes(job->va, run->lang) &&
         lg_window_samples(run->iterations, run->warmup, run->sample_every) >=
             LG_TREND_MIN_SAMPLES;
}

/* Builds argv/envp and the run directory; on failure the run is INFRA. */
int lg_prepare(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
               const lg_run_opts_t *o) {
  lg_run_t *run = job->run;
  const lg_scenario_t *sc = job->sc;
  const lg_variant_t *va = job->va;
  int rc = -1;
  char *err = NULL, *build = NULL, *dir = NULL, *prog = NULL, *heapsnap = NULL;
  lg_buf_t cmd = {0};

  run->scenario = lg_xstrdup(sc->name);
  run->variant = lg_xstrdup(va->name);
  run->lang = lg_xstrdup(sc->lang == LG_LANG_JS ? "js" : "c");
  run->fault = lg_xstrdup(job->fault);
  run->expected =
      lg_xstrdup(job->expected_override ? job->expected_override : sc->expect);
  run->iterations = lg_scenario_iterations(sc, va, o->iterations_scale);
  double scale = (double)run->iterations / (double)sc->iterations;
  run->warmup = (long long)llround((double)sc->warmup * scale);
  run->sample_every = (long long)llround((double)sc->sample_every * scale);
  if (run->sample_every < 1)
    run->sample_every = 1;
  if (!lg_variant_judges_slopes(va, run->lang) &&
      run->iterations / LG_UNJUDGED_SAMPLES > run->sample_every)
    run->sample_every = run->iterations / LG_UNJUDGED_SAMPLES;
  if (run->warmup >= run->iterations)
    run->warmup = 0;
  run->timeout_s = sc->timeout_s * va->timeout_multiplier;
  run->exit_status = -1;

  char *rel = lg_fmt("runs/%s/%s%s%s%s%s", va->name, sc->name,
                     job->fault ? "@" : "", job->fault ? job->fault : "",
                     js->subdir ? "/" : "", js->subdir ? js->subdir : "");
  run->run_dir = rel;
  lg_expand_t x;
  build = lg_prep_process(m, va, o, rel, "run directory", "probe.jsonl",
                          sc->name, js, run, &x);
  if (!build)
    goto out;
  if (sc->lang == LG_LANG_JS) {
    dir = lg_prep_node(m, &x, js, run);
    if (!dir)
      goto out;
    prog = lg_path_join(dir, sc->program);
    if (!lg_is_file(prog)) {
      lg_infra(run,
               lg_fmt("scenario '%s': program %s not found", sc->name, prog));
      goto out;
    }
  } else {
    dir = lg_rel_expand(m, m->c_dir, &x, &err);
    if (!dir) {
      lg_infra(run, lg_fmt("manifest c_dir: %s", err));
      goto out;
    }
    prog = lg_path_join(dir, sc->program);
    if (!lg_is_executable(prog)) {
      lg_infra(run, lg_fmt("scenario '%s': program %s not found or not "
                           "executable in variant '%s' (is the build "
                           "complete?)",
                           sc->name, prog, va->name));
      goto out;
    }
  }
  lg_strv_push(&js->argv, &js->argc, prog);
  prog = NULL;
  for (size_t i = 0; i < sc->nargs; i++) {
    char *a = lg_expand(sc->args[i], &x, &err);
    if (!a) {
      lg_infra(run, lg_fmt("scenario '%s': args: %s", sc->name, err));
      goto out;
    }
    lg_strv_push(&js->argv, &js->argc, a);
  }

  /* Environment: inherited minus our own protocol variables, then the
   * protocol, then the variant's (which may override anything). */
  lg_prep_inherit(js);
  /* The reproduce command sets everything the run got from us: the run
   * directory as working directory, the probe protocol, the fault, then the
   * variant's environment (expanded) and the command line. */
  /* The attribution's re-run (js->subdir) stops at its second snapshot,
   * takes both snapshots and samples no allocation sites: the run's own
   * were attributed already. */
  char num[3][32];
  snprintf(num[0], sizeof num[0], "%lld",
           js->subdir ? js->snap_b : run->iterations);
  snprintf(num[1], sizeof num[1], "%lld", run->sample_every);
  snprintf(num[2], sizeof num[2], "%lld", run->warmup);
  if (js->subdir)
    heapsnap = lg_fmt("%s,%lld,%lld", js->run_dir, js->snap_a, js->snap_b);
  const struct {
    const char *key, *value;
  } proto[] = {
      {"LEAKGATE_PROBE", js->probe_path},
      {"LEAKGATE_ITERATIONS", num[0]},
      {"LEAKGATE_SAMPLE_EVERY", num[1]},
      {"LEAKGATE_WARMUP", num[2]},
      {"LEAKGATE_HEAP_SITES", js->subdir ? NULL : js->sites_path},
      {"LEAKGATE_HEAPSNAP", heapsnap},
      {"LEAKGATE_SCENARIO", sc->name},
      {"LEAKGATE_VARIANT", va->name},
      {"LEAKGATE_ROOT", m->root},
      {"LEAKGATE_BUILD", build},
      {"EVS_FAULT", job->fault},
  };
  lg_buf_add(&cmd, "cd ");
  lg_shell_quote(&cmd, js->run_dir);
  lg_buf_add(&cmd, " && ");
  for (size_t i = 0; i < sizeof proto / sizeof proto[0]; i++) {
    if (!proto[i].value)
      continue;
    lg_env_set(&js->envp, &js->envc, proto[i].key, proto[i].value);
    lg_shell_quote(&cmd, proto[i].key);
    lg_buf_addc(&cmd, '=');
    lg_shell_quote(&cmd, proto[i].value);
    lg_buf_addc(&cmd, ' ');
  }
  /* Early stopping (harness/README.md, "Early stopping"): the probe ends
   * its iterate phase once this file exists. Not in the reproduce command,
   * which runs in full. */
  free(js->stop_path);
  js->stop_path = NULL;
  if (lg_early_allowed(job, js, o)) {
    js->stop_path = lg_path_join(js->run_dir, "stop");
    lg_env_set(&js->envp, &js->envc, "LEAKGATE_STOP", js->stop_path);
  }
  if (lg_add_env(&js->envp, &js->envc, &cmd, va->env, va->nenv, &x, run) ||
      lg_add_env(&js->envp, &js->envc, &cmd,
                 sc->lang == LG_LANG_JS ? va->env_js : va->env_c,
                 sc->lang == LG_LANG_JS ? va->nenv_js : va->nenv_c, &x, run))
    goto out;
  for (size_t i = 0; i < js->argc; i++) {
    if (i)
      lg_buf_addc(&cmd, ' ');
    lg_shell_quote(&cmd, js->argv[i]);
  }
  run->command = lg_buf_take(&cmd);
  rc = 0;
out:
  LG_FREE_ALL(err, build, dir, prog, heapsnap);
  lg_buf_free(&cmd);
  return rc;
}

int lg_prepare_batch(const lg_manifest_t *m, const lg_variant_t *va,
                     lg_jstate_t *js, lg_run_t *run, const lg_run_opts_t *o) {
  int rc = -1;
  char *err = NULL, *build = NULL, *dir = NULL;
  lg_buf_t cmd = {0};
  char *rel = lg_fmt("batches/%s/js", va->name);
  /* The batch is no scenario: {scenario} expands to "" in its wrapper and
   * environment, {run_dir} to the batch's directory. */
  lg_expand_t x;
  build = lg_prep_process(m, va, o, rel, "batch directory", "batch.jsonl", "",
                          js, run, &x);
  free(rel);
  if (!build)
    goto out;
  dir = lg_prep_node(m, &x, js, run);
  if (!dir)
    goto out;
  lg_strv_push(&js->argv, &js->argc, lg_xstrdup("--batch"));
  lg_strv_push(&js->argv, &js->argc, lg_path_join(js->run_dir, "batch.json"));
  lg_prep_inherit(js);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_PROBE", js->probe_path);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_VARIANT", va->name);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_ROOT", m->root);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_BUILD", build);
  if (lg_add_env(&js->envp, &js->envc, &cmd, va->env, va->nenv, &x, run) ||
      lg_add_env(&js->envp, &js->envc, &cmd, va->env_js, va->nenv_js, &x, run))
    goto out;
  rc = 0;
out:
  free(err);
  free(build);
  free(dir);
  lg_buf_free(&cmd);
  return rc;
}
