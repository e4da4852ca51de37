/* Process launching, timeouts, parallelism and progress (see runner.h). */
#include "runner.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/close_range.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "detect.h"
#include "heapsnap.h"
#include "probe_read.h"
#include "sites.h"
#include "text.h"
#include "util.h"

extern char **environ;

/* Largest valgrind XML file parsed (it cannot be cut like a text log). */
#define LG_XML_MAX ((size_t)64 << 20)

enum { LG_JOB_PENDING, LG_JOB_RUNNING, LG_JOB_DONE };

typedef struct lg_jstate_s {
  int state;
  pid_t pid;
  double start_ms, deadline_ms, kill_ms;
  int term_sent;
  int retried;        /* re-run once after a detector crashed at exit */
  lg_run_t *pristine; /* the prepared run, before any attempt (only in
                         variants whose detector can crash: lg_lsan_capable) */
  lg_run_t *first;    /* first attempt's result, when it found something */
  double end_seen_ms, next_end_check_ms; /* when the end record appeared */
  double grace_s; /* time allowed to exit after the end record */
  int hung;       /* killed for not exiting after its end record */
  char *run_dir, *probe_path;
  char *sites_path; /* liblgheap.so's site table (LEAKGATE_HEAP_SITES) */
  char **argv, **envp;
  size_t argc, envc;
  /* Live progress, read incrementally from the probe stream: at most
   * LG_LIVE_CHUNK new bytes per tick, however fast the scenario writes. */
  unsigned long long live_off, live_size;
  lg_buf_t live_part;      /* an incomplete last line */
  int live_skip;           /* discarding an over-long line up to its newline */
  const char *live_metric; /* primary metric (borrowed from the manifest) */
  long long live_i;
  char live_phase[16];
  double live_n, live_sx, live_sy, live_sxx, live_sxy; /* least squares */
  /* JS heap attribution (heapsnap.h), after the run got its verdict: which
   * process runs (LG_SNAP_*), the attribution being made (moved to the run
   * when done), the snapshot iterations, and what heapdiff.js needs. */
  int snap;
  lg_heapattr_t *snap_h;
  long long snap_a, snap_b;
  double snap_start_ms;
  char *snap_node, *snap_tool;
  const char *subdir; /* lg_prepare: run in this directory inside the run
                         directory (the attribution's re-run), or NULL */
} lg_jstate_t;

enum { LG_SNAP_NONE, LG_SNAP_RERUN, LG_SNAP_DIFF };

/* Bytes of the probe stream the live line reads per tick, and the longest
 * line it keeps: the display may lag behind a flood, the loop never does. */
#define LG_LIVE_CHUNK ((size_t)1 << 20)

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
  /* The run directory is emptied recursively: only ever under --out, never
   * through a link, whatever the names (also checked at load) say. */
  js->run_dir = lg_confined_fresh_dir(o->out_dir, rel, &err);
  if (!js->run_dir) {
    lg_infra(run, lg_fmt("run directory: %s", err));
    goto out;
  }
  js->probe_path = lg_path_join(js->run_dir, "probe.jsonl");
  js->sites_path = lg_path_join(js->run_dir, "heap-sites");

  lg_expand_t x = {m->root,  "",       js->run_dir, o->out_dir,
                   sc->name, va->name, m->dir};
  build_t = lg_rel_expand(m, va->build, &x, &err);
  if (!build_t) {
    lg_infra(run, lg_fmt("variant '%s': build: %s", va->name, err));
    goto out;
  }
  build = lg_realpath(build_t);
  if (!build || !lg_is_dir(build)) {
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
    /* node is looked up in PATH unless it names a path */
    char *node = strchr(m->node, '/') ? lg_rel_expand(m, m->node, &x, &err)
                                      : lg_expand(m->node, &x, &err);
    char *probe = node ? lg_rel_expand(m, m->probe_js, &x, &err) : NULL;
    dir = probe ? lg_rel_expand(m, m->js_dir, &x, &err) : NULL;
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
  for (char **e = environ; *e; e++)
    if (strncmp(*e, "LEAKGATE_", 9) != 0 && strncmp(*e, "EVS_FAULT=", 10) != 0)
      lg_strv_push(&js->envp, &js->envc, lg_xstrdup(*e));
  /* The reproduce command sets everything the run got from us: the run
   * directory as working directory, the probe protocol, the fault, then the
   * variant's environment (expanded) and the command line. */
  char num[3][32];
  snprintf(num[0], sizeof num[0], "%lld", run->iterations);
  snprintf(num[1], sizeof num[1], "%lld", run->sample_every);
  snprintf(num[2], sizeof num[2], "%lld", run->warmup);
  const struct {
    const char *key, *value;
  } proto[] = {
      {"LEAKGATE_PROBE", js->probe_path},
      {"LEAKGATE_ITERATIONS", num[0]},
      {"LEAKGATE_SAMPLE_EVERY", num[1]},
      {"LEAKGATE_WARMUP", num[2]},
      {"LEAKGATE_HEAP_SITES", js->sites_path},
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
  /* A table left by an earlier attempt would make this one not sample
   * (liblgheap.so creates the file exclusively). */
  lg_sites_remove(js->sites_path);
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) {
    lg_infra(run, lg_fmt("pipe: %s", strerror(errno)));
    return -1;
  }
  int diff = js->snap == LG_SNAP_DIFF; /* heapdiff.js: its own files */
  char *out = lg_path_join(js->run_dir, diff ? "heapdiff.json" : "stdout.log");
  char *errp = lg_path_join(js->run_dir, diff ? "heapdiff.log" : "stderr.log");
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
    /* Never through a link, never blocking on a FIFO: heapdiff's files are
     * in a directory the re-run's scenario had (it is gone by now: its
     * leftovers were killed), so they are removed and made anew. */
    int excl = 0;
    if (diff) {
      unlink(out);
      unlink(errp);
      excl = O_EXCL;
    }
    int oflags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | excl;
    int o1 = open(out, oflags, 0644);
    int o2 = open(errp, oflags, 0644);
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
        unsigned long long size = 0;
        lg_buf_t *to = vg ? problems : notes;
        /* Logs are read capped (head and tail: sanitizer reports come at
         * the end), so that memory stays bounded whatever a scenario
         * writes. An XML document cannot be cut: over the cap it is not
         * parsed at all, and said so (a detector problem: the run cannot
         * pass on output nobody read). */
        struct stat fst;
        char *data = NULL;
        int over = 0;
        if (vg && stat(path, &fst) == 0 && (size_t)fst.st_size > LG_XML_MAX) {
          char *sz = lg_fmt_size((unsigned long long)fst.st_size);
          lg_buf_addf(to, "%s%s %s: over %zu MiB, not parsed",
                      to->len ? "; " : "", names[i], sz, LG_XML_MAX >> 20);
          free(sz);
          over = 1;
        } else {
          data = lg_read_capped(path, vg ? LG_XML_MAX : LG_LOG_HEAD,
                                vg ? 0 : LG_LOG_TAIL, &len, &size);
        }
        if (data && !vg && size > LG_LOG_HEAD + LG_LOG_TAIL) {
          char *sz = lg_fmt_size(size);
          char *mid = lg_fmt_size(size - LG_LOG_HEAD - LG_LOG_TAIL);
          lg_buf_addf(notes, "%s%s %s, middle %s not read",
                      notes->len ? "; " : "", names[i], sz, mid);
          free(sz);
          free(mid);
        }
        if (over) {
          /* noted above */
        } else if (!data) {
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
      size_t len = 0;
      char *data = lg_read_capped(path, LG_LOG_HEAD, LG_LOG_TAIL, &len, NULL);
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

/* True when the last complete line of the probe stream is an end record:
 * a JSON object whose top-level "type" is "end" (a nested {"type":"end"}
 * inside another record is not). Only the last 4 KiB are read: this is
 * polled while the scenario runs, however large its stream. */
static int lg_probe_ended(const char *probe_path) {
  /* Non-blocking: the scenario may have put a FIFO there. */
  int fd = open(probe_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char tail[4096];
  struct stat st;
  ssize_t n = -1;
  if (fstat(fd, &st) == 0) {
    off_t off =
        st.st_size > (off_t)sizeof tail ? st.st_size - (off_t)sizeof tail : 0;
    n = pread(fd, tail, sizeof tail, off);
  }
  close(fd);
  if (n <= 0)
    return 0;
  /* The last complete line: up to the last newline, from the one before. */
  size_t end = (size_t)n;
  while (end > 0 && tail[end - 1] != '\n')
    end--; /* a partial last line is still being written */
  if (end == 0)
    return 0;
  size_t start = end - 1;
  while (start > 0 && tail[start - 1] != '\n')
    start--;
  json_error_t je;
  json_t *o = json_loadb(tail + start, end - start, 0, &je);
  json_t *type = json_object_get(o, "type");
  int ended =
      json_is_string(type) && strcmp(json_string_value(type), "end") == 0;
  json_decref(o);
  return ended;
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

/* One /proc/<pid>/stat line: what the leftover scan needs. */
typedef struct lg_proc_s {
  pid_t pid, ppid, pgrp;
  char state;
  char comm[64];
} lg_proc_t;

static int lg_proc_stat(pid_t pid, lg_proc_t *p) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* "pid (comm) S ppid pgrp ...": comm may hold spaces and parentheses,
   * so it ends at the last ')'. */
  char *open_p = strchr(buf, '('), *close_p = strrchr(buf, ')');
  if (!open_p || !close_p || close_p < open_p)
    return -1;
  size_t cl = (size_t)(close_p - open_p - 1);
  if (cl >= sizeof p->comm)
    cl = sizeof p->comm - 1;
  memcpy(p->comm, open_p + 1, cl);
  p->comm[cl] = '\0';
  int ppid, pgrp;
  char state;
  if (sscanf(close_p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
    return -1;
  p->pid = pid;
  p->state = state;
  p->ppid = ppid;
  p->pgrp = pgrp;
  return 0;
}

/* Which run a process belongs to, by the LEAKGATE_PROBE its environment
 * inherited (unique per run directory): 1 this run's, 0 another value,
 * -1 none or unreadable. Reads at most 256 KiB of the environment. */
static int lg_proc_marker(pid_t pid, const char *probe_path) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t cap = 256 * 1024, len = 0;
  char *env = lg_xmalloc(cap + 1);
  ssize_t n;
  while (len < cap && (n = read(fd, env + len, cap - len)) > 0)
    len += (size_t)n;
  close(fd);
  env[len] = '\0';
  int found = -1;
  for (size_t i = 0; i < len; i += strlen(env + i) + 1) {
    if (strncmp(env + i, "LEAKGATE_PROBE=", 15) == 0) {
      found = strcmp(env + i + 15, probe_path) == 0;
      break;
    }
  }
  free(env);
  return found;
}

/* True when `self` is an ancestor of pid (walking /proc ppid links): a
 * stale process of an earlier leakgate with the same run directory is not
 * this run's leftover, whatever its environment says. */
static int lg_proc_descends(pid_t pid, pid_t self) {
  lg_proc_t p;
  for (int depth = 0; depth < 256 && pid > 1; depth++) {
    if (lg_proc_stat(pid, &p) != 0)
      return 0;
    if (p.ppid == self)
      return 1;
    pid = p.ppid;
  }
  return 0;
}

/* After a run's main process has been reaped: finds every process it left
 * behind, kills (SIGKILL) and reaps them, and describes them in *ev ("1234
 * sleep, 1240 node"). A process is the run's when it is in the run's
 * process group, or descends from leakgate and carries the run's
 * LEAKGATE_PROBE in its environment (how a grandchild that called setsid()
 * is recognised: leakgate is its subreaper), or - only when runs do not
 * overlap (`sole`: --jobs 1) - has been re-parented to leakgate without
 * any marker. With js NULL (the final sweep, no run left) every live
 * descendant of leakgate is a leftover. Members of the group are not
 * counted when `group_killed` (leakgate killed the group itself: timeout,
 * hang) but are killed all the same. Zombies re-parented to leakgate are
 * reaped, never counted; live run leaders are never touched. Returns the
 * count. */
static size_t lg_leftovers(const lg_jstate_t *all, size_t n,
                           const lg_jstate_t *js, int group_killed, int sole,
                           lg_buf_t *ev) {
  pid_t self = getpid();
  size_t count = 0, nkill = 0, capk = 0;
  pid_t *kill_v = NULL;
  DIR *d = opendir("/proc");
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0]))
      continue;
    pid_t pid = (pid_t)atoi(e->d_name);
    lg_proc_t p;
    int leader = 0;
    for (size_t k = 0; k < n && !leader; k++)
      leader = all[k].state == LG_JOB_RUNNING && all[k].pid == pid;
    if (pid == self || leader || lg_proc_stat(pid, &p) != 0)
      continue;
    if (p.state == 'Z') {
      if (p.ppid == self)
        waitpid(pid, NULL, WNOHANG);
      continue;
    }
    int in_group = js && p.pgrp == js->pid;
    if (!in_group && !lg_proc_descends(pid, self))
      continue;
    if (js && !in_group) {
      int marker = lg_proc_marker(pid, js->probe_path);
      if (marker != 1 && !(marker == -1 && p.ppid == self && sole))
        continue;
    }
    if (nkill == capk) {
      capk = capk ? 2 * capk : 8;
      kill_v = lg_xrealloc(kill_v, capk * sizeof *kill_v);
    }
    kill_v[nkill++] = pid;
    kill(pid, SIGKILL);
    if (in_group && group_killed)
      continue;
    lg_buf_addf(ev, "%s%d %s", count ? ", " : "", (int)pid, p.comm);
    count++;
  }
  if (d)
    closedir(d);
  /* Reap what was killed: each becomes a zombie of leakgate (direct child,
   * or re-parented to its subreaper when its parent died too). Bounded: a
   * process stuck in uninterruptible sleep is left to init after 2 s. */
  double until = lg_now_ms() + 2000;
  for (size_t left = nkill; left && lg_now_ms() < until;) {
    left = 0;
    for (size_t i = 0; i < nkill; i++) {
      if (!kill_v[i])
        continue;
      lg_proc_t p;
      if (lg_proc_stat(kill_v[i], &p) != 0) {
        kill_v[i] = 0; /* gone (reaped by its own parent) */
        continue;
      }
      if (p.state == 'Z' && p.ppid == self &&
          waitpid(kill_v[i], NULL, WNOHANG) == kill_v[i]) {
        kill_v[i] = 0;
        continue;
      }
      left++;
    }
    if (left) {
      struct timespec ts = {0, 5 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  free(kill_v);
  return count;
}

/* True when LeakSanitizer runs in this variant, so its tracer can crash at
 * exit: a sanitizer detector and ASAN_OPTIONS or LSAN_OPTIONS set. Elsewhere
 * the crash text is only text a scenario printed. */
static int lg_lsan_capable(const lg_variant_t *va) {
  int san = 0, opts = 0;
  for (size_t d = 0; d < va->ndetectors; d++)
    san |= strcmp(va->detectors[d].parser, "sanitizer") == 0;
  const lg_kv_t *kvs[] = {va->env, va->env_js, va->env_c};
  size_t ns[] = {va->nenv, va->nenv_js, va->nenv_c};
  for (size_t k = 0; k < 3; k++)
    for (size_t i = 0; i < ns[k]; i++)
      opts |= strcmp(kvs[k][i].key, "ASAN_OPTIONS") == 0 ||
              strcmp(kvs[k][i].key, "LSAN_OPTIONS") == 0;
  return san && opts;
}

static void lg_append_evidence(lg_run_t *run, const char *what);

/* Analyses a finished attempt into job->run. Returns 1 when LeakSanitizer
 * crashed at its exit (lg_lsan_capable variants only): the exit status is
 * then the detector's, not the code's, and is not judged (the scenario had
 * finished); what the samples and parsed reports show is still real. The
 * caller decides on a re-run (lg_crash_policy). */
static int lg_finish(const lg_manifest_t *m, const lg_job_t *job,
                     lg_jstate_t *js, int status, const lg_jstate_t *all,
                     size_t nall, int sole) {
  lg_run_t *run = job->run;
  run->wall_s = (lg_now_ms() - js->start_ms) / 1000.0;
  int crashed = !js->term_sent && !js->hung && lg_lsan_capable(job->va) &&
                lg_detector_crashed(js->run_dir);
  if (WIFSIGNALED(status)) {
    run->term_signal = WTERMSIG(status);
    run->exit_status = -1;
  } else {
    run->exit_status = crashed ? 0 : WEXITSTATUS(status);
  }
  if (js->hung) {
    run->hung_after_end_s = js->grace_s;
    run->term_signal = 0;
    run->exit_status = 0;
  } else if (js->term_sent) {
    run->timed_out = 1;
    run->term_signal = 0;
  }
  /* Processes the scenario left behind: a finding (RESOURCE), then killed
   * and reaped so that nothing outlives the run. */
  lg_buf_t left = {0};
  size_t nleft =
      lg_leftovers(all, nall, js, js->term_sent || js->hung, sole, &left);
  lg_probe_info_t pi;
  memset(&pi, 0, sizeof pi);
  lg_probe_read(js->probe_path, run, &pi);
  lg_buf_t notes = {0}, problems = {0};
  lg_collect_detectors(m, job->va, js, run, &notes, &problems);
  lg_analyze_run(m, job->sc, job->va, &pi, notes.s, problems.s, run);
  char *sites = lg_sites_explain(run, js->sites_path, js->run_dir,
                                 m->frame_skip, m->nframe_skip);
  if (sites)
    lg_append_evidence(run, sites);
  free(sites);
  if (nleft) {
    char *what = lg_fmt("left %zu process%s running after it exited: %s "
                        "(killed)",
                        nleft, nleft == 1 ? "" : "es", left.s);
    if (run->detected == LG_V_PASS) {
      run->detected = LG_V_RESOURCE;
      free(run->evidence);
      run->evidence = what;
      lg_apply_expectation(run, NULL);
    } else {
      char *ev =
          lg_fmt("%s; also %s", run->evidence ? run->evidence : "", what);
      free(what);
      free(run->evidence);
      run->evidence = ev;
    }
  }
  lg_buf_free(&left);
  lg_buf_free(&notes);
  lg_buf_free(&problems);
  lg_probe_info_free(&pi);
  js->state = LG_JOB_DONE;
  return crashed;
}

static void lg_append_evidence(lg_run_t *run, const char *what) {
  char *ev = lg_fmt("%s%s%s", run->evidence ? run->evidence : "",
                    run->evidence && *run->evidence ? "; " : "", what);
  free(run->evidence);
  run->evidence = ev;
}

/* The verdict of a run whose last attempt ended (crashed: LeakSanitizer
 * crashed at exit on it). A real verdict is never discarded: this attempt's
 * when it found something, else the first attempt's, each with the crash
 * noted; only when neither found anything is the run INFRA (LSan's own
 * check did not complete: a pass cannot be trusted). */
static void lg_crash_policy(lg_jstate_t *js, lg_run_t *run, int crashed) {
  const char *attempts = js->retried ? "both attempts" : "the only attempt";
  if (crashed && run->detected == LG_V_PASS && js->first) {
    lg_run_free(run);
    *run = *js->first; /* moved */
    free(js->first);
    js->first = NULL;
    attempts = "both attempts; verdict from the first";
  }
  if (crashed && run->detected == LG_V_PASS) {
    lg_infra(run, lg_fmt("LeakSanitizer itself crashed at exit on %s (its "
                         "tracer; a known intermittent sanitizer fault, "
                         "google/sanitizers#1353): no verdict possible; "
                         "see %s",
                         attempts, js->run_dir));
  } else if (crashed) {
    char *note = lg_fmt("LeakSanitizer itself crashed at exit on %s "
                        "(google/sanitizers#1353): its own leak check may be "
                        "incomplete",
                        attempts);
    lg_append_evidence(run, note);
    free(note);
  } else if (js->retried) {
    char *ev = lg_fmt("%s (re-run once: LeakSanitizer's tracer crashed at "
                      "exit on the first attempt)",
                      run->evidence ? run->evidence : "");
    free(run->evidence);
    run->evidence = ev;
  }
  if (js->first) {
    lg_run_free(js->first);
    free(js->first);
    js->first = NULL;
  }
}

static void lg_jstate_free(lg_jstate_t *js);

/* ---- JS heap attribution (heapsnap.h) ------------------------------------
 * After a run got its verdict, lg_snap_begin may start its re-run with heap
 * snapshots (LG_SNAP_RERUN), then lg_snap_step heapdiff.js on them
 * (LG_SNAP_DIFF); the main loop watches each like a run (timeout: the
 * run's), and lg_snap_end records the result. Only the evidence and
 * run->heap change, never the verdict. */

/* Deletes the two snapshot files (unless kept), records the attribution in
 * the run with `note` (owned, may be NULL) and its line in the evidence. */
static void lg_snap_end(lg_jstate_t *js, lg_run_t *run, const lg_run_opts_t *o,
                        char *note) {
  lg_heapattr_t *h = js->snap_h;
  if (note && h->note) {
    char *both = lg_fmt("%s; %s", h->note, note);
    free(note);
    note = both;
  }
  if (note) {
    free(h->note);
    h->note = note;
  }
  /* Only the two files the probe was told to write, in the re-run's
   * directory (confined to the run directory by lg_prepare). */
  if (js->snap != LG_SNAP_NONE && !o->keep_heapsnap) {
    long long at[2] = {js->snap_a, js->snap_b};
    for (int k = 0; k < 2; k++) {
      char *f = lg_heapsnap_file(js->run_dir, at[k]);
      unlink(f);
      free(f);
    }
  }
  h->seconds = (lg_now_ms() - js->snap_start_ms) / 1000.0;
  char *line = lg_heapattr_line(h);
  lg_append_evidence(run, line);
  free(line);
  lg_heapattr_free(run->heap);
  run->heap = h;
  js->snap_h = NULL;
  js->snap = LG_SNAP_NONE;
}

/* Resets what the main loop watches of a process, for the next one. */
static void lg_snap_watch(lg_jstate_t *js, const lg_run_t *run) {
  js->state = LG_JOB_RUNNING;
  js->start_ms = lg_now_ms();
  js->deadline_ms = js->start_ms + run->timeout_s * 1000.0;
  js->term_sent = js->hung = 0;
  js->end_seen_ms = js->next_end_check_ms = 0;
  lg_buf_free(&js->live_part);
  js->live_off = js->live_size = 0;
  js->live_skip = 0;
  js->live_i = 0;
  snprintf(js->live_phase, sizeof js->live_phase, "heapsnap");
  js->live_n = js->live_sx = js->live_sy = js->live_sxx = js->live_sxy = 0;
}

/* Starts the attribution's current process (js->argv, js->snap set) and
 * watches it like a run: 0; or records why it could not start
 * ("not made: <what> could not start: ..."): -1. */
static int lg_snap_spawn(lg_jstate_t *js, lg_run_t *run, const lg_run_opts_t *o,
                         const char *what) {
  lg_run_t scratch;
  memset(&scratch, 0, sizeof scratch);
  if (lg_spawn(js, &scratch) != 0) {
    lg_snap_end(js, run, o,
                lg_fmt("not made: %s could not start: %s", what,
                       scratch.evidence ? scratch.evidence : "?"));
    lg_run_free(&scratch);
    return -1;
  }
  lg_run_free(&scratch);
  lg_snap_watch(js, run);
  return 0;
}

/* Starts the attribution's re-run when the run wants one (heapsnap.h).
 * Returns 0 when it runs (the job stays running), -1 when not (an
 * attribution that could not be made is recorded with its reason). */
static int lg_snap_begin(const lg_manifest_t *m, const lg_job_t *job,
                         lg_jstate_t *js, const lg_run_opts_t *o) {
  lg_run_t *run = job->run;
  if (!lg_heapsnap_wanted(o->heapsnap, run))
    return -1;
  lg_heapattr_t *h = js->snap_h = lg_xcalloc(1, sizeof *h);
  js->snap_start_ms = lg_now_ms();
  if (lg_heapsnap_window(run, &js->snap_a, &js->snap_b) != 0) {
    lg_snap_end(js, run, o,
                lg_fmt("not made: the judged window has no sample with %d "
                       "iterations after it",
                       LG_HEAPSNAP_MIN_SPAN));
    return -1;
  }
  h->from = js->snap_a;
  h->to = js->snap_b;
  const char *dir = lg_leakgate_dir();
  char *tool = dir ? lg_path_join(dir, "heapdiff.js") : NULL;
  if (!tool || !lg_is_file(tool)) {
    lg_snap_end(js, run, o,
                lg_fmt("not made: heapdiff.js not found in leakgate's files "
                       "(%s)",
                       dir ? dir : "lib/leakgate beside or above the binary"));
    free(tool);
    return -1;
  }
  /* The same job in <run_dir>/heapsnap, stopped at the second snapshot. */
  lg_jstate_t sub;
  memset(&sub, 0, sizeof sub);
  sub.subdir = LG_HEAPSNAP_DIR;
  lg_run_t scratch;
  memset(&scratch, 0, sizeof scratch);
  lg_job_t sj = *job;
  sj.run = &scratch;
  int ok = lg_prepare(m, &sj, &sub, o) == 0;
  if (ok) {
    char num[32];
    snprintf(num, sizeof num, "%lld", js->snap_b);
    lg_env_set(&sub.envp, &sub.envc, "LEAKGATE_ITERATIONS", num);
    char *hs = lg_fmt("%s,%lld,%lld", sub.run_dir, js->snap_a, js->snap_b);
    lg_env_set(&sub.envp, &sub.envc, "LEAKGATE_HEAPSNAP", hs);
    free(hs);
    /* No allocation sites: the run's own were attributed already. */
    lg_env_set(&sub.envp, &sub.envc, "LEAKGATE_HEAP_SITES", "");
    h->dir = lg_xstrdup(scratch.run_dir);
    /* JS argv: wrapper..., node, --expose-gc, probe.js, scenario, ... */
    js->snap_node = lg_xstrdup(sub.argv[job->va->nwrapper]);
    js->snap_tool = tool;
    tool = NULL;
    free(js->run_dir);
    free(js->probe_path);
    lg_strv_free(js->argv, js->argc);
    lg_strv_free(js->envp, js->envc);
    js->run_dir = sub.run_dir;
    js->probe_path = sub.probe_path;
    js->argv = sub.argv;
    js->argc = sub.argc;
    js->envp = sub.envp;
    js->envc = sub.envc;
    free(sub.sites_path); /* the re-run samples no sites */
    memset(&sub, 0, sizeof sub);
    js->snap = LG_SNAP_RERUN;
  }
  free(tool);
  lg_jstate_free(&sub);
  if (!ok) {
    lg_snap_end(js, run, o,
                lg_fmt("not made: the re-run could not start: %s",
                       scratch.evidence ? scratch.evidence : "?"));
    lg_run_free(&scratch);
    return -1;
  }
  lg_run_free(&scratch);
  return lg_snap_spawn(js, run, o, "the re-run");
}

/* Why a process of the attribution ended early, or NULL if it did not:
 * "timed out after 180 s", "killed by SIGKILL", "exit status 1". */
static char *lg_snap_failure(const lg_jstate_t *js, const lg_run_t *run,
                             int status) {
  if (js->term_sent)
    return lg_fmt("timed out after %.0f s", run->timeout_s);
  if (WIFSIGNALED(status))
    return lg_fmt("killed by %s", lg_signal_name(WTERMSIG(status)));
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return lg_fmt("exit status %d", WEXITSTATUS(status));
  return NULL;
}

/* The attribution's current process ended with `status`: starts heapdiff
 * after the re-run (returns 0: the job stays running) or records the
 * result (returns -1). */
static int lg_snap_step(const lg_job_t *job, lg_jstate_t *js, int status,
                        const lg_jstate_t *all, size_t nall, int sole,
                        const lg_run_opts_t *o) {
  lg_run_t *run = job->run;
  lg_buf_t left = {0};
  /* Nothing it started may outlive it (not a finding: the verdict stands). */
  lg_leftovers(all, nall, js, 1, sole, &left);
  lg_buf_free(&left);
  char *why = lg_snap_failure(js, run, status);
  if (js->snap == LG_SNAP_RERUN) {
    char *fa = lg_heapsnap_file(js->run_dir, js->snap_a),
         *fb = lg_heapsnap_file(js->run_dir, js->snap_b);
    int have_a = lg_is_file(fa), have_b = lg_is_file(fb);
    char *argv_a = fa, *argv_b = fb;
    if (!have_a || !have_b) {
      long long i = have_a ? js->snap_b : js->snap_a;
      char *skip = lg_heapsnap_skip_reason(js->probe_path, i);
      lg_snap_end(
          js, run, o,
          skip ? lg_fmt("not made: %s (iteration %lld)", skip, i)
               : lg_fmt("not made: the re-run wrote no heap snapshot "
                        "after iteration %lld (%s; see %s/stderr.log)",
                        i, why ? why : "exit status 0",
                        js->snap_h->dir ? js->snap_h->dir : "its directory"));
      free(skip);
      free(why);
      free(fa);
      free(fb);
      return -1;
    }
    free(why);
    /* heapdiff.js with the same node, outside the variant's wrapper and
     * environment (no preloaded sanitizer): the inherited environment minus
     * our protocol, plus the run's LEAKGATE_PROBE as the marker that finds
     * its leftovers. */
    lg_strv_free(js->argv, js->argc);
    lg_strv_free(js->envp, js->envc);
    js->argv = js->envp = NULL;
    js->argc = js->envc = 0;
    lg_strv_push(&js->argv, &js->argc, lg_xstrdup(js->snap_node));
    lg_strv_push(&js->argv, &js->argc, lg_xstrdup(js->snap_tool));
    lg_strv_push(&js->argv, &js->argc, lg_xstrdup("--top"));
    lg_strv_push(&js->argv, &js->argc, lg_fmt("%d", LG_HEAPATTR_MAX_GROWERS));
    lg_strv_push(&js->argv, &js->argc, argv_a);
    lg_strv_push(&js->argv, &js->argc, argv_b);
    for (char **e = environ; *e; e++)
      if (strncmp(*e, "LEAKGATE_", 9) != 0 &&
          strncmp(*e, "EVS_FAULT=", 10) != 0)
        lg_strv_push(&js->envp, &js->envc, lg_xstrdup(*e));
    lg_env_set(&js->envp, &js->envc, "LEAKGATE_PROBE", js->probe_path);
    js->snap = LG_SNAP_DIFF;
    return lg_snap_spawn(js, run, o, "heapdiff.js");
  }
  /* heapdiff.js ended: its JSON on heapdiff.json, its complaint on
   * heapdiff.log. */
  char *note = NULL;
  if (why) {
    char *logp = lg_path_join(js->run_dir, "heapdiff.log");
    size_t len = 0;
    char *log = lg_read_capped(logp, 4096, 0, &len, NULL);
    size_t n = log ? strcspn(log, "\n") : 0;
    note = lg_fmt("heapdiff.js failed (%s)%s%.*s", why, n ? ": " : "",
                  (int)(n > 300 ? 300 : n), log ? log : "");
    free(log);
    free(logp);
  } else {
    char *outp = lg_path_join(js->run_dir, "heapdiff.json");
    size_t len = 0;
    unsigned long long size = 0;
    char *text = lg_read_capped(outp, LG_HEAPDIFF_MAX_OUTPUT, 0, &len, &size);
    char *err = NULL;
    if (!text)
      note = lg_fmt("cannot read %s", outp);
    else if (size > LG_HEAPDIFF_MAX_OUTPUT)
      note = lg_fmt("heapdiff output: %llu bytes, over the %zu limit", size,
                    LG_HEAPDIFF_MAX_OUTPUT);
    else if (lg_heapattr_parse(text, len, js->snap_h, &err) != 0)
      note = err;
    free(text);
    free(outp);
  }
  free(why);
  lg_snap_end(js, run, o, note);
  return -1;
}

static void lg_jstate_free(lg_jstate_t *js) {
  lg_buf_free(&js->live_part);
  lg_heapattr_free(js->snap_h);
  free(js->snap_node);
  free(js->snap_tool);
  if (js->pristine)
    lg_run_free(js->pristine);
  free(js->pristine);
  if (js->first)
    lg_run_free(js->first);
  free(js->first);
  free(js->run_dir);
  free(js->probe_path);
  free(js->sites_path);
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
  /* Evidence quotes scenario output: no control byte reaches the terminal. */
  char *ev = lg_text_terminal(run->ok         ? ""
                              : run->evidence ? run->evidence
                                              : "",
                              0);
  printf("[%*zu/%zu] %-20s %-9s %-28s %6.1fs%s%s%.200s%s\n", n >= 100 ? 3 : 2,
         idx, n,
         run->ok ? (run->verdict == LG_V_PASS && run->detected != LG_V_PASS
                        ? "PASS(expected)"
                        : "PASS")
                 : lg_verdict_name(run->verdict),
         run->variant, name, run->wall_s, extra, *ev ? "  - " : "", ev,
         strlen(ev) > 200 ? "..." : "");
  free(ev);
  fflush(stdout);
}

/* One complete probe line for the live line: phase, iteration and the
 * primary metric's least-squares sums (O(1) per sample: the live slope is
 * an indication; the verdict uses Theil-Sen over all samples). */
static void lg_live_record(const lg_manifest_t *m, const lg_job_t *job,
                           lg_jstate_t *js, const char *line, size_t len) {
  json_error_t je;
  json_t *o = json_loadb(line, len, 0, &je);
  if (!json_is_object(o)) {
    json_decref(o);
    return;
  }
  const char *type = json_string_value(json_object_get(o, "type"));
  json_t *ji = json_object_get(o, "i");
  const char *phase = NULL;
  if (type && strcmp(type, "phase") == 0)
    phase = json_string_value(json_object_get(o, "name"));
  else if (type && strcmp(type, "sample") == 0)
    phase = json_string_value(json_object_get(o, "phase"));
  if (phase) {
    snprintf(js->live_phase, sizeof js->live_phase, "%s", phase);
    if (json_is_integer(ji) && json_integer_value(ji) > js->live_i)
      js->live_i = json_integer_value(ji);
  }
  if (type && strcmp(type, "sample") == 0) {
    if (!js->live_metric) {
      const lg_scenario_t *sc = job->sc;
      if (sc->primary)
        js->live_metric = sc->primary;
      else if (sc->nthresholds)
        js->live_metric = sc->thresholds[0].metric;
      for (size_t i = 0; !js->live_metric && i < m->nthresholds; i++)
        if (json_object_get(o, m->thresholds[i].metric))
          js->live_metric = m->thresholds[i].metric;
    }
    json_t *v = js->live_metric ? json_object_get(o, js->live_metric) : NULL;
    if (phase && strcmp(phase, "iterate") == 0 && json_is_integer(ji) &&
        json_integer_value(ji) >= job->run->warmup && json_is_number(v)) {
      double x = (double)json_integer_value(ji), y = json_number_value(v);
      js->live_n += 1;
      js->live_sx += x;
      js->live_sy += y;
      js->live_sxx += x * x;
      js->live_sxy += x * y;
    }
  }
  json_decref(o);
}

/* Reads what the probe stream gained since the last tick (bounded). */
static void lg_live_update(const lg_manifest_t *m, const lg_job_t *job,
                           lg_jstate_t *js) {
  int fd = open(js->probe_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat st;
  if (fstat(fd, &st) == 0)
    js->live_size = (unsigned long long)st.st_size;
  char *chunk = lg_xmalloc(LG_LIVE_CHUNK);
  ssize_t n;
  do
    n = pread(fd, chunk, LG_LIVE_CHUNK, (off_t)js->live_off);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n > 0) {
    js->live_off += (unsigned long long)n;
    const char *p = chunk, *endp = chunk + n;
    while (p < endp) {
      const char *nl = memchr(p, '\n', (size_t)(endp - p));
      if (!nl) {
        if (!js->live_skip)
          lg_buf_addn(&js->live_part, p, (size_t)(endp - p));
        if (js->live_part.len > LG_LIVE_CHUNK) { /* no record is this long */
          lg_buf_free(&js->live_part);
          js->live_skip = 1;
        }
        break;
      }
      if (js->live_skip) {
        js->live_skip = 0;
      } else if (js->live_part.len) {
        lg_buf_addn(&js->live_part, p, (size_t)(nl - p));
        lg_live_record(m, job, js, js->live_part.s, js->live_part.len);
        lg_buf_free(&js->live_part);
      } else {
        lg_live_record(m, job, js, p, (size_t)(nl - p));
      }
      p = nl + 1;
    }
  }
  free(chunk);
}

/* Live line of a running job: phase, iteration, elapsed time, and the
 * least-squares slope of its primary metric so far. */
static void lg_live_line(const lg_manifest_t *m, const lg_job_t *job,
                         lg_jstate_t *js, char *line, size_t cap) {
  lg_live_update(m, job, js);
  char slope[128] = "";
  double den = js->live_n * js->live_sxx - js->live_sx * js->live_sx;
  if (js->live_n >= 3 && den > 0)
    snprintf(slope, sizeof slope, "  %s %+.3g/it", js->live_metric,
             (js->live_n * js->live_sxy - js->live_sx * js->live_sy) / den);
  char behind[64] = "";
  if (js->live_size > js->live_off + LG_LIVE_CHUNK)
    snprintf(behind, sizeof behind, "  (probe stream %llu MB behind)",
             (js->live_size - js->live_off) >> 20);
  char *full = lg_fmt(
      "  ... %-9s %-28s %-9s i=%lld/%lld  %5.1fs%s%s", job->va->name,
      job->sc->name, js->live_phase[0] ? js->live_phase : "start", js->live_i,
      job->run->iterations, (lg_now_ms() - js->start_ms) / 1e3, slope, behind);
  /* A display line: cut at cap (names may be up to 128 characters). */
  size_t len = strlen(full) < cap - 1 ? strlen(full) : cap - 1;
  memcpy(line, full, len);
  line[len] = '\0';
  free(full);
}

void lg_jobs_estimate(lg_job_t *jobs, size_t n, const lg_results_t *prev) {
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; prev && i < prev->nruns; i++) {
      const lg_run_t *p = &prev->runs[i];
      const char *f = jobs[j].fault;
      if (p->scenario && p->variant &&
          strcmp(p->scenario, jobs[j].sc->name) == 0 &&
          strcmp(p->variant, jobs[j].va->name) == 0 &&
          (f ? p->fault && strcmp(p->fault, f) == 0 : !p->fault) &&
          isfinite(p->wall_s) && p->wall_s > 0) {
        jobs[j].est_s = p->wall_s;
        break;
      }
    }
}

/* A job's place in the start order: its expected wall time (est_s, else
 * its time budget) and its index. */
typedef struct lg_start_s {
  double est;
  size_t j;
} lg_start_t;

/* Longest first; equal estimates keep their order (qsort is not stable). */
static int lg_cmp_start(const void *a, const void *b) {
  const lg_start_t *x = a, *y = b;
  if (x->est != y->est)
    return x->est > y->est ? -1 : 1;
  return x->j < y->j ? -1 : x->j > y->j;
}

int lg_runner_run(const lg_manifest_t *m, lg_job_t *jobs, size_t n,
                  const lg_run_opts_t *o) {
  lg_jstate_t *st = lg_xcalloc(n, sizeof *st);
  lg_start_t *order = lg_xcalloc(n ? n : 1, sizeof *order);
  for (size_t j = 0; j < n; j++) {
    order[j].j = j;
    order[j].est = jobs[j].est_s > 0
                       ? jobs[j].est_s
                       : jobs[j].sc->timeout_s * jobs[j].va->timeout_multiplier;
  }
  qsort(order, n, sizeof *order, lg_cmp_start);
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
  /* Descendants that escape a run's process group (setsid, double fork)
   * are re-parented to leakgate rather than to init, so that the leftover
   * scan after each run sees them and can reap them. */
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  while (done < n) {
    while (!lg_interrupted && running < (size_t)jobs_max && next < n) {
      size_t j = order[next++].j;
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
        if (o->run_done)
          o->run_done(o->run_done_arg, jobs[j].run);
        continue;
      }
      if (lg_lsan_capable(jobs[j].va)) {
        js->pristine = lg_xcalloc(1, sizeof *js->pristine);
        lg_run_copy(js->pristine, jobs[j].run);
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
          st[j].state = LG_JOB_DONE;
          /* Nothing of an interrupted run may outlive leakgate either. */
          lg_buf_t left = {0};
          lg_leftovers(st, n, &st[j], 1, jobs_max == 1, &left);
          lg_buf_free(&left);
          /* A run whose heap attribution was cut keeps its verdict. */
          if (st[j].snap)
            lg_snap_end(&st[j], jobs[j].run, o,
                        lg_xstrdup("interrupted (SIGINT/SIGTERM)"));
          else
            lg_infra(jobs[j].run, lg_xstrdup("interrupted (SIGINT/SIGTERM)"));
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
      if (r == js->pid) {
        js->state = LG_JOB_DONE; /* no longer a live run leader */
        if (js->snap) {
          if (lg_snap_step(&jobs[j], js, status, st, n, jobs_max == 1, o) == 0)
            continue; /* heapdiff.js runs */
          goto finished;
        }
        int crashed = lg_finish(m, &jobs[j], js, status, st, n, jobs_max == 1);
        if (crashed && !js->retried && js->pristine) {
          /* Re-run once from an empty directory; keep what this attempt
           * found in case the next one crashes too. */
          js->retried = 1;
          js->end_seen_ms = 0;
          lg_run_t *run = jobs[j].run;
          if (run->detected != LG_V_PASS) {
            js->first = lg_xmalloc(sizeof *js->first);
            *js->first = *run; /* moved */
          } else {
            lg_run_free(run);
          }
          memset(run, 0, sizeof *run);
          lg_run_copy(run, js->pristine);
          lg_clear_run_dir(js->run_dir);
          lg_buf_free(&js->live_part);
          js->live_off = js->live_size = 0;
          js->live_skip = 0;
          js->live_i = 0;
          js->live_phase[0] = '\0';
          js->live_n = js->live_sx = js->live_sy = js->live_sxx = js->live_sxy =
              0;
          double budget = js->deadline_ms - js->start_ms;
          if (lg_spawn(js, run) == 0) {
            js->state = LG_JOB_RUNNING;
            js->start_ms = lg_now_ms();
            js->deadline_ms = js->start_ms + budget;
            continue;
          }
          /* The re-run could not start (INFRA from lg_spawn): a real
           * first verdict still wins. */
          if (js->first) {
            lg_run_free(run);
            *run = *js->first;
            free(js->first);
            js->first = NULL;
            lg_append_evidence(run, "LeakSanitizer crashed at exit and the "
                                    "re-run could not start");
          }
          crashed = 0;
        }
        lg_crash_policy(js, jobs[j].run, crashed);
        if (lg_snap_begin(m, &jobs[j], js, o) == 0)
          continue; /* the JS heap attribution's re-run runs */
      finished:
        running--;
        done++;
        if (!o->quiet) {
          if (o->tty && live_lines)
            printf("\033[%zuA\033[J", live_lines), live_lines = 0;
          lg_print_done(&jobs[j], done, n);
        }
        if (o->run_done)
          o->run_done(o->run_done_arg, jobs[j].run);
        continue;
      }
      if (!js->hung && !js->term_sent && js->snap != LG_SNAP_DIFF &&
          now >= js->next_end_check_ms) {
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
  /* Whatever is still alive below leakgate now came from a run it could not
   * be attributed to (no environment marker while runs overlapped): it
   * must not outlive leakgate either. */
  lg_buf_t orphans = {0};
  size_t norphans = lg_leftovers(st, n, NULL, 0, 0, &orphans);
  if (norphans)
    fprintf(stderr,
            "leakgate: warning: killed %zu process%s left by runs that could "
            "not be told apart (no LEAKGATE_PROBE in their environment): "
            "%s\n",
            norphans, norphans == 1 ? "" : "es", orphans.s);
  lg_buf_free(&orphans);
  for (size_t j = 0; j < n; j++)
    lg_jstate_free(&st[j]);
  free(st);
  free(order);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  return lg_interrupted ? -1 : 0;
}
