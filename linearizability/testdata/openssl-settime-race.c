/* A race in OpenSSL 3.0's SSL_SESSION_set_time (and SSL_SESSION_set_timeout),
 * found while building the linearizability checks (package doc, "OpenSSL").
 *
 * set_time reads the session's owner (the SSL_CTX whose cache holds it),
 * takes that SSL_CTX's lock, and then reads the owner again to re-link the
 * session and again to unlock. When another thread takes the session out of
 * the cache in between (SSL_CTX_remove_session, a flush, an eviction), the
 * second read finds NULL and set_time links the session into a NULL
 * SSL_CTX: a segmentation fault. Seen with Debian's libssl 3.0.19; the code
 * is the same at openssl-3.3.2.
 *
 *   cc -O2 -pthread -o settime-race openssl-settime-race.c -lssl -lcrypto
 *   ./settime-race        # crashes within milliseconds
 */
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>

static SSL_CTX *ctx;
static SSL_SESSION *sess;
static volatile int stop;

/* One thread re-times the cached session... */
static void *retime(void *arg)
{
    (void)arg;
    for (long i = 0; !stop; i++)
        SSL_SESSION_set_time(sess, 1700000000 + (i & 1023));
    return NULL;
}

/* ...while the other takes it out of the cache and puts it back. */
static void *churn(void *arg)
{
    (void)arg;
    for (long i = 0; i < 50000000 && !stop; i++) {
        SSL_CTX_remove_session(ctx, sess);
        SSL_CTX_add_session(ctx, sess);
    }
    stop = 1;
    return NULL;
}

int main(void)
{
    unsigned char id[32] = {1, 2, 3};
    pthread_t a, b;

    ctx = SSL_CTX_new(TLS_server_method());
    sess = SSL_SESSION_new();
    SSL_SESSION_set1_id(sess, id, sizeof id);
    SSL_SESSION_set_protocol_version(sess, TLS1_2_VERSION);
    SSL_CTX_add_session(ctx, sess);
    pthread_create(&a, NULL, retime, NULL);
    pthread_create(&b, NULL, churn, NULL);
    pthread_join(b, NULL);
    pthread_join(a, NULL);
    printf("no crash with %s\n", OpenSSL_version(OPENSSL_VERSION));
    return 0;
}
