/*
 * fresh.c - a fresh wolfSSL for every universe, by fork.
 *
 * wolfSSL's session cache is one static table per process, and no call
 * empties it (main.c, lib_after_reset). So every universe must start in a
 * process whose wolfSSL has never cached anything. Re-executing the shim
 * gives that, but costs a program load and a wolfSSL_Init per reset, more
 * than the calls of a typical sequence (docs/perf.md, "wolfSSL"). Instead
 * the process the harness started keeps a pristine wolfSSL (initialised,
 * no SSL_CTX made) and serves nothing itself: it forks a server, and when
 * that server ends its universe it hands back the request bytes it had
 * read but not served, exits, and the keeper forks the next one from the
 * same pristine state.
 *
 * The keeper ends as its last server ended: exit 0 after "quit" or the end
 * of input, the same exit code otherwise, and the same signal after a
 * crash, so the harness sees a crash of the system under test exactly as
 * from a single process. Servers die with the keeper (PR_SET_PDEATHSIG) and
 * share its process group, which the harness kills on a timeout.
 */
#include "shim.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* handover_mark starts what a server writes to the keeper when it ends a
 * universe; anything else (nothing) means it ended the whole session. */
static const char handover_mark = 'R';

/* read_all reads fd to its end into a new buffer; *n gets its length. */
static char *read_all(int fd, size_t *n)
{
    char *buf = NULL;
    size_t cap = 0;

    *n = 0;
    for (;;) {
        ssize_t r;

        buf = must_grow(buf, &cap, *n + 4096, 1);
        r = read(fd, buf + *n, cap - *n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        *n += (size_t)r;
    }
    return buf;
}

/* end_like ends the keeper the way its server ended (status from
 * waitpid). */
static void end_like(int status)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);

        signal(sig, SIG_DFL);
        raise(sig);
        _exit(128 + sig);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

void fresh_keep(struct shim *sh)
{
    char *pending = NULL;
    size_t npending = 0;
    pid_t keeper = getpid();

    for (;;) {
        int fds[2], status;
        pid_t pid;
        char *back;
        size_t nback;

        if (pipe(fds) != 0 || (pid = fork()) < 0) {
            fprintf(stderr, "shim: cannot start a fresh wolfSSL: %s\n", strerror(errno));
            exit(1);
        }
        if (pid == 0) {
            /* The server: it inherits the pristine wolfSSL and the bytes
             * the last one had read ahead. */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != keeper)
                _exit(1);
            close(fds[0]);
            sh->lib.handover = fds[1];
            if (npending > 0) {
                sh->in.buf = must_grow(sh->in.buf, &sh->in.cap, npending + 1, 1);
                memcpy(sh->in.buf, pending, npending);
                sh->in.start = 0;
                sh->in.end = npending;
            }
            free(pending);
            return;
        }
        close(fds[1]);
        back = read_all(fds[0], &nback);
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        free(pending);
        pending = NULL;
        npending = 0;
        if (nback == 0 || back[0] != handover_mark || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            free(back);
            end_like(status);
        }
        npending = nback - 1;
        pending = back;
        memmove(pending, pending + 1, npending);
    }
}

void fresh_handover(struct shim *sh)
{
    size_t n = sh->in.end - sh->in.start;
    const char *p = sh->in.buf + sh->in.start;

    if (write(sh->lib.handover, &handover_mark, 1) != 1) {
        fprintf(stderr, "shim: reset: the keeper is gone\n");
        _exit(1);
    }
    while (n > 0) {
        ssize_t w = write(sh->lib.handover, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "shim: reset: cannot hand pending requests over: %s\n", strerror(errno));
            _exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
    _exit(0);
}
