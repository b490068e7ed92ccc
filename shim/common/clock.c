/*
 * clock.c - the virtual clock. The libraries ask libc for "now" (session
 * creation, expiry checks, ticket ages): through time() (OpenSSL 3.0 and
 * 3.1, wolfSSL's seconds) or gettimeofday() (OpenSSL 3.2 and later, whose
 * ossl_time_now reads it for every session time; wolfSSL's milliseconds
 * for TLS 1.3 ticket ages). This executable defines both; the libraries
 * import them from the global scope, so the dynamic linker binds their
 * calls here (symbol interposition). The harness sets the clock with every
 * request. It is process-wide by nature. The clock moves in whole seconds,
 * so gettimeofday's microseconds are always 0.
 */
#include "shim.h"

#include <sys/time.h>
#include <time.h>

static _Atomic long long virtual_now = 1700000000;

time_t time(time_t *out)
{
    time_t now = (time_t)atomic_load(&virtual_now);

    if (out != NULL)
        *out = now;
    return now;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    tv->tv_sec = (time_t)atomic_load(&virtual_now);
    tv->tv_usec = 0;
    return 0;
}

void shim_set_clock(long long now)
{
    atomic_store(&virtual_now, now);
}

long long shim_clock(void)
{
    return atomic_load(&virtual_now);
}
