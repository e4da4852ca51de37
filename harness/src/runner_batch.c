/* Batched runs (runner_int.h; harness/README.md, "Batched runs"): the JS
 * runs a `run` selected in a variant with "batch": "js" go through one node
 * process under the variant's wrapper, probe.js loading each scenario in
 * turn with that scenario's own environment, working directory and probe
 * stream. Under valgrind this pays node's start under memcheck (about 7 s)
 * once instead of once per scenario.
 *
 * The batch never decides a verdict that is not PASS. Its runs are taken
 * only when everything about it is clean: the process exited 0 by itself,
 * left nothing running, its detectors found nothing at all, its own stream
 * says every scenario began and ended ok with no ref'd handle left behind,
 * and every scenario's stream, analysed as in a run of its own, is PASS.
 * Otherwise the batch falls back: every member is run again on its own, in
 * the normal way, and those runs are the ones reported. So a finding is
 * always attributed by a run of its own. */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "analyze.h"
#include "probe_read.h"
#include "runner_int.h"
#include "sites.h"

/* Largest batch stream read: a few records per scenario. */
#define LG_BATCH_STREAM_MAX ((size_t)1 << 20)

/* Whether a job may run in a batch: a JS run of a batching variant, no
 * planted fault, expected to pass (a negative control is meant to find
 * something, which would only make the batch fall back), and with the
 * call's options (a batch has one report directory). */
static int lg_batchable(const lg_job_t *job) {
  const char *exp =
      job->expected_override ? job->expected_override : job->sc->expect;
  return !job->opts && job->sc->lang == LG_LANG_JS &&
         (job->va->batch & LG_LANG_JS) &&
         !lg_variant_judges_slopes(job->va, "js") && !job->fault &&
         (!exp || strcmp(exp, "pass") == 0);
}

lg_batch_t *lg_batch_plan(const lg_job_t *jobs, size_t n, size_t *nb) {
  lg_batch_t *b = lg_xcalloc(n ? n : 1, sizeof *b);
  *nb = 0;
  for (size_t j = 0; j < n; j++) {
    if (!lg_batchable(&jobs[j]))
      continue;
    size_t k = 0;
    while (k < *nb && b[k].va != jobs[j].va)
      k++;
    if (k == *nb) {
      b[k].va = jobs[j].va;
      b[k].members = lg_xcalloc(n, sizeof *b[k].members);
      (*nb)++;
    }
    b[k].members[b[k].n++] = j;
    b[k].est_s += jobs[j].est_s > 0
                      ? jobs[j].est_s
                      : jobs[j].sc->timeout_s * jobs[j].va->timeout_multiplier;
  }
  /* A batch of one is just a run. */
  size_t keep = 0;
  for (size_t k = 0; k < *nb; k++) {
    if (b[k].n < 2) {
      free(b[k].members);
      continue;
    }
    b[keep++] = b[k];
  }
  *nb = keep;
  for (size_t k = 0; k < keep; k++)
    b[k].pristine = lg_xcalloc(b[k].n, sizeof *b[k].pristine);
  return b;
}

void lg_batch_free(lg_batch_t *b, size_t nb) {
  for (size_t k = 0; b && k < nb; k++) {
    for (size_t i = 0; i < b[k].n; i++)
      lg_run_free(&b[k].pristine[i]);
    free(b[k].pristine);
    free(b[k].members);
    lg_run_free(&b[k].scratch);
  }
  free(b);
}

/* The value of key (a "KEY=" prefix) in envp, or NULL. */
static const char *lg_env_get(char **envp, size_t n, const char *kv) {
  size_t kl = (size_t)(strchr(kv, '=') - kv) + 1;
  for (size_t i = 0; i < n; i++)
    if (strncmp(envp[i], kv, kl) == 0)
      return envp[i] + kl;
  return NULL;
}

/* The plan probe.js reads (`--batch FILE`): per member its scenario file and
 * arguments, working directory, and its environment as lg_prepare made it
 * for a run of its own, written as the difference from the batch process's
 * ("env": what to set, "unset": what to remove), so that whatever the
 * wrapper adds (valgrind's LD_PRELOAD) stays as in a run of its own. */
static int lg_batch_write_plan(const lg_batch_t *b, const lg_job_t *jobs,
                               const lg_jstate_t *st, const lg_jstate_t *bjs) {
  json_t *runs = json_array();
  for (size_t i = 0; i < b->n; i++) {
    const lg_jstate_t *js = &st[b->members[i]];
    json_t *argv = json_array(), *set = json_object(), *unset = json_array();
    /* js->argv: wrapper..., node, --expose-gc, probe.js, program, args... */
    for (size_t a = b->va->nwrapper + 3; a < js->argc; a++)
      json_array_append_new(argv, json_string(js->argv[a]));
    for (size_t e = 0; e < js->envc; e++) {
      const char *eq = strchr(js->envp[e], '=');
      const char *was = lg_env_get(bjs->envp, bjs->envc, js->envp[e]);
      if (!eq || (was && strcmp(was, eq + 1) == 0))
        continue;
      char *key = lg_xstrndup(js->envp[e], (size_t)(eq - js->envp[e]));
      json_object_set_new(set, key, json_string(eq + 1));
      free(key);
    }
    for (size_t e = 0; e < bjs->envc; e++) {
      const char *eq = strchr(bjs->envp[e], '=');
      if (eq && !lg_env_get(js->envp, js->envc, bjs->envp[e]))
        json_array_append_new(
            unset, json_stringn(bjs->envp[e], (size_t)(eq - bjs->envp[e])));
    }
    json_array_append_new(
        runs, json_pack("{s:s, s:o, s:s, s:o, s:o}", "scenario",
                        jobs[b->members[i]].sc->name, "argv", argv, "cwd",
                        js->run_dir, "env", set, "unset", unset));
  }
  json_t *doc = json_pack("{s:i, s:o}", "batch", 1, "runs", runs);
  char *text = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  char *path = lg_path_join(bjs->run_dir, "batch.json");
  int rc = text ? lg_write_file(path, text, strlen(text)) : -1;
  free(path);
  free(text);
  return rc;
}

int lg_batch_start(const lg_manifest_t *m, lg_batch_t *b, lg_job_t *jobs,
                   lg_jstate_t *st, lg_jstate_t *bjs, const lg_run_opts_t *o) {
  lg_run_free(&b->scratch);
  b->scratch.variant = lg_xstrdup(b->va->name);
  b->scratch.scenario = lg_xstrdup("batch");
  for (size_t i = 0; i < b->n; i++) {
    lg_run_free(&b->pristine[i]);
    lg_run_copy(&b->pristine[i], jobs[b->members[i]].run);
  }
  double budget = 0;
  for (size_t i = 0; i < b->n; i++) {
    size_t j = b->members[i];
    if (lg_prepare(m, &jobs[j], &st[j], o) != 0) {
      lg_infra(&b->scratch, lg_fmt("could not prepare %s", jobs[j].sc->name));
      return -1;
    }
    st[j].state = LG_JOB_BATCHED;
    budget += jobs[j].run->timeout_s;
  }
  if (lg_prepare_batch(m, b->va, bjs, &b->scratch, o) != 0)
    return -1;
  if (lg_batch_write_plan(b, jobs, st, bjs) != 0) {
    lg_infra(&b->scratch, lg_fmt("cannot write %s/batch.json", bjs->run_dir));
    return -1;
  }
  if (lg_spawn(bjs, &b->scratch) != 0)
    return -1;
  bjs->state = LG_JOB_RUNNING;
  bjs->start_ms = lg_now_ms();
  bjs->deadline_ms = bjs->start_ms + budget * 1000.0;
  b->scratch.timeout_s = budget;
  return 0;
}

void lg_batch_fall_back(lg_batch_t *b, lg_job_t *jobs, lg_jstate_t *st,
                        const char *why) {
  for (size_t i = 0; i < b->n; i++) {
    size_t j = b->members[i];
    lg_jstate_free(&st[j]);
    memset(&st[j], 0, sizeof st[j]);
    st[j].state = LG_JOB_PENDING;
    lg_run_free(jobs[j].run);
    lg_run_copy(jobs[j].run, &b->pristine[i]);
    st[j].batch_note = lg_fmt("run on its own: its batch (batches/%s/js) %s",
                              b->va->name, why);
  }
}

/* The batch stream's record of type `type` for member i, scenario name, or
 * NULL. */
static json_t *lg_batch_record(json_t *recs, const char *type, size_t i,
                               const char *name) {
  size_t k;
  json_t *r;
  json_array_foreach(recs, k, r) {
    const char *t = json_string_value(json_object_get(r, "type"));
    const char *sc = json_string_value(json_object_get(r, "scenario"));
    json_t *idx = json_object_get(r, "index");
    if (t && strcmp(t, type) == 0 && sc && strcmp(sc, name) == 0 &&
        json_is_integer(idx) && json_integer_value(idx) == (json_int_t)i)
      return r;
  }
  return NULL;
}

/* Reads the batch stream: every member began and ended ok, with nothing
 * left behind, and the stream has its end record with status ok. Sets
 * span_ms[i] (end - begin of member i). NULL, or why not (caller frees). */
static char *lg_batch_stream(const lg_batch_t *b, lg_job_t *jobs,
                             const lg_jstate_t *bjs, double *span_ms) {
  size_t len = 0;
  char *data = lg_read_regular(bjs->probe_path, LG_BATCH_STREAM_MAX, &len);
  if (!data)
    return lg_xstrdup("wrote no readable batch.jsonl");
  json_t *recs = json_array();
  int ended = 0;
  for (char *p = data, *nl; (nl = memchr(p, '\n', len - (size_t)(p - data)));
       p = nl + 1) {
    json_error_t je;
    json_t *r = json_loadb(p, (size_t)(nl - p), 0, &je);
    const char *t = json_string_value(json_object_get(r, "type"));
    const char *status = json_string_value(json_object_get(r, "status"));
    if (t && strcmp(t, "end") == 0)
      ended = status && strcmp(status, "ok") == 0;
    if (json_is_object(r))
      json_array_append_new(recs, r);
    else
      json_decref(r);
  }
  free(data);
  char *why = NULL;
  for (size_t i = 0; i < b->n && !why; i++) {
    const char *name = jobs[b->members[i]].sc->name;
    json_t *bg = lg_batch_record(recs, "scenario_begin", i, name);
    json_t *en = lg_batch_record(recs, "scenario_end", i, name);
    const char *st = json_string_value(json_object_get(en, "status"));
    json_t *left = json_object_get(en, "left");
    json_t *t0 = json_object_get(bg, "t_ms"), *t1 = json_object_get(en, "t_ms");
    if (!bg || !en)
      why = lg_fmt("did not finish %s", name);
    else if (!st || strcmp(st, "ok") != 0)
      why = lg_fmt("ended %s with status %s", name, st ? st : "(none)");
    else if (json_array_size(left) > 0) {
      char *l = json_dumps(left, JSON_COMPACT);
      why = lg_fmt("ended %s with handles left: %s", name, l ? l : "?");
      free(l);
    } else if (!json_is_number(t0) || !json_is_number(t1))
      why = lg_fmt("has no times for %s", name);
    else
      span_ms[i] = fmax(0, json_number_value(t1) - json_number_value(t0));
  }
  if (!why && !ended)
    why = lg_xstrdup("wrote no end record with status ok");
  json_decref(recs);
  return why;
}

/* A member's stream, analysed as lg_finish does for a run of its own whose
 * process exited 0 and whose detectors found nothing (the batch's found
 * nothing at all). */
static void lg_batch_member(const lg_manifest_t *m, const lg_job_t *job,
                            lg_jstate_t *js, double wall_s) {
  lg_run_t *run = job->run;
  run->wall_s = wall_s;
  run->exit_status = 0;
  run->term_signal = 0;
  lg_probe_info_t pi;
  memset(&pi, 0, sizeof pi);
  lg_probe_read(js->probe_path, run, &pi);
  lg_analyze_run(m, job->sc, job->va, &pi, NULL, NULL, run);
  char *sites = lg_sites_explain(run, js->sites_path, js->run_dir,
                                 m->frame_skip, m->nframe_skip);
  if (sites)
    lg_append_evidence(run, sites);
  free(sites);
  lg_probe_info_free(&pi);
}

int lg_batch_finish(const lg_manifest_t *m, lg_batch_t *b, lg_job_t *jobs,
                    lg_jstate_t *st, size_t nall, lg_jstate_t *bjs, int status,
                    int sole) {
  double wall_s = (lg_now_ms() - bjs->start_ms) / 1000.0;
  lg_buf_t why = {0}, left = {0}, notes = {0}, problems = {0};
  /* Processes left behind: the batch's group and marker, then each
   * member's marker (a scenario's children inherit its environment). */
  size_t nleft =
      lg_leftovers(st, nall, bjs, bjs->term_sent || bjs->hung, sole, &left);
  for (size_t i = 0; i < b->n; i++) {
    lg_jstate_t *js = &st[b->members[i]];
    js->pid = bjs->pid;
    nleft += lg_leftovers(st, nall, js, 1, 0, &left);
    js->pid = 0;
  }
  if (nleft)
    lg_buf_addf(&why, "left %zu process%s running (%s)", nleft,
                nleft == 1 ? "" : "es", left.s);
  /* A finding in our code (any class) is for a run of its own to
   * attribute; a finding outside it never fails a run (node under memcheck
   * has one in every process: an uninitialised value in V8's conservative
   * stack scan), so it does not make the batch unclean. */
  lg_collect_detectors(m, b->va, bjs, &b->scratch, &notes, &problems);
  size_t ours = 0, theirs = 0;
  for (size_t i = 0; i < b->scratch.nfindings; i++) {
    if (b->scratch.findings[i].ours)
      ours++;
    else
      theirs++;
  }
  /* A detector's exit code is fine when its reports were parsed (they then
   * decide, as in a run of its own: analyze.c); any other is not. */
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0, mapped = 0;
  for (size_t i = 0; i < b->va->nexit; i++)
    mapped |= b->va->exit_codes[i] == code;
  if (bjs->hung)
    lg_buf_addf(&why, "%sdid not exit within %gs of its end record",
                why.len ? "; " : "", bjs->grace_s);
  else if (bjs->term_sent)
    lg_buf_addf(&why, "%stimed out after %gs", why.len ? "; " : "",
                b->scratch.timeout_s);
  else if (WIFSIGNALED(status))
    lg_buf_addf(&why, "%swas killed by %s", why.len ? "; " : "",
                lg_signal_name(WTERMSIG(status)));
  else if (code != 0 && !(mapped && b->scratch.nfindings))
    lg_buf_addf(&why, "%sexited with status %d", why.len ? "; " : "", code);
  if (ours)
    lg_buf_addf(&why, "%shad %zu finding%s in our code", why.len ? "; " : "",
                ours, ours == 1 ? "" : "s");
  if (problems.len || notes.len)
    lg_buf_addf(
        &why, "%s%s%s%s", why.len ? "; " : "", problems.len ? problems.s : "",
        problems.len && notes.len ? "; " : "", notes.len ? notes.s : "");
  if (lg_lsan_capable(b->va) && lg_detector_crashed(bjs->run_dir))
    lg_buf_addf(&why, "%sLeakSanitizer crashed at exit", why.len ? "; " : "");
  /* The stream also says which scenario a failed batch was running. */
  double *span = lg_xcalloc(b->n, sizeof *span);
  char *s = lg_batch_stream(b, jobs, bjs, span);
  if (s)
    lg_buf_addf(&why, "%s%s", why.len ? "; " : "", s);
  free(s);
  if (!why.len) {
    /* Node's start and exit (memcheck's leak check) are shared evenly, so
     * that the members' wall times add up to the batch's. */
    double spans = 0;
    for (size_t i = 0; i < b->n; i++)
      spans += span[i] / 1000.0;
    double shared = fmax(0, wall_s - spans) / (double)b->n;
    for (size_t i = 0; i < b->n && !why.len; i++) {
      const lg_job_t *job = &jobs[b->members[i]];
      lg_batch_member(m, job, &st[b->members[i]], span[i] / 1000.0 + shared);
      if (job->run->verdict != LG_V_PASS || job->run->detected != LG_V_PASS ||
          job->run->nfindings)
        lg_buf_addf(&why, "found %s %s", job->sc->name,
                    lg_verdict_name(job->run->detected));
    }
  }
  free(span);
  int clean = why.len == 0;
  if (clean) {
    for (size_t i = 0; i < b->n; i++) {
      size_t j = b->members[i];
      lg_run_t *run = jobs[j].run;
      /* memcheck counts suppressions per process: each member is counted
       * as a run that matched what the batch matched. */
      for (size_t k = 0; k < b->scratch.nsupp_used; k++)
        lg_strv_push(&run->supp_used, &run->nsupp_used,
                     lg_xstrdup(b->scratch.supp_used[k]));
      char *note =
          theirs ? lg_fmt("run in one process with the batch's %zu other JS "
                          "run%s (batches/%s/js: %zu finding%s outside our "
                          "code listed there, not failing)",
                          b->n - 1, b->n == 2 ? "" : "s", b->va->name, theirs,
                          theirs == 1 ? "" : "s")
                 : lg_fmt("run in one process with the batch's %zu other JS "
                          "run%s (batches/%s/js)",
                          b->n - 1, b->n == 2 ? "" : "s", b->va->name);
      lg_append_evidence(run, note);
      free(note);
      st[j].state = LG_JOB_DONE;
    }
  } else {
    lg_batch_fall_back(b, jobs, st, why.s);
  }
  bjs->state = LG_JOB_DONE;
  lg_buf_free(&why);
  lg_buf_free(&left);
  lg_buf_free(&notes);
  lg_buf_free(&problems);
  return clean;
}
