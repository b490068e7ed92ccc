/*
 * shim.h - what shim.c shares with bench.c, the raw benchmark mode.
 *
 * The raw mode must do exactly the work the protocol dispatcher does for a
 * call, minus the protocol, so it reuses the request parser, the call
 * performer and the reset of shim.c through these few declarations.
 */
#ifndef SESSLIFE_SHIM_H
#define SESSLIFE_SHIM_H

#include "proto.h"

#include <stddef.h>

struct shim;

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
