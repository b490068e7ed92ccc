// Package impl is the reference simulator: a concrete, concurrency-safe Go
// library with OpenSSL 3.0's objects, data structures and locking, which
// behaves exactly as the model (profile openssl-3.0) says, written so that
// implementers can read it as a runnable reference.
//
// # Objects
//
// [Ctx] is an SSL_CTX, [Conn] an SSL, [Session] an SSL_SESSION, and [Env]
// the universe they live in: the virtual clock, the counter behind session
// ids and the destruction hook. Sessions are reference counted with atomics
// and destroyed exactly when the count reaches zero. Each Ctx keeps its
// session cache as OpenSSL does: a hash table keyed by (version, id) and a
// doubly linked list sorted by expiry, both under the Ctx's one mutex.
// Handshakes run in memory between a client and a server Conn with the
// messages of a real exchange and no cryptography; a stateless ticket is
// "sealed" by naming the issuing Ctx's key.
//
// # Concurrency
//
// The rules are OpenSSL's: a Ctx and Sessions may be shared by any number of
// goroutines; a Conn is used by one goroutine at a time ([Handshake] uses two,
// both owned by the caller). Lock order is Ctx.mu, then Session.mu; the
// wire between two Conns and a Conn's session pointer have their own small
// locks, never held across a callback. remove_cb and destruction may run
// while a Ctx's lock is held (flush, eviction, a duplicate id), exactly where
// OpenSSL runs them, so callbacks must not call that Ctx's cache functions.
//
// # Calls, callbacks and events
//
// Every call that can run an application callback or destroy a session
// takes a [context.Context], and hands it unchanged to the callbacks and to
// the destruction hook it runs. Callbacks run on the caller's goroutine,
// synchronously, inside the call. A C program that wants to know which of
// its calls a callback belongs to uses thread-local storage; the Go analogue
// is a value in the context. Calls that cannot run callbacks (Get0Session,
// UpRef, SetTime, the counters) take none.
//
// The [target.Target] adapter ([NewTarget]) relies on this: Apply puts a
// fresh per-call event log into the context it passes down, and the
// new_session_cb, remove_cb and destruction hook it installs append to the
// log they find there. Events of concurrent calls therefore never mix, even
// when two goroutines evict from, or flush, the same Ctx at once: each event
// is recorded by the goroutine whose call caused it. Session handles are
// given under the adapter's lock, in the order callbacks run and then for
// the return value, which is the model's naming rule.
//
// # Faults
//
// The simulator has no deliberately wrong code paths. Its one test hook is
// [WithFaults]: hooks ([Faults]) consulted at named points where the
// simulator makes a choice, computes a number, picks a session or reaches a
// step that other calls may observe apart (faults.go). They are nil unless
// a harness sets them; package impl/mutants builds the project's mutants
// and the yielding simulator of the linearizability checks with them.
package impl
