/*
 * calls.h - THE LIST OF CALLS of sesslife-shim/1, one row per call, in the
 * order of model.Kind (which is also the order the hello line lists them in).
 *
 * To be generated: `go generate` will write this file from the Go call
 * table (model.Kind). Until then it is edited by hand, and it must stay a
 * plain list: one row per call, nothing else (no logic, no other lines).
 *
 * A row is SESSLIFE_CALL(name, ctx, ssl, peer, sess): the call's name on the
 * wire (a C identifier; the C code calls the operation OP_name), then what
 * each handle field of its request names:
 *   NO       the field is not used
 *   NEW      a new handle the call creates
 *   LIVE     a live object of that kind
 *   OR_NULL  0 (a NULL pointer) or a live object
 * "arg" and "config" are not listed: the C side looks nothing up for them.
 *
 * Whoever includes this file defines SESSLIFE_CALL first and undefines it
 * after; the file has no include guard on purpose (proto.h, proto.c).
 */
SESSLIFE_CALL(SSL_CTX_new,                 NEW,  NO,   NO,   NO)
SESSLIFE_CALL(SSL_CTX_free,                LIVE, NO,   NO,   NO)
SESSLIFE_CALL(SSL_new,                     LIVE, NEW,  NO,   NO)
SESSLIFE_CALL(SSL_free,                    NO,   LIVE, NO,   NO)
SESSLIFE_CALL(SSL_clear,                   NO,   LIVE, NO,   NO)
SESSLIFE_CALL(SSL_shutdown,                NO,   LIVE, NO,   NO)
SESSLIFE_CALL(fatal_alert,                 NO,   LIVE, NO,   NO)
SESSLIFE_CALL(handshake,                   NO,   LIVE, LIVE, NO)
SESSLIFE_CALL(read_ticket,                 NO,   LIVE, NO,   NO)
SESSLIFE_CALL(SSL_get0_session,            NO,   LIVE, NO,   NO)
SESSLIFE_CALL(SSL_get1_session,            NO,   LIVE, NO,   NO)
SESSLIFE_CALL(SSL_SESSION_up_ref,          NO,   NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_SESSION_free,            NO,   NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_set_session,             NO,   LIVE, NO,   OR_NULL)
SESSLIFE_CALL(SSL_session_reused,          NO,   LIVE, NO,   NO)
SESSLIFE_CALL(SSL_SESSION_is_resumable,    NO,   NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_SESSION_set_time,        NO,   NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_SESSION_set_timeout,     NO,   NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_SESSION_get_time,        NO,   NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_SESSION_get_timeout,     NO,   NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_CTX_set_timeout,         LIVE, NO,   NO,   NO)
SESSLIFE_CALL(SSL_CTX_sess_set_cache_size, LIVE, NO,   NO,   NO)
SESSLIFE_CALL(SSL_CTX_add_session,         LIVE, NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_CTX_remove_session,      LIVE, NO,   NO,   LIVE)
SESSLIFE_CALL(SSL_CTX_flush_sessions,      LIVE, NO,   NO,   NO)
SESSLIFE_CALL(SSL_CTX_sess_number,         LIVE, NO,   NO,   NO)
SESSLIFE_CALL(SSL_CTX_sess_hits,           LIVE, NO,   NO,   NO)
SESSLIFE_CALL(SSL_CTX_sess_misses,         LIVE, NO,   NO,   NO)
SESSLIFE_CALL(SSL_CTX_sess_timeouts,       LIVE, NO,   NO,   NO)
SESSLIFE_CALL(SSL_CTX_sess_cache_full,     LIVE, NO,   NO,   NO)
SESSLIFE_CALL(tick,                        NO,   NO,   NO,   NO)
