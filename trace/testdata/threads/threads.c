/*
 * threads.c - four threads, each making 20 connections between a client
 * and a server of two shared SSL_CTXs (both in this process), each
 * resuming the session of the thread's connection before and giving every
 * reference back: a correct program whose session calls interleave, for
 * trace/threads_test.go.
 *
 * Usage: threads CERT.pem KEY.pem
 */
#include "../planted/tls.h"

#include <pthread.h>

static SSL_CTX *sctx, *cctx;
static int resumed[4];

static void *worker(void *arg)
{
    int *count = arg;
    SSL_SESSION *sess = NULL;
    for (int i = 0; i < 20; i++) {
        SSL *c, *s;
        connect_pair(cctx, sctx, &c, &s);
        if (sess != NULL)
            SSL_set_session(c, sess);
        *count += handshake(c, s);
        SSL_SESSION_free(sess);
        sess = SSL_get1_session(c);
        finish(c, s);
    }
    SSL_SESSION_free(sess);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t[4];
    args(argc, argv);
    sctx = server_ctx(TLS1_2_VERSION);
    cctx = client_ctx(TLS1_2_VERSION);
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, &resumed[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("resumed: %d %d %d %d\n", resumed[0], resumed[1], resumed[2], resumed[3]);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}
