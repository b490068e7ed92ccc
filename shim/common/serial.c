/*
 * serial.c - the request loop of a shim that serves one request at a time
 * (SHIM_THREADS 0: the wolfSSL shim, "concurrent": false). Lanes are then
 * only labels: every request is answered before the next is read.
 */
#include "shim.h"

#if SHIM_THREADS
#error "serial.c is the loop of a shim with SHIM_THREADS 0; others build lanes.c"
#endif

void shim_serve(struct shim *sh)
{
    struct request rq;

    while (read_request(sh, &rq)) {
        if (rq.code < OP_OBSERVE) {
            serve(sh, &rq);
            continue;
        }
        control(sh, &rq);
        if (rq.code == OP_QUIT)
            break;
    }
    forget_held();
}
