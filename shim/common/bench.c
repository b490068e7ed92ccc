/*
 * bench.c - the shim's raw benchmark mode, a developer option outside the
 * protocol:
 *
 *     sesslife-shim-openssl --bench-raw PASSES FILE
 *
 * FILE ("-" for stdin) holds call requests in the protocol's own form, one
 * JSON object per line: one sequence starting from an empty universe. They
 * are parsed once; then the sequence runs once to warm up and PASSES times
 * timed, straight against libssl on this thread through shim_perform, the function the protocol
 * dispatcher runs for every call, with a reset after each pass. No JSON,
 * no pipes, no threads are timed. The result line gives the wall and CPU
 * time, the rate, and an FNV-1a hash of every call's value and events, so that a harness can
 * check that the raw run did what its own run of the same sequence did.
 * A library whose universe needs a process of its own (LIB_FRESH_PROCESS:
 * wolfSSL, whose session cache only a fresh process empties) runs each
 * pass in a child forked from the untouched start-up state, as its shim's
 * reset does; the times then include the fork and the child's fresh pages,
 * the price of a clean universe that the harness pays too, and the CPU
 * time is the children's.
 */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef LIB_FRESH_PROCESS
#define LIB_FRESH_PROCESS 0
#endif

#define MAX_PASSES 100000000L

/* call is one loaded request and the line it came from. */
struct call {
    struct request rq;
    long line;
};

static uint64_t fnv_mix(uint64_t h, long long v)
{
    uint64_t u = (uint64_t)v;

    for (int i = 0; i < 8; i++) {
        h ^= (u >> (8 * i)) & 0xff;
        h *= 1099511628211ULL;
    }
    return h;
}

/* load reads the sequence; on error it names FILE:LINE and returns -1. */
static int load(const char *path, struct call **out, size_t *n)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    struct call *calls = NULL;
    size_t cap = 0;
    char *line = NULL, err[256] = "";
    size_t linecap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (f == NULL) {
        fprintf(stderr, "shim: --bench-raw: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((len = getline(&line, &linecap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            calls = realloc(calls, cap * sizeof(*calls));
            if (calls == NULL)
                abort();
        }
        if (shim_parse_request(line, &calls[*n].rq, err, sizeof(err)) == 0) {
            if (!shim_is_call(&calls[*n].rq))
                snprintf(err, sizeof(err), "\"%s\" is not a call", calls[*n].rq.op);
            else if (calls[*n].rq.now < 0)
                snprintf(err, sizeof(err), "\"now\" is missing");
            else
                err[0] = '\0';
        }
        if (err[0] != '\0') {
            fprintf(stderr, "shim: --bench-raw: %s:%ld: %s\n", path, lineno, err);
            rc = -1;
            break;
        }
        calls[*n].line = lineno;
        (*n)++;
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "shim: --bench-raw: reading %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && *n == 0) {
        fprintf(stderr, "shim: --bench-raw: %s holds no calls\n", path);
        rc = -1;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (rc != 0)
        free(calls);
    else
        *out = calls;
    return rc;
}

/* run_pass runs the sequence once and resets; it returns the hash of the
 * results, or sets *failed after naming the call that could not run. */
static uint64_t run_pass(struct shim *sh, const struct call *calls, size_t n, struct events *evs, const char *path,
                         int *failed)
{
    uint64_t h = 14695981039346656037ULL;
    char err[256];

    for (size_t i = 0; i < n; i++) {
        long long ret;

        err[0] = '\0';
        evs->n = 0;
        ret = shim_perform(sh, &calls[i].rq, evs, err, sizeof(err));
        if (err[0] != '\0') {
            fprintf(stderr, "shim: --bench-raw: %s:%ld: %s: %s\n", path, calls[i].line, calls[i].rq.op, err);
            *failed = 1;
            break;
        }
        h = fnv_mix(h, ret);
        h = fnv_mix(h, (long long)evs->n);
        for (size_t j = 0; j < evs->n; j++) {
            h = fnv_mix(h, evs->v[j].kind);
            h = fnv_mix(h, evs->v[j].ctx);
            h = fnv_mix(h, evs->v[j].sess);
        }
    }
    shim_reset(sh);
    return h;
}

/* run_fresh is run_pass in a child process forked from this one, which
 * has never run a call: the child sends the hash back through a pipe. */
static uint64_t run_fresh(struct shim *sh, const struct call *calls, size_t n, struct events *evs,
                          const char *path, int *failed)
{
    int fds[2], status = 0;
    uint64_t h = 0;
    pid_t pid;

    if (pipe(fds) != 0 || (pid = fork()) < 0) {
        fprintf(stderr, "shim: --bench-raw: cannot fork: %s\n", strerror(errno));
        *failed = 1;
        return 0;
    }
    if (pid == 0) {
        close(fds[0]);
        h = run_pass(sh, calls, n, evs, path, failed);
        if (*failed || write(fds[1], &h, sizeof(h)) != (ssize_t)sizeof(h))
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    if (read(fds[0], &h, sizeof(h)) != (ssize_t)sizeof(h))
        *failed = 1;
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        *failed = 1;
    return h;
}

/* one_pass runs the sequence once from an empty universe. */
static uint64_t one_pass(struct shim *sh, const struct call *calls, size_t n, struct events *evs,
                         const char *path, int *failed)
{
    if (LIB_FRESH_PROCESS)
        return run_fresh(sh, calls, n, evs, path, failed);
    return run_pass(sh, calls, n, evs, path, failed);
}

/* cpu_seconds is the CPU time of this process and its waited-for
 * children. */
static double cpu_seconds(void)
{
    struct rusage self, kids;
    double s = 0;

    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    s += (double)self.ru_utime.tv_sec + (double)self.ru_utime.tv_usec / 1e6;
    s += (double)self.ru_stime.tv_sec + (double)self.ru_stime.tv_usec / 1e6;
    s += (double)kids.ru_utime.tv_sec + (double)kids.ru_utime.tv_usec / 1e6;
    s += (double)kids.ru_stime.tv_sec + (double)kids.ru_stime.tv_usec / 1e6;
    return s;
}

int bench_raw(struct shim *sh, int argc, char **argv)
{
    struct events evs = { 0 };
    struct call *calls;
    struct timespec t0, t1;
    double c0, c1;
    uint64_t first = 0;
    char *end;
    long passes;
    size_t n;
    double secs, cpu;
    int failed = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: sesslife-shim-LIBRARY --bench-raw PASSES FILE\n");
        return 2;
    }
    errno = 0;
    passes = strtol(argv[0], &end, 10);
    if (errno != 0 || *end != '\0' || passes < 1 || passes > MAX_PASSES) {
        fprintf(stderr, "shim: --bench-raw: PASSES %s must be an integer in 1..%ld\n", argv[0], MAX_PASSES);
        return 2;
    }
    if (load(argv[1], &calls, &n) != 0)
        return 2;
    /* One pass first, not timed: a long-running shim is warm, and the first
     * SSL_CTX_new of a process loads OpenSSL's providers and algorithms. */
    first = one_pass(sh, calls, n, &evs, argv[1], &failed);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    c0 = cpu_seconds();
    for (long p = 0; p < passes && !failed; p++) {
        uint64_t h = one_pass(sh, calls, n, &evs, argv[1], &failed);

        if (h != first && !failed) {
            /* The universe starts empty each pass, so a pass that differs
             * means reset left something behind. */
            fprintf(stderr, "shim: --bench-raw: timed pass %ld gave other results than the first\n", p + 1);
            failed = 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    c1 = cpu_seconds();
    free(evs.v);
    free(calls);
    if (failed)
        return 1;
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cpu = c1 - c0;
    printf("bench-raw: passes %ld calls %zu seconds %.6f cpu-seconds %.6f calls/s %.0f ns/call %.0f fnv64a %016llx\n",
           passes, (size_t)passes * n, secs, cpu, (double)passes * (double)n / secs,
           secs * 1e9 / ((double)passes * (double)n), (unsigned long long)first);
    return 0;
}

/*
 * The protocol benchmark, a developer option like --bench-raw:
 *
 *     sesslife-shim-openssl --bench-proto PASSES FILE
 *
 * FILE is the same sequence of calls. Each timed pass runs it twice from an
 * empty universe, on this thread: raw as --bench-raw does, then through the
 * protocol's own path as the checked harness drives it: every call line,
 * followed by an observe, read from the input buffer by read_request
 * (parse, checks), served (perform, reply) or controlled (observe), the
 * replies written to stdout, which is /dev/null meanwhile; a reset line
 * ends the pass. Pipes, the harness and the lanes' threads are not in it.
 * A third timing parses every line of the pass and nothing else. The line
 * printed gives the CPU time per call of each (the protocol's is the call
 * and its observation together), so that what the protocol adds to a call
 * in the shim (extra-cpu-ns/call) is measured in one process. Not for a
 * library that needs a fresh process per universe (LIB_FRESH_PROCESS).
 */

/* cpu_ns is this thread's CPU time: precise, unlike getrusage's ticks. */
static long long cpu_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* proto_text is FILE as the harness would send it in lockstep: each call
 * line, then an observe, and a reset to end the pass. */
static char *proto_text(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    struct sbuf b = { 0 };
    char *line = NULL;
    size_t linecap = 0;
    ssize_t n;
    long long id = 0;

    if (f == NULL)
        return NULL;
    while ((n = getline(&line, &linecap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        sb_add(&b, line, (size_t)n);
        sb_printf(&b, "\n{\"id\":%lld,\"op\":\"observe\"}\n", ++id + 1000000000LL);
    }
    sb_printf(&b, "{\"id\":%lld,\"op\":\"reset\"}\n", ++id + 1000000000LL);
    free(line);
    if (f != stdin)
        fclose(f);
    *len = b.n;
    return b.s;
}

/* proto_pass serves text (len bytes) as the request loop would, one
 * request at a time. */
static void proto_pass(struct shim *sh, const char *text, size_t len)
{
    struct request rq;

    sh->in.buf = must_grow(sh->in.buf, &sh->in.cap, len + 1, 1);
    memcpy(sh->in.buf, text, len);
    sh->in.start = 0;
    sh->in.end = len;
    sh->in.eof = 1;
    sh->in.peeked = 0;
    while (read_request(sh, &rq)) {
        if (rq.code < OP_OBSERVE)
            serve(sh, &rq);
        else
            control(sh, &rq);
    }
}

/* parse_pass parses every line of text (len bytes) and nothing else. */
static int parse_pass(char *copy, const char *text, size_t len)
{
    struct request rq;
    char err[256];
    int bad = 0;

    memcpy(copy, text, len);
    copy[len] = '\0';
    for (char *s = copy, *nl; *s != '\0'; s = nl + 1) {
        nl = strchr(s, '\n');
        *nl = '\0';
        bad |= shim_parse_request(s, &rq, err, sizeof(err)) != 0;
    }
    return bad;
}

int bench_proto(struct shim *sh, int argc, char **argv)
{
    struct events evs = { 0 };
    struct call *calls;
    long long raw = 0, proto = 0, parse = 0, t;
    char *text, *copy, *end;
    long passes;
    size_t n, len;
    int failed = 0, out, devnull;

    if (LIB_FRESH_PROCESS) {
        fprintf(stderr, "shim: --bench-proto: this library needs a fresh process per universe; use --bench-raw\n");
        return 2;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: sesslife-shim-LIBRARY --bench-proto PASSES FILE\n");
        return 2;
    }
    errno = 0;
    passes = strtol(argv[0], &end, 10);
    if (errno != 0 || *end != '\0' || passes < 1 || passes > MAX_PASSES) {
        fprintf(stderr, "shim: --bench-proto: PASSES %s must be an integer in 1..%ld\n", argv[0], MAX_PASSES);
        return 2;
    }
    if (strcmp(argv[1], "-") == 0) {
        fprintf(stderr, "shim: --bench-proto reads FILE twice: give a file, not -\n");
        return 2;
    }
    if (load(argv[1], &calls, &n) != 0)
        return 2;
    text = proto_text(argv[1], &len);
    copy = text != NULL ? malloc(len + 1) : NULL;
    out = dup(STDOUT_FILENO);
    devnull = open("/dev/null", O_WRONLY);
    if (copy == NULL || out < 0 || devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0) {
        fprintf(stderr, "shim: --bench-proto: cannot set up: %s\n", strerror(errno));
        return 2;
    }
    /* Warm up both ways, untimed, as --bench-raw does. */
    one_pass(sh, calls, n, &evs, argv[1], &failed);
    proto_pass(sh, text, len);
    for (long p = 0; p < passes && !failed; p++) {
        t = cpu_ns();
        one_pass(sh, calls, n, &evs, argv[1], &failed);
        raw += cpu_ns() - t;
        t = cpu_ns();
        proto_pass(sh, text, len);
        proto += cpu_ns() - t;
        t = cpu_ns();
        failed |= parse_pass(copy, text, len);
        parse += cpu_ns() - t;
    }
    fflush(stdout);
    dup2(out, STDOUT_FILENO);
    close(out);
    close(devnull);
    free(evs.v);
    free(calls);
    free(text);
    free(copy);
    forget_held();
    if (failed) {
        fprintf(stderr, "shim: --bench-proto: a pass failed\n");
        return 1;
    }
    n *= (size_t)passes;
    printf("bench-proto: passes %ld calls %zu raw-cpu-ns/call %.0f proto-cpu-ns/call %.0f parse-cpu-ns/call %.0f "
           "extra-cpu-ns/call %.0f\n",
           passes, n, (double)raw / (double)n, (double)proto / (double)n, (double)parse / (double)n,
           (double)(proto - raw) / (double)n);
    return 0;
}
