/*
 * clock.c - libsesslife-clock.so, the virtual clock for shims that are not
 * C programs (docs/protocol.md, "The virtual clock").
 *
 * A C shim follows the harness's clock by defining time() in its own
 * executable, which the dynamic linker then binds libssl's calls to. A shim
 * written in Python, Ruby, JavaScript, ... cannot: the interpreter is the
 * executable. Loaded with LD_PRELOAD, this library comes before libc in the
 * global symbol scope, so the same binding happens: every call to time()
 * from libssl or libcrypto lands here, and returns the value the shim last
 * passed to sesslife_clock_set (through its language's C interface, e.g.
 * Python's ctypes) before it performed a call.
 *
 * Which entry points: libssl 3.0 reads "now" for sessions (creation time,
 * expiry on lookup and flush, ticket ages) only through time(); its other
 * clock import, gettimeofday, serves DTLS timers, and libcrypto's
 * clock_gettime and gettimeofday serve random-seed nonces and datagram
 * sockets. libssl 3.2 and later read every session time through
 * gettimeofday (ossl_time_now), and wolfSSL reads ticket ages in
 * milliseconds through it, so both are covered (the C shims define both
 * in shim/common/clock.c for the same reasons).
 * clock_gettime is left alone on purpose: interpreters measure timeouts
 * and their own time.time() with it, and nothing about sessions needs it.
 *
 * Until the shim first sets the clock, both functions tell the real time,
 * so that preloading the library changes nothing for the interpreter's
 * start-up or for programs the shim runs (LD_PRELOAD is inherited).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

/* One clock per process, as in the C shims: a shim serving lanes
 * concurrently sets it at the start of every call. Atomic, because those
 * calls run on several threads. is_set turns true at the first set and
 * stays so; until then the real time applies. */
static _Atomic long long virtual_now;
static atomic_bool is_set;

/* sesslife_clock_set makes time() and gettimeofday() report now (Unix
 * seconds) from this moment on; a shim calls it with each call request's
 * "now" before it lets the library run. */
EXPORT void sesslife_clock_set(long long now)
{
    atomic_store(&virtual_now, now);
    atomic_store(&is_set, true); /* after the value: a reader that sees it set sees the value */
}

/* real_now reads the real clock through clock_gettime, which this library
 * does not replace, so there is no recursion. */
static struct timespec real_now(void)
{
    struct timespec ts = { 0, 0 };

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts;
}

EXPORT time_t time(time_t *out)
{
    time_t now = atomic_load(&is_set) ? (time_t)atomic_load(&virtual_now) : real_now().tv_sec;

    if (out != NULL)
        *out = now;
    return now;
}

/* gettimeofday reports whole virtual seconds (microseconds 0), as the
 * wolfSSL shim's does; tz, obsolete, is zeroed as glibc zeroes it. glibc
 * declares tv non-null. */
EXPORT int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    if (tz != NULL)
        memset(tz, 0, sizeof(struct timezone));
    if (atomic_load(&is_set)) {
        tv->tv_sec = (time_t)atomic_load(&virtual_now);
        tv->tv_usec = 0;
    } else {
        struct timespec ts = real_now();

        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return 0;
}
