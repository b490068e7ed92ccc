/*
 * main.c - the sesslife-shim/1 shim for wolfSSL 5.5 (see docs/protocol.md):
 * start-up, wolfSSL's second clock, and reset by a fresh image. The shim
 * reads one JSON request per line on stdin, performs the call on real
 * wolfSSL objects through wolfSSL's OpenSSL compatibility layer and writes
 * one JSON reply per line on stdout; ../common has all of that but
 * wolfSSL's side (lib.h). It serves one request at a time ("concurrent":
 * false).
 *
 * Build: see Makefile.
 */
#include "shim.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* Set in the environment of the fresh image a reset executes (see
 * lib_after_reset): FRESH_ENV says "skip the hello", PENDING_ENV carries
 * request bytes the old image had read but not served. */
#define FRESH_ENV "SESSLIFE_WOLFSSL_FRESH"
#define PENDING_ENV "SESSLIFE_WOLFSSL_PENDING"

struct shim the_shim;

/* wolfSSL asks time() for seconds (LowResTimer: session birth, expiry; see
 * ../common/clock.c) and gettimeofday() for milliseconds
 * (TimeNowInMilliseconds: TLS 1.3 ticket ages). libwolfssl imports both
 * from the global scope (nm -D shows "U time" and "U gettimeofday"), so the
 * dynamic linker binds its calls to these definitions (symbol
 * interposition). */
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    tv->tv_sec = (time_t)shim_clock();
    tv->tv_usec = 0;
    return 0;
}

/* Nothing of wolfSSL's outlives the universe's objects but its cache. */
void lib_reset_done(struct shim *sh)
{
    (void)sh;
}

/*
 * lib_after_reset starts the new universe. wolfSSL's session cache is one
 * static table per process (SessionCache in ssl.c) shared by every SSL_CTX,
 * and no call empties it: wolfSSL_flush_sessions is a no-op and
 * wolfSSL_memrestore_session_cache copies back only the first entry of each
 * row. So once a universe may have put something there (dirty), the shim
 * replaces its own image with a fresh copy of itself (same process, same
 * pipes; the harness sends nothing until it has the reply) that skips the
 * hello line.
 */
void lib_after_reset(struct shim *sh)
{
    if (!sh->lib.dirty)
        return;
    wolfSSL_Cleanup();
    setenv(FRESH_ENV, "1", 1);
    if (sh->in.start < sh->in.end) {
        sh->in.buf[sh->in.end] = '\0';
        setenv(PENDING_ENV, sh->in.buf + sh->in.start, 1);
    }
    execv("/proc/self/exe", sh->lib.argv);
    fprintf(stderr, "shim: reset: cannot re-execute myself; exiting\n");
    exit(1);
}

int main(int argc, char **argv)
{
    struct shim *sh = &the_shim;
    int fresh = getenv(FRESH_ENV) != NULL;
    const char *pending = getenv(PENDING_ENV);

    (void)argc;
    if (!shim_protocol_ok())
        return EXIT_WRONG_PROTOCOL;
    if (pending != NULL) {
        size_t n = strlen(pending);

        sh->in.buf = must_grow(sh->in.buf, &sh->in.cap, n + 1, 1);
        memcpy(sh->in.buf, pending, n);
        sh->in.end = n;
    }
    unsetenv(FRESH_ENV);
    unsetenv(PENDING_ENV);
    signal(SIGPIPE, SIG_IGN);
    shim_init(sh);
    sh->lib.argv = argv;
    if (wolfSSL_SetAllocators(shim_malloc, shim_free, shim_realloc) != 0 || wolfSSL_Init() != WOLFSSL_SUCCESS) {
        fprintf(stderr, "shim: wolfSSL_Init failed\n");
        return 1;
    }
    if (!fresh)
        hello(sh);
    shim_serve(sh);
    shim_reset(sh);
    free(sh->in.buf);
    wolfSSL_Cleanup();
    return 0;
}
