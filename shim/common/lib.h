/*
 * lib.h - what a shim's library folder defines for the common code: the
 * library's side of each concern, and nothing the libraries do alike.
 * Included by shim.h, after the objects it names.
 */
#ifndef SESSLIFE_LIB_H
#define SESSLIFE_LIB_H

/* ---- Sessions: how the library's sessions are told apart --------------- */

/* lib_handle_of returns the handle of session s (not NULL) in this
 * universe, or -1 if the application has not been shown it. */
int lib_handle_of(struct shim *sh, lib_sess *s);

/* lib_name returns s's handle (s not NULL), giving it one with sess_add if
 * it has none in this universe. */
int lib_name(struct shim *sh, lib_sess *s);

/* ---- The in-memory connection ------------------------------------------ */

/* lib_connected reports whether c's SSL has had a connection (a handshake)
 * through which records can reach it. */
int lib_connected(struct conn *c);

/* lib_take_output returns what c's SSL wrote since the last call (*len
 * bytes); lib_output_done is told when the caller is done with it. */
unsigned char *lib_take_output(struct conn *c, size_t *len);
void lib_output_done(struct conn *c, unsigned char *out);

/* lib_feed makes n bytes at p readable by c's SSL, after what it has. */
void lib_feed(struct conn *c, const unsigned char *p, size_t n);

/* lib_forget_input drops the bytes fed to c and not read yet (disconnect;
 * sh->mu held). */
void lib_forget_input(struct conn *c);

/* lib_conn_free frees what struct lib_conn holds (reset). */
void lib_conn_free(struct conn *c);

/* lib_handshake_prepare readies c for a new connection at TLS version
 * version (12 or 13), with nothing in flight. */
void lib_handshake_prepare(struct shim *sh, struct conn *c, int version);

/* lib_handshake_step runs c's side of the handshake: 1 done, 0 waiting for
 * data, -1 failed. */
int lib_handshake_step(struct conn *c);

/* lib_handshake_failed logs what the library says after a handshake that
 * did not complete. */
void lib_handshake_failed(void);

/* lib_read_ticket lets client c read the ticket record fed to it. */
void lib_read_ticket(struct conn *c);

/* lib_sent_shutdown reports whether c has sent its close_notify. */
int lib_sent_shutdown(struct conn *c);

/* lib_shutdown is one SSL_shutdown of c. */
long long lib_shutdown(struct conn *c);

/* lib_read_garbage lets c read the undecryptable record fed to it (len
 * bytes; rec may be overwritten): c must fail fatally. */
void lib_read_garbage(struct conn *c, unsigned char *rec, size_t len);

/* lib_read_alert lets c read the fatal alert fed to it (after whatever was
 * fed before it): c must fail. */
void lib_read_alert(struct conn *c);

/* ---- Objects and calls ------------------------------------------------- */

/* lib_implemented says whether the library has call op. */
int lib_implemented(enum op op);

/* lib_check_request refuses (-1, err set) a request whose values the
 * library cannot take; 0 otherwise. */
int lib_check_request(const struct request *rq, char *err, size_t errlen);

/* lib_ctx_new makes the SSL_CTX of ce as cfg says, with the callbacks
 * installed; NULL with err set if it cannot. */
lib_ctx *lib_ctx_new(struct ctxent *ce, const struct config *cfg, char *err, size_t errlen);

/* lib_ssl_new makes the SSL of c from ctx and sets c->client; NULL if it
 * cannot. */
lib_ssl *lib_ssl_new(struct conn *c, lib_ctx *ctx);

/* The calls of calls.h the common code hands to the library as they are. */
void lib_ctx_free(lib_ctx *ctx);
void lib_ssl_free(lib_ssl *ssl);
long long lib_ssl_clear(lib_ssl *ssl);
lib_sess *lib_get0_session(lib_ssl *ssl);
lib_sess *lib_get1_session(lib_ssl *ssl);
long long lib_set_session(lib_ssl *ssl, lib_sess *s);
int lib_session_reused(lib_ssl *ssl);
long long lib_sess_up_ref(lib_sess *s); /* 1 when it took the reference */
void lib_sess_free(lib_sess *s);
int lib_sess_is_resumable(lib_sess *s);
long long lib_sess_set_time(lib_sess *s, long long t);
long long lib_sess_set_timeout(lib_sess *s, long long t);
long lib_sess_time(lib_sess *s);
long lib_sess_timeout(lib_sess *s);
unsigned int lib_sess_id_len(lib_sess *s);
long long lib_ctx_set_timeout(lib_ctx *ctx, long long t);
long long lib_ctx_set_cache_size(lib_ctx *ctx, long long n);
long long lib_ctx_add_session(lib_ctx *ctx, lib_sess *s);
long long lib_ctx_remove_session(lib_ctx *ctx, lib_sess *s);
void lib_ctx_flush(lib_ctx *ctx, long long t);
long lib_ctx_number(lib_ctx *ctx);
long lib_ctx_hits(lib_ctx *ctx);
long lib_ctx_misses(lib_ctx *ctx);
long lib_ctx_timeouts(lib_ctx *ctx);
long lib_ctx_cache_full(lib_ctx *ctx);
long lib_ctx_connect(lib_ctx *ctx);
long lib_ctx_connect_good(lib_ctx *ctx);
long lib_ctx_accept(lib_ctx *ctx);
long lib_ctx_accept_good(lib_ctx *ctx);
long lib_ctx_cb_hits(lib_ctx *ctx);
/* lib_has_matching asks whether ssl's SSL_CTX caches a session with the id
 * of s (SSL_has_matching_session_id). */
int lib_has_matching(lib_ssl *ssl, lib_sess *s);
/* The settings calls take and return the protocol's values (OpenSSL's
 * bits, docs/protocol.md §3); a library that spells them otherwise
 * translates. The options calls set (set != 0) or clear bits and return the
 * options that result, masked to PROTO_OPTIONS. */
long long lib_ctx_set_cache_mode(lib_ctx *ctx, long long mode);
/* Serialization and copies: each returns a new session the caller owns
 * (one reference), or NULL. lib_sess_round_trip encodes s with
 * i2d_SSL_SESSION and decodes the bytes with d2i_SSL_SESSION;
 * lib_copy_session_id is SSL_copy_session_id(to, from). */
lib_sess *lib_sess_round_trip(lib_sess *s);
lib_sess *lib_sess_dup(lib_sess *s);
lib_sess *lib_sess_new(void);
long long lib_copy_session_id(lib_ssl *to, lib_ssl *from);
long long lib_ctx_set_options(lib_ctx *ctx, long long opts, int set);
long long lib_ssl_set_options(lib_ssl *ssl, long long opts, int set);
long long lib_ctx_set_num_tickets(lib_ctx *ctx, long long n);
long long lib_ssl_set_num_tickets(lib_ssl *ssl, long long n);
/* The shutdown calls take and return OpenSSL's flags (SSL_SENT_SHUTDOWN 1,
 * SSL_RECEIVED_SHUTDOWN 2). */
void lib_ssl_set_quiet_shutdown(lib_ssl *ssl, int mode);
void lib_ssl_set_shutdown(lib_ssl *ssl, int flags);
long long lib_ssl_get_shutdown(lib_ssl *ssl);
/* max_early_data of an SSL_CTX or an SSL; each returns what the call does. */
long long lib_ctx_set_max_early_data(lib_ctx *ctx, long long n);
long long lib_ssl_set_max_early_data(lib_ssl *ssl, long long n);
/* The session id context calls get the bytes docs/protocol.md §3 names by
 * the request's arg (sid_ctx_bytes in perform.c) and return what the
 * library's function returned. */
long long lib_ctx_set_sid_ctx(lib_ctx *ctx, const unsigned char *b, unsigned int len);
long long lib_ssl_set_sid_ctx(lib_ssl *ssl, const unsigned char *b, unsigned int len);
long long lib_sess_set_sid_ctx(lib_sess *s, const unsigned char *b, unsigned int len);
/* lib_sess_sid_ctx points *b and *len at s's session id context
 * (SSL_SESSION_get0_id_context) and returns 1, or returns 0 when the
 * library cannot show it: the observation then leaves "sid_ctx" out. */
int lib_sess_sid_ctx(lib_sess *s, const unsigned char **b, unsigned int *len);
/* SSL_set_SSL_CTX(ssl, ctx): 1 if the library returned ctx, else 0. */
long long lib_ssl_set_ssl_ctx(lib_ssl *ssl, lib_ctx *ctx);
/* lib_ctx_set_servername_ctx installs on server ctx a servername callback
 * that switches the SSL to to (SSL_set_SSL_CTX) and accepts the name; to
 * NULL removes the callback. The callback keeps a plain pointer to to. */
void lib_ctx_set_servername_ctx(lib_ctx *ctx, lib_ctx *to);

/* ---- Errors, the universe, the hello line ------------------------------ */

/* lib_log_errors drains the library's error queue to stderr. */
void lib_log_errors(const char *what);

/* lib_clear_errors empties the library's error queue. */
void lib_clear_errors(void);

/* lib_reset_done runs at the end of shim_reset (the tables are empty). */
void lib_reset_done(struct shim *sh);

/* lib_after_reset runs once "reset" has been answered. */
void lib_after_reset(struct shim *sh);

/* lib_version is the library's version string for the hello line. */
const char *lib_version(void);

#endif
