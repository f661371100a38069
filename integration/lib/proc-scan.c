/* proc-scan: run inside a container with CAP_SYS_PTRACE while the host starts processes in
 * it (runc exec, or a second container that shares the pid namespace). Loops over /proc/<pid>
 * of every process that was not there at start and tries to reach the host through it:
 *
 *   - /proc/<pid>/root, /proc/<pid>/cwd and every directory in /proc/<pid>/fd/, walking ".."
 *     up from each, looking for MARKER (an absolute path that exists only on the host);
 *   - PTRACE_SEIZE + PTRACE_INTERRUPT: if the process stops under our control while it is
 *     still the runtime (its /proc/<pid>/exe is not a file of the container), the same walk
 *     is repeated on the stopped process (nothing can change under us then), and its effective
 *     capabilities are compared with our own bounding set.
 *
 *   proc-scan MARKER SECONDS [READY-FILE]
 *
 * Prints "scanned=N seized=N runtime_stopped=N runtime_privileged=N host_hits=N" and one
 * "HIT ..." line per host file reached. Exit 0 when nothing of the host was reached, 1 on
 * a hit, 2 on usage errors. Static, no libc extras: gcc -static -O2 -o proc-scan proc-scan.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_KNOWN 4096

static const char *marker_rel; /* MARKER without its leading '/' */
static pid_t known[MAX_KNOWN];
static int nknown;
static unsigned long scanned, seized, runtime_stopped, runtime_privileged, host_hits;
static uint64_t own_bounding;

static int is_known(pid_t p) {
    for (int i = 0; i < nknown; i++)
        if (known[i] == p) return 1;
    return 0;
}

static void remember_all(void) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    if (!d) return;
    while ((e = readdir(d)) && nknown < MAX_KNOWN) {
        pid_t p = (pid_t)atoi(e->d_name);
        if (p > 0) known[nknown++] = p;
    }
    closedir(d);
}

/* From directory fd `dir` (consumed), walk ".." up to the top and look for the marker at
 * every level. Returns 1 when found. */
static int walk_for_marker(int dir, pid_t pid, const char *via) {
    int found = 0;
    for (int level = 0; level < 64 && dir >= 0; level++) {
        if (faccessat(dir, marker_rel, F_OK, 0) == 0) {
            printf("HIT pid=%d via=%s level=%d\n", (int)pid, via, level);
            fflush(stdout);
            found = 1;
            break;
        }
        int up = openat(dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct stat a, b;
        int top = up >= 0 && fstat(dir, &a) == 0 && fstat(up, &b) == 0 && a.st_dev == b.st_dev &&
                  a.st_ino == b.st_ino;
        close(dir);
        dir = up;
        if (top) break;
    }
    if (dir >= 0) close(dir);
    return found;
}

static int probe_link(pid_t pid, const char *what) {
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return 0;
    return walk_for_marker(fd, pid, what);
}

/* root, cwd, every directory fd. Returns the number of hits. */
static int probe_pid(pid_t pid) {
    int hits = probe_link(pid, "root") + probe_link(pid, "cwd");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d) return hits;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char what[80];
        snprintf(what, sizeof what, "fd/%s", e->d_name);
        hits += probe_link(pid, what);
    }
    closedir(d);
    return hits;
}

static uint64_t status_caps(pid_t pid, const char *key) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    uint64_t v = 0;
    if (!f) return 0;
    size_t n = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0) v = strtoull(line + n, NULL, 16);
    fclose(f);
    return v;
}

/* The process runs a file of the container: /proc/<pid>/exe is the same inode as the path
 * it names, resolved in our root. The runtime's binary (a host path, or a memfd) is not. */
static int runs_container_file(pid_t pid) {
    char path[64], target[4096];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0) return 0;
    target[n] = 0;
    struct stat a, b;
    if (stat(path, &a) < 0 || stat(target, &b) < 0) return 0;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Each process is stopped once (the first time it is seen, while it is youngest): stopping
 * it on every pass would mostly slow down the runtime that drives it. */
static pid_t tried[1024];
static unsigned ntried;

static void try_ptrace(pid_t pid) {
    for (unsigned i = 0; i < 1024 && i < ntried; i++)
        if (tried[i] == pid) return;
    tried[ntried++ % 1024] = pid;
    if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) return;
    seized++;
    if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0) {
        int st;
        pid_t w;
        do w = waitpid(pid, &st, __WALL); while (w < 0 && errno == EINTR);
        if (w == pid && WIFSTOPPED(st) && !runs_container_file(pid)) {
            runtime_stopped++;
            if (probe_pid(pid)) host_hits++;
            if (status_caps(pid, "CapEff:") & ~own_bounding) runtime_privileged++;
        }
    }
    ptrace(PTRACE_DETACH, pid, 0, 0);
}

int main(int argc, char **argv) {
    if (argc < 3 || argv[1][0] != '/') {
        fprintf(stderr, "usage: proc-scan /HOST/MARKER SECONDS [READY-FILE]\n");
        return 2;
    }
    marker_rel = argv[1] + 1;
    int seconds = atoi(argv[2]);
    if (access(argv[1], F_OK) == 0) {
        fprintf(stderr, "proc-scan: the marker %s exists in the container itself\n", argv[1]);
        return 2;
    }
    own_bounding = status_caps(getpid(), "CapBnd:");
    remember_all();
    if (argc > 3) {
        int fd = open(argv[3], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) close(fd);
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= seconds) break;
        DIR *d = opendir("/proc");
        if (!d) return 2;
        struct dirent *e;
        while ((e = readdir(d))) {
            pid_t p = (pid_t)atoi(e->d_name);
            if (p <= 0 || p == getpid() || is_known(p)) continue;
            scanned++;
            if (probe_pid(p)) host_hits++;
            try_ptrace(p);
        }
        closedir(d);
    }
    printf("scanned=%lu seized=%lu runtime_stopped=%lu runtime_privileged=%lu host_hits=%lu\n", scanned, seized,
           runtime_stopped, runtime_privileged, host_hits);
    return host_hits ? 1 : 0;
}
