/*
 * main.c - the sesslife-shim/1 shim for wolfSSL 5.5 (see docs/protocol.md):
 * start-up and reset by a fresh process (fresh.c). The shim
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
#include <unistd.h>

struct shim the_shim;

/* wolfSSL asks time() for seconds (LowResTimer: session birth, expiry)
 * and gettimeofday() for milliseconds (TimeNowInMilliseconds: TLS 1.3
 * ticket ages); libwolfssl imports both from the global scope (nm -D shows
 * "U time" and "U gettimeofday"), and ../common/clock.c defines both. */

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
 * row. So once a universe may have put something there (dirty), this
 * server hands its unread requests to the keeper and exits, and the keeper
 * forks a fresh one (fresh.c; the harness sends nothing until it has the
 * reply).
 */
void lib_after_reset(struct shim *sh)
{
    if (sh->lib.dirty)
        fresh_handover(sh);
}

int main(int argc, char **argv)
{
    struct shim *sh = &the_shim;

    if (!shim_protocol_ok())
        return EXIT_WRONG_PROTOCOL;
    signal(SIGPIPE, SIG_IGN);
    shim_init(sh);
    if (wolfSSL_SetAllocators(shim_malloc, shim_free, shim_realloc) != 0 || wolfSSL_Init() != WOLFSSL_SUCCESS) {
        fprintf(stderr, "shim: wolfSSL_Init failed\n");
        return 1;
    }
    if (argc >= 2 && strcmp(argv[1], "--bench-raw") == 0)
        return bench_raw(sh, argc - 2, argv + 2); /* docs/protocol.md §10 */
    hello(sh);
    fresh_keep(sh);
    shim_serve(sh);
    shim_reset(sh);
    return 0;
}
