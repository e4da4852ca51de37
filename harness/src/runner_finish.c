/* A finished attempt into the run's verdict: the detectors' outputs, the
 * analysis, the allocation sites, leftover processes, and what to do when
 * LeakSanitizer itself crashed (runner_int.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "analyze.h"
#include "detect.h"
#include "probe_read.h"
#include "runner_int.h"
#include "sites.h"

/* Largest valgrind XML file parsed (it cannot be cut like a text log). */
#define LG_XML_MAX ((size_t)64 << 20)

/* Parses the variant's detector outputs into run->findings. A valgrind
 * detector's output that is missing, empty or unparsable goes to `problems`
 * (the analysis makes it INFRA: memcheck's verdict is unknown); sanitizer
 * logs only exist when they report, so their absence says nothing. */
void lg_collect_detectors(const lg_manifest_t *m, const lg_variant_t *va,
                          lg_jstate_t *js, lg_run_t *run, lg_buf_t *notes,
                          lg_buf_t *problems) {
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
int lg_detector_crashed(const char *run_dir) {
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
/* True when LeakSanitizer runs in this variant, so its tracer can crash at
 * exit: a sanitizer detector and ASAN_OPTIONS or LSAN_OPTIONS set. Elsewhere
 * the crash text is only text a scenario printed. */
int lg_lsan_capable(const lg_variant_t *va) {
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
/* Analyses a finished attempt into job->run. Returns 1 when LeakSanitizer
 * crashed at its exit (lg_lsan_capable variants only): the exit status is
 * then the detector's, not the code's, and is not judged (the scenario had
 * finished); what the samples and parsed reports show is still real. The
 * caller decides on a re-run (lg_crash_policy). */
int lg_finish(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
              int status, const lg_jstate_t *all, size_t nall, int sole) {
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

void lg_append_evidence(lg_run_t *run, const char *what) {
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
void lg_crash_policy(lg_jstate_t *js, lg_run_t *run, int crashed) {
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
