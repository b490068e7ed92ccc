/*
 * shim.h - what shim.c shares with bench.c, the raw benchmark mode.
 *
 * The raw mode must do exactly the work the protocol dispatcher does for a
 * call, minus the protocol, so it reuses the request parser, the call
 * performer and the reset of shim.c through these few declarations.
 */
#ifndef SESSLIFE_SHIM_H
#define SESSLIFE_SHIM_H

#include <stddef.h>

enum ev_kind { EV_NEW = 1, EV_REMOVE, EV_DESTROYED };

/* event is one lifetime event a call raised. */
struct event {
    enum ev_kind kind;
    int ctx;
    int sess;
};

/* events collects what one call raised, in order. */
struct events {
    struct event *v;
    size_t n, cap;
};

/* request is one parsed request line. */
struct request {
    struct request *next;
    long long id;
    long long now;
    int lane;
    char op[48];
    long long ctx, ssl, peer, sess, arg;
    struct {
        int server, default_mode, no_ticket, new_cb, remove_cb;
        long long mode, size, timeout, tickets;
    } cfg;
};

struct shim;

/* shim_parse_request fills rq from one request line; -1 with err set if
 * the line is not a valid request. */
int shim_parse_request(const char *line, struct request *rq, char *err, size_t errlen);

/* shim_is_call reports whether rq names a call (not a control operation
 * and not an unknown name). */
int shim_is_call(const struct request *rq);

/* shim_perform runs call rq on the current thread as the protocol does
 * (clock, events, error queue) and returns its value; events are appended
 * to evs (which the caller empties). On failure err is set. */
long long shim_perform(struct shim *sh, const struct request *rq, struct events *evs, char *err, size_t errlen);

/* shim_reset discards the universe and starts an empty one. */
void shim_reset(struct shim *sh);

/* bench_raw is the --bench-raw developer mode (bench.c); argv holds its
 * arguments after the option name. It returns the exit status. */
int bench_raw(struct shim *sh, int argc, char **argv);

#endif
