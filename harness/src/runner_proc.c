/* A run's process: started in its own group with its logs, polled for its
 * end record, and what it left behind found, killed and reaped
 * (runner_int.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner_int.h"
#include "sites.h"

int lg_spawn(lg_jstate_t *js, lg_run_t *run) {
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

/* True when the last complete line of the probe stream is an end record:
 * a JSON object whose top-level "type" is "end" (a nested {"type":"end"}
 * inside another record is not). Only the last 4 KiB are read: this is
 * polled while the scenario runs, however large its stream. */
int lg_probe_ended(const char *probe_path) {
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
void lg_clear_run_dir(const char *run_dir) {
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
size_t lg_leftovers(const lg_jstate_t *all, size_t n, const lg_jstate_t *js,
                    int group_killed, int sole, lg_buf_t *ev) {
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
