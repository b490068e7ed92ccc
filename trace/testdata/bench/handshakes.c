/*
 * handshakes.c - a handshake-bound loop for measuring the recorder's cost
 * (make bench-trace, docs/perf.md): N connections between a client and a
 * server in one process, each resuming the session of the one before
 * (SSL_get1_session, SSL_set_session, SSL_SESSION_free), every tenth a
 * full handshake. Both ends' session calls go through the recorder.
 *
 * Usage: handshakes CERT.pem KEY.pem VERSION(1.2|1.3) N
 */
#include "../planted/tls.h"

#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s CERT.pem KEY.pem 1.2|1.3 N\n", argv[0]);
        return 2;
    }
    char *two[] = {argv[0], argv[1], argv[2]};
    args(3, two);
    int version = strcmp(argv[3], "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
    int n = atoi(argv[4]), resumed = 0;
    SSL_CTX *sctx = server_ctx(version), *cctx = client_ctx(version);
    SSL_SESSION *sess = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    for (int i = 0; i < n; i++) {
        SSL *c, *s;
        connect_pair(cctx, sctx, &c, &s);
        if (sess != NULL && i % 10 != 0)
            SSL_set_session(c, sess);
        resumed += handshake(c, s);
        SSL_SESSION_free(sess);
        sess = SSL_get1_session(c);
        finish(c, s);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    SSL_SESSION_free(sess);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n;
    printf("TLS %s: %d connections, %d resumed, %.1f us CPU per connection\n", argv[3], n, resumed, us);
    return 0;
}
