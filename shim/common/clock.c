/*
 * clock.c - the virtual clock. The libraries ask time(NULL) for "now"
 * (session creation, expiry checks, ticket ages). This executable defines
 * time() itself; the libraries import it from the global scope, so the
 * dynamic linker binds their calls here (symbol interposition). The
 * harness sets the clock with every request. It is process-wide by nature.
 * A library that asks another function as well defines that one in its
 * folder, from shim_clock (wolfSSL: gettimeofday).
 */
#include "shim.h"

#include <time.h>

static _Atomic long long virtual_now = 1700000000;

time_t time(time_t *out)
{
    time_t now = (time_t)atomic_load(&virtual_now);

    if (out != NULL)
        *out = now;
    return now;
}

void shim_set_clock(long long now)
{
    atomic_store(&virtual_now, now);
}

long long shim_clock(void)
{
    return atomic_load(&virtual_now);
}
