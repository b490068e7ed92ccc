// Package trace checks a real program's use of OpenSSL sessions: `sesslife
// trace -- PROGRAM ARGS…` runs the program with the recorder
// (trace/recorder, bin/libsesslife-trace.so) preloaded, which writes every
// session call the application makes, every session's birth and death and
// every cache callback to a trace file per process; this package reads the
// traces (Load), follows each session's references from the application's
// side (Check) and names what it finds by the rules of docs/spec.md: a
// session used after its last reference died (UB-DANGLING-SESSION), a free
// of a reference the application does not own (UB-OVER-RELEASE), a
// reference still owned at exit (APP-LEAK-REF), one session in two caches
// (UB-CROSS-CONTEXT), a get_session_cb's *copy that leaks or frees twice
// (CB-GET-COPY), a session offered that cannot resume (HS13-CLIENT-SINGLE-USE,
// SEED-TLS13-NOT-RESUMABLE, RESUMABLE-WHEN), and handshakes whose outcome
// the model contradicts. docs/trace.md describes the recorder, the trace
// format and the limits.
package trace
