/* The attribution of one run, after its analysis (lg_sites_explain, sites.h):
 * run in a child process bounded in time and memory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model.h"
#include "sites.h"
#include "util.h"

/* Bounds on the attribution's time and memory (it runs in a child
 * process). */
#define LG_ATTRIBUTE_SECONDS 60
#define LG_ATTRIBUTE_MEMORY ((rlim_t)4 << 30)
/* No address-space limit in a sanitizer build of the harness: the
 * sanitizer's shadow memory alone reserves terabytes. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LG_LIMIT_AS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LG_LIMIT_AS 0
#endif
#endif
#ifndef LG_LIMIT_AS
#define LG_LIMIT_AS 1
#endif

/* lg_sites_attribute in a child process, so that what libdwfl makes of the
 * files a scenario chose cannot hang, crash or exhaust the harness: the
 * child has LG_ATTRIBUTE_SECONDS of time and LG_ATTRIBUTE_MEMORY of address
 * space, and sends its result through a pipe. Same results as
 * lg_sites_attribute; a child that fails is an error naming how. */
static int lg_sites_attribute_bounded(const char *sites_path, char *const *skip,
                                      size_t nskip, lg_sites_report_t *rep,
                                      char **err) {
  memset(rep, 0, sizeof *rep);
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) {
    *err = lg_fmt("pipe: %s", strerror(errno));
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *err = lg_fmt("fork: %s", strerror(errno));
    close(pfd[0]);
    close(pfd[1]);
    return -1;
  }
  if (pid == 0) {
    close(pfd[0]);
    struct rlimit as = {LG_ATTRIBUTE_MEMORY, LG_ATTRIBUTE_MEMORY},
                  cpu = {LG_ATTRIBUTE_SECONDS, LG_ATTRIBUTE_SECONDS};
    if (LG_LIMIT_AS)
      setrlimit(RLIMIT_AS, &as);
    setrlimit(RLIMIT_CPU, &cpu);
    alarm(LG_ATTRIBUTE_SECONDS);
    unsetenv("DEBUGINFOD_URLS");
    lg_sites_report_t r;
    char *e = NULL;
    int rc = lg_sites_attribute(sites_path, skip, nskip, &r, &e);
    lg_buf_t out = {0};
    if (rc > 0)
      lg_buf_addf(&out, "1 %lld %lld %zu\n%s%s", r.i_first, r.i_last,
                  strlen(r.summary), r.summary, r.table);
    else if (rc == 0)
      lg_buf_add(&out, "0\n");
    else
      lg_buf_addf(&out, "-1\n%s", e ? e : "?");
    for (size_t off = 0; off < out.len;) {
      ssize_t w = write(pfd[1], out.s + off, out.len - off);
      if (w <= 0)
        _exit(1);
      off += (size_t)w;
    }
    _exit(0);
  }
  close(pfd[1]);
  lg_buf_t in = {0};
  double deadline = lg_now_ms() + (LG_ATTRIBUTE_SECONDS + 10) * 1000.0;
  int timed_out = 0;
  for (;;) {
    double left = deadline - lg_now_ms();
    if (left <= 0) {
      timed_out = 1;
      break;
    }
    struct pollfd p = {pfd[0], POLLIN, 0};
    int r = poll(&p, 1, (int)left + 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      timed_out = r == 0;
      break;
    }
    char buf[65536];
    ssize_t n = read(pfd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0 || in.len > ((size_t)64 << 20))
      break;
    lg_buf_addn(&in, buf, (size_t)n);
  }
  close(pfd[0]);
  if (timed_out)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  int rc = -1;
  long long i0, i1;
  size_t slen;
  int used = 0;
  if (timed_out) {
    *err = lg_fmt("the attribution took over %d s and was stopped",
                  LG_ATTRIBUTE_SECONDS + 10);
  } else if (WIFSIGNALED(status)) {
    *err = lg_fmt("the attribution process was killed by %s (a limit of %d "
                  "s of CPU, %llu MiB of memory)",
                  lg_signal_name(WTERMSIG(status)), LG_ATTRIBUTE_SECONDS,
                  (unsigned long long)(LG_ATTRIBUTE_MEMORY >> 20));
  } else if (in.s && strncmp(in.s, "0\n", 2) == 0) {
    rc = 0;
  } else if (in.s && strncmp(in.s, "-1\n", 3) == 0) {
    *err = lg_xstrdup(in.s + 3);
  } else if (in.s &&
             sscanf(in.s, "1 %lld %lld %zu\n%n", &i0, &i1, &slen, &used) == 3 &&
             used > 0 && slen <= in.len - (size_t)used) {
    rep->summary = lg_xstrndup(in.s + used, slen);
    rep->table = lg_xstrdup(in.s + used + slen);
    rep->i_first = i0;
    rep->i_last = i1;
    rc = 1;
  } else {
    *err = lg_fmt("the attribution process ended without a result (exit "
                  "status %d)",
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  lg_buf_free(&in);
  return rc;
}

static int lg_native_metric(const char *name) {
  static const char *const names[] = {
      "mallocInUse",         "mallocBlocks", "rss",
      "liveBytes",           "liveBlocks",   "scenarioMallocInUse",
      "scenarioMallocBlocks"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i]) == 0)
      return 1;
  return 0;
}

char *lg_sites_explain(const lg_run_t *run, const char *sites_path,
                       const char *run_dir, char *const *skip, size_t nskip) {
  int native = 0;
  for (size_t i = 0; i < run->nmetrics; i++)
    native |= run->metrics[i].flagged && lg_native_metric(run->metrics[i].name);
  char *note = NULL;
  if (run->detected == LG_V_LEAK && native) {
    lg_sites_report_t rep;
    char *err = NULL;
    int rc = lg_sites_attribute_bounded(sites_path, skip, nskip, &rep, &err);
    if (rc > 0) {
      char *txt = lg_path_join(run_dir, "sites.txt");
      if (lg_write_file(txt, rep.table, strlen(rep.table)) != 0)
        note = lg_fmt("%s (sites.txt: %s)", rep.summary, strerror(errno));
      else
        note = lg_xstrdup(rep.summary);
      free(txt);
      lg_sites_report_free(&rep);
    } else if (rc < 0) {
      note = lg_fmt("allocation sites not read: %s", err);
    }
    free(err);
  }
  lg_sites_remove(sites_path);
  return note;
}
