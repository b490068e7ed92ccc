/*
 * requests.c - what a shim reads on stdin: request lines, read with read(2)
 * so that the reader can tell whether the next line has already arrived;
 * the lines that are not requests are answered here. Control operations
 * (observe, reset, quit) are run here as well, once no call is in flight.
 */
#include "shim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* next_line returns the next line of input without its newline,
 * NUL-terminated in place (valid until the next call), or NULL at the end.
 * The buffer always keeps a byte free after what it holds. */
static char *next_line(struct input *in)
{
    for (;;) {
        char *nl = in->end > in->start ? memchr(in->buf + in->start, '\n', in->end - in->start) : NULL;
        ssize_t n;

        if (nl != NULL || (in->eof && in->end > in->start)) {
            char *line = in->buf + in->start;

            if (nl == NULL)
                nl = in->buf + in->end; /* the last line has no newline; cap > end */
            *nl = '\0';
            in->start = (size_t)(nl - in->buf) + 1;
            if (in->start > in->end)
                in->start = in->end;
            return line;
        }
        if (in->eof)
            return NULL;
        in->peeked = 0; /* what was peeked at has been taken: offsets move */
        if (in->start > 0) {
            memmove(in->buf, in->buf + in->start, in->end - in->start);
            in->end -= in->start;
            in->start = 0;
        }
        in->buf = must_grow(in->buf, &in->cap, in->end + 4096, 1);
        n = read(STDIN_FILENO, in->buf + in->end, in->cap - in->end - 1);
        if (n > 0)
            in->end += (size_t)n;
        else if (n == 0 || errno != EINTR)
            in->eof = 1;
    }
}

int control_next(struct input *in)
{
    char *line, *nl;
    char err[256];

    if (in->end == in->start)
        return 0;
    line = in->buf + in->start;
    nl = memchr(line, '\n', in->end - in->start);
    if (nl == NULL)
        return 0;
    if (in->peeked && in->peek_at == in->start)
        return in->peek.code >= OP_OBSERVE;
    *nl = '\0';
    in->peeked = shim_parse_request(line, &in->peek, err, sizeof(err)) == 0;
    in->peek_at = in->start;
    *nl = '\n';
    return in->peeked && in->peek.code >= OP_OBSERVE;
}

int read_request(struct shim *sh, struct request *rq)
{
    char *s;

    while ((s = next_line(&sh->in)) != NULL) {
        char err[256] = "";
        size_t n = strlen(s);
        int bad;

        while (n > 0 && s[n - 1] == '\r')
            s[--n] = '\0';
        /* A trailing CR is white space to JSON, so control_next's parse of
         * the line with it stands. */
        if (sh->in.peeked && s == sh->in.buf + sh->in.peek_at) {
            *rq = sh->in.peek;
            bad = 0;
        } else {
            bad = n > 0 && shim_parse_request(s, rq, err, sizeof(err)) != 0;
        }
        sh->in.peeked = 0;
        if (n == 0)
            continue;
        if (bad || lib_check_request(rq, err, sizeof(err)) != 0) {
            reply_error(sh, rq->id > 0 ? rq->id : 0, err);
        } else if (rq->code == OP_UNKNOWN || (rq->code < OP_OBSERVE && !lib_implemented(rq->code))) {
            struct sbuf *b = reply_buf();

            SB_LIT(b, "{\"id\":");
            sb_int(b, rq->id);
            SB_LIT(b, ",\"unimplemented\":true}");
            write_line(sh, b);
        } else if (rq->code < OP_OBSERVE && rq->now < 0) {
            reply_error(sh, rq->id, "\"now\" is missing");
        } else {
            return 1;
        }
    }
    return 0;
}

void control(struct shim *sh, const struct request *rq)
{
    struct sbuf *b;

    if (rq->code == OP_OBSERVE) {
        observe(sh, rq->id);
        return;
    }
    shim_reset(sh);
    b = reply_buf();
    SB_LIT(b, "{\"id\":");
    sb_int(b, rq->id);
    SB_LIT(b, ",\"ret\":0,\"events\":[]}");
    write_line(sh, b);
    if (rq->code == OP_RESET)
        lib_after_reset(sh);
}
