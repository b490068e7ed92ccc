/*
 * main.c - the wolfSSL shim's start-up, virtual clock, reset and request loop.
 */
#include "library.h"

struct shim the_shim;

/* ------------------------------------------------------------------------
 * The virtual clock. wolfSSL asks time() for seconds (LowResTimer: session
 * birth, expiry) and gettimeofday() for milliseconds (TimeNowInMilliseconds:
 * TLS 1.3 ticket ages). libwolfssl imports both from the global scope
 * (nm -D shows "U time" and "U gettimeofday"), so the dynamic linker binds
 * its calls to these definitions (symbol interposition).
 * ------------------------------------------------------------------------ */
long long virtual_now = 1700000000;

time_t time(time_t *out)
{
    if (out != NULL)
        *out = (time_t)virtual_now;
    return (time_t)virtual_now;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    tv->tv_sec = (time_t)virtual_now;
    tv->tv_usec = 0;
    return 0;
}

/* next_line returns the next request line (NUL-terminated, without its
 * newline), or NULL at end of input. */
static char *next_line(struct input *in)
{
    for (;;) {
        char *nl = memchr(in->buf + in->off, '\n', in->len - in->off);
        ssize_t n;

        if (nl != NULL) {
            char *line = in->buf + in->off;

            *nl = '\0';
            in->off = (size_t)(nl - in->buf) + 1;
            return line;
        }
        if (in->off > 0) {
            memmove(in->buf, in->buf + in->off, in->len - in->off);
            in->len -= in->off;
            in->off = 0;
        }
        in->buf = must_grow(in->buf, &in->cap, in->len + 65536 + 1, 1);
        n = read(0, in->buf + in->len, 65536);
        if (n <= 0) {
            if (in->len == 0)
                return NULL;
            in->buf[in->len] = '\0'; /* a last line without a newline */
            in->off = in->len;
            return in->buf;
        }
        in->len += (size_t)n;
    }
}

/*
 * reset starts a new universe. wolfSSL's session cache is one static table
 * per process (SessionCache in ssl.c) shared by every SSL_CTX, and no call
 * empties it: wolfSSL_flush_sessions is a no-op and
 * wolfSSL_memrestore_session_cache copies back only the first entry of each
 * row. So once a universe may have put something there (dirty), the shim
 * replaces its own image with a fresh copy of itself (same process, same
 * pipes; the harness sends nothing until it has the reply) that skips the
 * hello line.
 */
static void reset(struct shim *sh, long long id, int quit)
{
    struct sbuf b = { 0 };

    free_universe(sh);
    sb_printf(&b, "{\"id\":%lld,\"ret\":0,\"events\":[]}", id);
    write_line(&b);
    free(b.s);
    if (quit || !sh->dirty)
        return;
    wolfSSL_Cleanup();
    setenv(FRESH_ENV, "1", 1);
    if (sh->in.off < sh->in.len) {
        sh->in.buf[sh->in.len] = '\0';
        setenv(PENDING_ENV, sh->in.buf + sh->in.off, 1);
    }
    execv("/proc/self/exe", sh->argv);
    fprintf(stderr, "shim: reset: cannot re-execute myself; exiting\n");
    exit(1);
}

/* ------------------------------------------------------------------------
 * Requests.
 * ------------------------------------------------------------------------ */

static void hello(void)
{
    struct sbuf b = { 0 };
    int first = 1;

    sb_printf(&b, "{\"hello\":\"%s\",\"library\":\"wolfSSL\",\"version\":", PROTOCOL);
    sb_string(&b, wolfSSL_lib_version());
    sb_printf(&b, ",\"profile\":\"%s\",\"variant\":\"\",\"concurrent\":false,\"calls\":[", PROFILE);
    for (int i = OP_CTX_NEW; i <= OP_TICK; i++) {
        if (!implemented((enum op)i))
            continue;
        sb_printf(&b, "%s\"%s\"", first ? "" : ",", op_names[i]);
        first = 0;
    }
    sb_printf(&b, "]}");
    write_line(&b);
    free(b.s);
}

int main(int argc, char **argv)
{
    struct shim *sh = &the_shim;
    const char *want = getenv("SESSLIFE_SHIM_PROTOCOL");
    int fresh = getenv(FRESH_ENV) != NULL;
    const char *pending = getenv(PENDING_ENV);
    char *line;

    (void)argc;
    if (want != NULL && *want != '\0' && strcmp(want, PROTOCOL) != 0) {
        fprintf(stderr, "shim: protocol %s requested; this shim speaks only %s\n", want, PROTOCOL);
        return EXIT_WRONG_PROTOCOL;
    }
    if (pending != NULL) {
        size_t n = strlen(pending);

        sh->in.buf = must_grow(sh->in.buf, &sh->in.cap, n + 1, 1);
        memcpy(sh->in.buf, pending, n);
        sh->in.len = n;
    }
    unsetenv(FRESH_ENV);
    unsetenv(PENDING_ENV);
    signal(SIGPIPE, SIG_IGN);
    sh->argv = argv;
    sh->verbose = getenv("SESSLIFE_SHIM_VERBOSE") != NULL;
    if (wolfSSL_SetAllocators(shim_malloc, shim_free, shim_realloc) != 0 || wolfSSL_Init() != WOLFSSL_SUCCESS) {
        fprintf(stderr, "shim: wolfSSL_Init failed\n");
        return 1;
    }
    if (!fresh)
        hello();

    while ((line = next_line(&sh->in)) != NULL) {
        struct request rq;
        char err[256] = "";
        enum op op;
        size_t n = strlen(line);

        while (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (shim_parse_request(line, &rq, err, sizeof(err)) != 0) {
            reply_error(rq.id > 0 ? rq.id : 0, err);
            continue;
        }
        if (rq.cfg.timeout > UINT_MAX) { /* wolfSSL keeps timeouts in a word32 */
            reply_error(rq.id, "\"timeout\" must be an integer in 0..4294967295");
            continue;
        }
        op = parse_op(rq.op);
        if (!implemented(op) && op < OP_OBSERVE) {
            struct sbuf b = { 0 };

            sb_printf(&b, "{\"id\":%lld,\"unimplemented\":true}", rq.id);
            write_line(&b);
            free(b.s);
            continue;
        }
        if (op == OP_OBSERVE) {
            observe(sh, rq.id);
        } else if (op == OP_RESET || op == OP_QUIT) {
            reset(sh, rq.id, op == OP_QUIT);
            if (op == OP_QUIT)
                break;
        } else if (rq.now < 0) {
            reply_error(rq.id, "\"now\" is missing");
        } else {
            serve(sh, op, &rq);
        }
    }
    free_universe(sh);
    free(sh->in.buf);
    wolfSSL_Cleanup();
    return 0;
}
