/* Process launching, timeouts, parallelism and progress (see runner.h). */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "detect.h"
#include "probe_read.h"
#include "util.h"

extern char **environ;

enum { LG_JOB_PENDING, LG_JOB_RUNNING, LG_JOB_DONE };

typedef struct lg_jstate_s {
  int state;
  pid_t pid;
  double start_ms, deadline_ms, kill_ms;
  int term_sent;
  int retried; /* re-run once after a detector crashed at exit */
  double end_seen_ms, next_end_check_ms; /* when the end record appeared */
  double grace_s; /* time allowed to exit after the end record */
  int hung;       /* killed for not exiting after its end record */
  char *run_dir, *probe_path;
  char **argv, **envp;
  size_t argc, envc;
} lg_jstate_t;

static volatile sig_atomic_t lg_interrupted;

static void lg_on_signal(int sig) {
  (void)sig;
  lg_interrupted = 1;
}

static void lg_strv_push(char ***v, size_t *n, char *s) {
  *v = lg_xrealloc(*v, (*n + 2) * sizeof **v);
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

static void lg_env_set(char ***v, size_t *n, const char *key,
                       const char *value) {
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

static void lg_infra(lg_run_t *run, char *msg) {
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

/* Builds argv/envp and the run directory; on failure the run is INFRA. */
static int lg_prepare(const lg_manifest_t *m, const lg_job_t *job,
                      lg_jstate_t *js, const lg_run_opts_t *o) {
  lg_run_t *run = job->run;
  const lg_scenario_t *sc = job->sc;
  const lg_variant_t *va = job->va;
  int rc = -1;
  char *err = NULL, *build = NULL, *build_t = NULL, *dir = NULL, *prog = NULL;
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
  if (run->warmup >= run->iterations)
    run->warmup = 0;
  run->timeout_s = sc->timeout_s * va->timeout_multiplier;
  run->exit_status = -1;

  char *rel = lg_fmt("runs/%s/%s%s%s", va->name, sc->name,
                     job->fault ? "@" : "", job->fault ? job->fault : "");
  run->run_dir = rel;
  js->run_dir = lg_path_join(o->out_dir, rel);
  js->probe_path = lg_path_join(js->run_dir, "probe.jsonl");
  if (lg_rmtree(js->run_dir) != 0 || lg_mkdirs(js->run_dir) != 0) {
    lg_infra(run, lg_fmt("cannot create run directory %s: %s", js->run_dir,
                         strerror(errno)));
    goto out;
  }

  lg_expand_t x = {m->root, "", js->run_dir, o->out_dir, sc->name, va->name};
  build_t = lg_expand(va->build, &x, &err);
  if (!build_t) {
    lg_infra(run, lg_fmt("variant '%s': build: %s", va->name, err));
    goto out;
  }
  build = lg_realpath(build_t);
  if (!build || !lg_is_dir(build)) {
    lg_infra(run, lg_fmt("variant '%s': build directory %s not found (build "
                         "it first, e.g. cmake --preset %s && cmake --build "
                         "--preset %s)",
                         va->name, build_t, va->name, va->name));
    goto out;
  }
  x.build = build;

  for (size_t i = 0; i < va->nwrapper; i++) {
    char *a = lg_expand(va->wrapper[i], &x, &err);
    if (!a) {
      lg_infra(run, lg_fmt("variant '%s': wrapper: %s", va->name, err));
      goto out;
    }
    lg_strv_push(&js->argv, &js->argc, a);
  }
  if (sc->lang == LG_LANG_JS) {
    char *node = lg_expand(m->node, &x, &err);
    char *probe = node ? lg_expand(m->probe_js, &x, &err) : NULL;
    dir = probe ? lg_expand(m->js_dir, &x, &err) : NULL;
    if (!dir) {
      free(node);
      free(probe);
      lg_infra(run, lg_fmt("manifest template: %s", err));
      goto out;
    }
    prog = lg_path_join(dir, sc->program);
    lg_strv_push(&js->argv, &js->argc, node);
    lg_strv_push(&js->argv, &js->argc, lg_xstrdup("--expose-gc"));
    lg_strv_push(&js->argv, &js->argc, probe);
    if (!lg_is_file(probe)) {
      lg_infra(run, lg_fmt("JS probe %s not found", probe));
      goto out;
    }
    if (!lg_is_file(prog)) {
      lg_infra(run,
               lg_fmt("scenario '%s': program %s not found", sc->name, prog));
      goto out;
    }
  } else {
    dir = lg_expand(m->c_dir, &x, &err);
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
  for (char **e = environ; *e; e++)
    if (strncmp(*e, "LEAKGATE_", 9) != 0 && strncmp(*e, "EVS_FAULT=", 10) != 0)
      lg_strv_push(&js->envp, &js->envc, lg_xstrdup(*e));
  char num[32];
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_PROBE", js->probe_path);
  snprintf(num, sizeof num, "%lld", run->iterations);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_ITERATIONS", num);
  snprintf(num, sizeof num, "%lld", run->sample_every);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_SAMPLE_EVERY", num);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_SCENARIO", sc->name);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_VARIANT", va->name);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_ROOT", m->root);
  lg_env_set(&js->envp, &js->envc, "LEAKGATE_BUILD", build);
  if (job->fault) {
    lg_env_set(&js->envp, &js->envc, "EVS_FAULT", job->fault);
    lg_buf_addf(&cmd, "EVS_FAULT=%s ", job->fault);
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
  free(err);
  free(build);
  free(build_t);
  free(dir);
  free(prog);
  lg_buf_free(&cmd);
  return rc;
}

static int lg_spawn(lg_jstate_t *js, lg_run_t *run) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) {
    lg_infra(run, lg_fmt("pipe: %s", strerror(errno)));
    return -1;
  }
  char *out = lg_path_join(js->run_dir, "stdout.log");
  char *errp = lg_path_join(js->run_dir, "stderr.log");
  pid_t pid = fork();
  if (pid < 0) {
    lg_infra(run, lg_fmt("fork: %s", strerror(errno)));
    close(pfd[0]);
    close(pfd[1]);
    free(out);
    free(errp);
    return -1;
  }
  if (pid == 0) {
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    /* Only 0-2 and the exec-error pipe survive into the scenario: inherited
     * descriptors would distort its fd counts. */
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    int in = open("/dev/null", O_RDONLY);
    int o1 = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int o2 = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = 0;
    if (in < 0 || o1 < 0 || o2 < 0 || dup2(in, 0) < 0 || dup2(o1, 1) < 0 ||
        dup2(o2, 2) < 0 || chdir(js->run_dir) != 0)
      e = errno;
    if (in > 2)
      close(in);
    if (o1 > 2)
      close(o1);
    if (o2 > 2)
      close(o2);
    if (!e) {
      execvpe(js->argv[0], js->argv, js->envp);
      e = errno;
    }
    if (write(pfd[1], &e, sizeof e) < 0)
      _exit(126);
    _exit(127);
  }
  setpgid(pid, pid); /* also in the parent: no race with killpg */
  close(pfd[1]);
  free(out);
  free(errp);
  int e = 0;
  ssize_t got;
  do
    got = read(pfd[0], &e, sizeof e);
  while (got < 0 && errno == EINTR);
  close(pfd[0]);
  if (got == (ssize_t)sizeof e) {
    int st;
    waitpid(pid, &st, 0);
    lg_infra(run, lg_fmt("cannot start %s: %s", js->argv[0], strerror(e)));
    return -1;
  }
  js->pid = pid;
  return 0;
}

/* Parses the variant's detector outputs into run->findings. A valgrind
 * detector's output that is missing, empty or unparsable goes to `problems`
 * (the analysis makes it INFRA: memcheck's verdict is unknown); sanitizer
 * logs only exist when they report, so their absence says nothing. */
static void lg_collect_detectors(const lg_manifest_t *m, const lg_variant_t *va,
                                 lg_jstate_t *js, lg_run_t *run,
                                 lg_buf_t *notes, lg_buf_t *problems) {
  lg_findings_t fs = {0};
  for (size_t d = 0; d < va->ndetectors; d++) {
    const lg_detector_t *det = &va->detectors[d];
    int vg = strcmp(det->parser, "valgrind") == 0;
    size_t found = 0;
    for (size_t p = 0; p < det->nfiles; p++) {
      char **names;
      size_t n = lg_list_dir(js->run_dir, det->files[p], &names);
      found += n;
      for (size_t i = 0; i < n; i++) {
        char *path = lg_path_join(js->run_dir, names[i]);
        size_t len = 0;
        char *data = lg_read_file(path, &len);
        lg_buf_t *to = vg ? problems : notes;
        if (!data) {
          lg_buf_addf(to, "%scannot read %s", to->len ? "; " : "", names[i]);
        } else if (vg && len == 0) {
          lg_buf_addf(to, "%s%s is empty", to->len ? "; " : "", names[i]);
        } else if (vg) {
          char *e = lg_parse_valgrind_xml(data, len, names[i], &fs);
          if (e) {
            lg_buf_addf(to, "%s%s: %s", to->len ? "; " : "", names[i], e);
            free(e);
          }
        } else {
          lg_parse_sanitizer(data, names[i], &fs);
        }
        free(data);
        free(path);
      }
      lg_strv_free(names, n);
    }
    if (vg && found == 0)
      lg_buf_addf(problems, "%sno valgrind output (no file matches %s)",
                  problems->len ? "; " : "",
                  det->nfiles ? det->files[0] : "the detector's patterns");
  }
  for (size_t i = 0; i < fs.n; i++)
    lg_attribute(&fs.v[i], m->ours, m->nours, m->frame_skip, m->nframe_skip);
  run->findings = fs.v;
  run->nfindings = fs.n;
  run->supp_used = fs.supp_used;
  run->nsupp_used = fs.nsupp_used;
}

/* LeakSanitizer's stop-the-world tracer sometimes crashes at exit on its own
 * ("Tracer caught signal 11 ... LeakSanitizer has encountered a fatal
 * error", google/sanitizers#1353): the detector failed, not the code under
 * test. True when a sanitizer log or stderr of the run shows that. */
static int lg_detector_crashed(const char *run_dir) {
  static const char *const patterns[] = {"asan.*", "stderr.log"};
  int crashed = 0;
  for (size_t p = 0; p < 2 && !crashed; p++) {
    char **names;
    size_t n = lg_list_dir(run_dir, patterns[p], &names);
    for (size_t i = 0; i < n && !crashed; i++) {
      char *path = lg_path_join(run_dir, names[i]);
      char *data = lg_read_file(path, NULL);
      crashed = data && strstr(data, "LeakSanitizer has encountered a fatal "
                                     "error") != NULL;
      free(data);
      free(path);
    }
    lg_strv_free(names, n);
  }
  return crashed;
}

/* Seconds a scenario may take to exit after writing its end record, before
 * whatever keeps it alive counts as a leaked resource (scaled like the
 * timeout: valgrind's leak check at exit is slow). */
#define LG_EXIT_GRACE_S 10.0

/* True when the probe stream ends with an end record (only its tail is
 * read: this is polled while the scenario runs). */
static int lg_probe_ended(const char *probe_path) {
  FILE *f = fopen(probe_path, "r");
  if (!f)
    return 0;
  char tail[512];
  size_t n = 0;
  if (fseek(f, -(long)(sizeof tail - 1), SEEK_END) != 0)
    rewind(f);
  n = fread(tail, 1, sizeof tail - 1, f);
  fclose(f);
  tail[n] = '\0';
  return strstr(tail, "\"type\":\"end\"") != NULL;
}

/* Removes what a run wrote, so a re-run starts from an empty directory. */
static void lg_clear_run_dir(const char *run_dir) {
  char **names;
  size_t n = lg_list_dir(run_dir, "*", &names);
  for (size_t i = 0; i < n; i++) {
    char *path = lg_path_join(run_dir, names[i]);
    unlink(path);
    free(path);
  }
  lg_strv_free(names, n);
}

static void lg_finish(const lg_manifest_t *m, const lg_job_t *job,
                      lg_jstate_t *js, int status) {
  lg_run_t *run = job->run;
  run->wall_s = (lg_now_ms() - js->start_ms) / 1000.0;
  if (WIFSIGNALED(status)) {
    run->term_signal = WTERMSIG(status);
    run->exit_status = -1;
  } else {
    run->exit_status = WEXITSTATUS(status);
  }
  if (js->hung) {
    run->hung_after_end_s = js->grace_s;
    run->term_signal = 0;
    run->exit_status = 0;
  } else if (js->term_sent) {
    run->timed_out = 1;
    run->term_signal = 0;
  }
  /* Stray members of the group (children of the scenario) go too. */
  killpg(js->pid, SIGKILL);
  lg_probe_info_t pi;
  memset(&pi, 0, sizeof pi);
  lg_probe_read(js->probe_path, run, &pi);
  lg_buf_t notes = {0}, problems = {0};
  lg_collect_detectors(m, job->va, js, run, &notes, &problems);
  lg_analyze_run(m, job->sc, job->va, &pi, notes.s, problems.s, run);
  if (lg_detector_crashed(js->run_dir)) {
    lg_infra(run, lg_fmt("LeakSanitizer itself crashed at exit on %s (its "
                         "tracer; a known intermittent sanitizer fault, "
                         "google/sanitizers#1353): no verdict possible; "
                         "see %s",
                         js->retried ? "both attempts" : "the only attempt",
                         js->run_dir));
  } else if (js->retried) {
    char *ev = lg_fmt("%s (re-run once: LeakSanitizer's tracer crashed at "
                      "exit on the first attempt)",
                      run->evidence ? run->evidence : "");
    free(run->evidence);
    run->evidence = ev;
  }
  lg_buf_free(&notes);
  lg_buf_free(&problems);
  lg_probe_info_free(&pi);
  js->state = LG_JOB_DONE;
}

static void lg_jstate_free(lg_jstate_t *js) {
  free(js->run_dir);
  free(js->probe_path);
  lg_strv_free(js->argv, js->argc);
  lg_strv_free(js->envp, js->envc);
}

/* One finished-run line: "[ 3/12] PASS  release  control-noop  1.2s  ...". */
static void lg_print_done(const lg_job_t *job, size_t idx, size_t n) {
  lg_run_t *run = job->run;
  lg_metric_t *pm = run->primary ? lg_run_metric(run, run->primary) : NULL;
  char extra[160] = "", name[160];
  if (pm && pm->fitted)
    snprintf(extra, sizeof extra, "  %s %+.3g %s/it", pm->name, pm->trend.slope,
             *lg_metric_unit(pm->name) ? "B" : "units");
  snprintf(name, sizeof name, "%s%s%s", run->scenario, run->fault ? "@" : "",
           run->fault ? run->fault : "");
  const char *ev = run->ok ? "" : run->evidence ? run->evidence : "";
  printf("[%*zu/%zu] %-20s %-9s %-28s %6.1fs%s%s%.200s%s\n", n >= 100 ? 3 : 2,
         idx, n,
         run->ok ? (run->verdict == LG_V_PASS && run->detected != LG_V_PASS
                        ? "PASS(expected)"
                        : "PASS")
                 : lg_verdict_name(run->verdict),
         run->variant, name, run->wall_s, extra, *ev ? "  - " : "", ev,
         strlen(ev) > 200 ? "..." : "");
  fflush(stdout);
}

/* Live line of a running job: iteration, elapsed time, current slope. */
static void lg_live_line(const lg_manifest_t *m, const lg_job_t *job,
                         const lg_jstate_t *js, char *line, size_t cap) {
  lg_run_t tmp;
  memset(&tmp, 0, sizeof tmp);
  lg_probe_info_t pi;
  memset(&pi, 0, sizeof pi);
  lg_probe_read(js->probe_path, &tmp, &pi);
  const char *pname = job->sc->primary;
  if (!pname && job->sc->nthresholds)
    pname = job->sc->thresholds[0].metric;
  for (size_t i = 0; !pname && i < m->nthresholds; i++)
    if (lg_run_metric(&tmp, m->thresholds[i].metric))
      pname = m->thresholds[i].metric;
  lg_metric_t *pm = pname ? lg_run_metric(&tmp, pname) : NULL;
  char slope[96] = "";
  if (pm) {
    double *x = lg_xmalloc((tmp.nsamples + 1) * sizeof *x);
    size_t k = 0;
    double *y = lg_xmalloc((tmp.nsamples + 1) * sizeof *y);
    for (size_t i = 0; i < tmp.nsamples; i++)
      if (strcmp(tmp.sphase[i], "iterate") == 0 &&
          tmp.si[i] >= job->run->warmup) {
        x[k] = (double)tmp.si[i];
        y[k++] = pm->v[i];
      }
    lg_trend_t t;
    if (lg_trend_fit(x, y, k, &t) == 0)
      snprintf(slope, sizeof slope, "  %s %+.3g/it", pname, t.slope);
    free(x);
    free(y);
  }
  snprintf(line, cap, "  ... %-9s %-28s %-9s i=%lld/%lld  %5.1fs%s",
           job->va->name, job->sc->name,
           pi.last_phase ? pi.last_phase : "start", pi.last_i,
           job->run->iterations, (lg_now_ms() - js->start_ms) / 1e3, slope);
  lg_probe_info_free(&pi);
  lg_run_free(&tmp);
}

int lg_runner_run(const lg_manifest_t *m, lg_job_t *jobs, size_t n,
                  const lg_run_opts_t *o) {
  lg_jstate_t *st = lg_xcalloc(n, sizeof *st);
  size_t next = 0, running = 0, done = 0, live_lines = 0;
  int jobs_max = o->jobs > 0 ? o->jobs : 1;
  double last_draw = 0;
  struct sigaction sa, old_int, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = lg_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  lg_interrupted = 0;

  while (done < n) {
    while (!lg_interrupted && running < (size_t)jobs_max && next < n) {
      size_t j = next++;
      lg_jstate_t *js = &st[j];
      if (lg_prepare(m, &jobs[j], js, o) != 0 ||
          lg_spawn(js, jobs[j].run) != 0) {
        js->state = LG_JOB_DONE;
        done++;
        if (!o->quiet) {
          if (o->tty && live_lines)
            printf("\033[%zuA\033[J", live_lines), live_lines = 0;
          lg_print_done(&jobs[j], done, n);
        }
        continue;
      }
      js->state = LG_JOB_RUNNING;
      js->start_ms = lg_now_ms();
      js->deadline_ms = js->start_ms + jobs[j].run->timeout_s * 1000.0;
      running++;
    }
    if (lg_interrupted) {
      for (size_t j = 0; j < n; j++) {
        if (st[j].state == LG_JOB_RUNNING) {
          killpg(st[j].pid, SIGKILL);
          int status;
          waitpid(st[j].pid, &status, 0);
          lg_infra(jobs[j].run, lg_xstrdup("interrupted (SIGINT/SIGTERM)"));
          st[j].state = LG_JOB_DONE;
          done++;
        } else if (st[j].state == LG_JOB_PENDING) {
          jobs[j].run->scenario = lg_xstrdup(jobs[j].sc->name);
          jobs[j].run->variant = lg_xstrdup(jobs[j].va->name);
          jobs[j].run->lang =
              lg_xstrdup(jobs[j].sc->lang == LG_LANG_JS ? "js" : "c");
          jobs[j].run->fault = lg_xstrdup(jobs[j].fault);
          jobs[j].run->expected = lg_xstrdup(jobs[j].sc->expect);
          lg_infra(jobs[j].run, lg_xstrdup("not run: interrupted"));
          st[j].state = LG_JOB_DONE;
          done++;
        }
      }
      break;
    }
    double now = lg_now_ms();
    for (size_t j = 0; j < n; j++) {
      lg_jstate_t *js = &st[j];
      if (js->state != LG_JOB_RUNNING)
        continue;
      int status;
      pid_t r = waitpid(js->pid, &status, WNOHANG);
      if (r == js->pid && !js->retried && !js->term_sent &&
          lg_detector_crashed(js->run_dir)) {
        js->retried = 1;
        js->end_seen_ms = 0;
        lg_clear_run_dir(js->run_dir);
        double budget = js->deadline_ms - js->start_ms;
        if (lg_spawn(js, jobs[j].run) == 0) {
          js->start_ms = lg_now_ms();
          js->deadline_ms = js->start_ms + budget;
          continue;
        }
      }
      if (r == js->pid) {
        lg_finish(m, &jobs[j], js, status);
        running--;
        done++;
        if (!o->quiet) {
          if (o->tty && live_lines)
            printf("\033[%zuA\033[J", live_lines), live_lines = 0;
          lg_print_done(&jobs[j], done, n);
        }
        continue;
      }
      if (!js->hung && !js->term_sent && now >= js->next_end_check_ms) {
        js->next_end_check_ms = now + 250;
        if (js->end_seen_ms == 0 && lg_probe_ended(js->probe_path))
          js->end_seen_ms = now;
        js->grace_s = LG_EXIT_GRACE_S * jobs[j].va->timeout_multiplier;
        if (js->end_seen_ms > 0 && now > js->end_seen_ms + js->grace_s * 1000) {
          killpg(js->pid, SIGKILL);
          js->hung = 1;
          continue;
        }
      }
      if (!js->term_sent && now > js->deadline_ms) {
        killpg(js->pid, SIGTERM);
        js->term_sent = 1;
        js->kill_ms = now + 2000;
      } else if (js->term_sent && now > js->kill_ms) {
        killpg(js->pid, SIGKILL);
        js->kill_ms = now + 1e9;
      }
    }
    if (o->tty && !o->quiet && running && now - last_draw > 250) {
      last_draw = now;
      if (live_lines)
        printf("\033[%zuA\033[J", live_lines);
      live_lines = 0;
      for (size_t j = 0; j < n; j++) {
        if (st[j].state != LG_JOB_RUNNING)
          continue;
        char line[256];
        lg_live_line(m, &jobs[j], &st[j], line, sizeof line);
        printf("%s\n", line);
        live_lines++;
      }
      fflush(stdout);
    }
    if (done < n) {
      struct timespec ts = {0, 20 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  if (o->tty && !o->quiet && live_lines)
    printf("\033[%zuA\033[J", live_lines);
  fflush(stdout);
  for (size_t j = 0; j < n; j++)
    lg_jstate_free(&st[j]);
  free(st);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  return lg_interrupted ? -1 : 0;
}
