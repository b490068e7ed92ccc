// Package linearizability checks a target under concurrent use: several
// clients call it at once on shared SSL_CTXs and sessions, every call is
// recorded with its call and return times, and porcupine
// (github.com/anishathalye/porcupine) searches for one order of the calls,
// consistent with real time, in which the model (package model) returns
// exactly what the target returned, raises the same events in the same
// order, and shows what the target showed at every quiescent point. Races
// that no sequential check can see (a lost reference count update, a cache
// list changed outside its lock) show up as histories with no such order.
//
// [Run] records a [History]; [Check] decides it and returns a [Report].
//
// # A run
//
// A run opens universes (epochs) one after another; each starts with a
// Begin record and has its own SSL_CTXs, SSLs and sessions. In each, the
// harness (a sequential client) first makes:
//
//   - ch, a client SSL_CTX that caches nothing, and cs, the shared server
//     SSL_CTX every client handshakes with;
//   - ca, an SSL_CTX no handshake uses, with a small cache, for the cache
//     API under contention (adds evict);
//   - per client k a private client SSL_CTX cc_k (client-side cache and a
//     new_session_cb, so that whether a TLS 1.2 handshake resumed shows in
//     its own events), a client SSL on it and a server SSL on cs;
//   - pools of sessions it pins with a reference of its own for the whole
//     universe: per client k a lookup target X^k (a server session cached
//     in cs) and its client-side twin Y^k (same id, cached nowhere, private
//     to k, who offers it to resume X^k); and API sessions Z (cached in cs,
//     never resumed) with their twins Z' (for ca).
//
// Then come rounds: the clients run concurrently, each drawing its calls
// from its own random stream (math/rand/v2, seeded with the run's seed,
// the universe and the client), and the harness waits for all of them at a
// barrier, where it observes the target and makes the calls that must not
// overlap others. At the end it frees everything and observes again.
//
// # Calls legal in any interleaving
//
// A client uses only its own SSLs, tracks their state as the model defines
// it (nobody else can change it), frees only references it owns (from
// SSL_get1_session, SSL_SESSION_up_ref, or a new_session_cb that returned
// 1 during its own call), and adds a session only to the one SSL_CTX it
// belongs to ("home"): a pooled session never dies, and no session ever
// sits in two caches. (A server session of its own SSL is never put back:
// it may have an empty id, which SSL_CTX_remove_session cannot take out.)
//
// # Why a correct library passes: at most one conflicting step per call
//
// The model makes every call atomic; a real call is a sequence of steps
// (lock, unlock, callback, reference count change). A history of such calls
// is linearizable with respect to atomic calls when each call has at most
// one step that does not commute with the steps other clients may run
// concurrently (Lipton's reduction: the other steps move next to it). A
// handshake is the long one: lookup in cs, timeout check, miss counter,
// add to cs, new_session_cb, client-side cache, tickets. So clients keep to
// these rules, each of which removes a second conflicting step:
//
//   - Client-side caches are private (cc_k): a handshake's client half
//     conflicts with nobody.
//   - cs has no size limit (no eviction), caches at most one session per
//     TLS 1.3 handshake (num_tickets <= 1 when it caches TLS 1.3 sessions),
//     and sees fewer than 255 handshakes per universe (its automatic flush,
//     triggered by a counter read outside any lock, never runs).
//   - On cs, counters, SSL_CTX_sess_number, SSL_CTX_set_timeout and
//     SSL_CTX_sess_set_cache_size wait for the barriers; ca, which no
//     handshake uses, gets them concurrently.
//   - The clock is frozen inside a universe (time moves only by a tick at
//     the start of the next one), and flushes of cs use times no later than
//     the expiry of a session made now: a session a handshake caches cannot
//     be flushed by another client. Expiry under contention still happens:
//     pooled sessions are aged with SSL_SESSION_set_time and
//     SSL_SESSION_set_timeout, and X^k expire before sessions made now, so
//     a flush can take a lookup target while its client resumes it.
//   - A lookup target is re-added only by its own client (or at a barrier)
//     and never re-timed, so a lookup that misses stays a miss, and the
//     timeout check after a lookup reads a time nobody changes.
//   - Pooled sessions are pinned, so the releases a flush or a removal does
//     after dropping its lock never destroy anything.
//   - A handshake gives the session it leaves on the client's server SSL an
//     expiry of the client's own (SSL_SESSION_set_timeout right after it;
//     when the handshake resumed the client's lookup target, which is never
//     re-timed, the client's own client-side session gets it instead, so
//     that the client makes the same calls in every interleaving): sessions
//     made now would otherwise all expire at the same second, and the order
//     of concurrent adds would stay latent in cs's list.
//
// Any number of clients may be in a handshake at once (Config.Handshakes
// can bound them, for measurements). That needs the checker to compare
// model states up to the numbering of objects (below, "The checker's
// model"): two concurrent handshakes linearized either way create sessions,
// ids and tickets in different orders and leave states that no call can
// tell apart but that are not Equal; with eight at once, about one check in
// a hundred used to run out of memory when states were compared as they
// were.
//
// Ticks also wait for the quiescent points because a real handshake reads
// the clock several times (and a shim sets a process-wide clock per
// request): a tick in the middle of a call is not an atomic event.
//
// # Why the check is fast: no latent order
//
// porcupine backtracks when an order it tried fails later; if the failure
// shows up long after the choice, the search is exponential. The workload
// avoids choices that nothing shows at once: remove_cb is installed on the
// shared SSL_CTXs (every removal names what it removed); pooled API
// sessions have one writer of their time each, and expiries that never tie
// (they are spaced modulo a small number, so list order never depends on
// which of two concurrent adds came first); the tear-down takes named
// sessions out of the shared caches in handle order before freeing the
// SSL_CTXs (whose flush would show their list order).
//
// # The checker's model
//
// A state is one model universe (model.State) plus a bijection between
// the target's session handles and the model's. The target names a session
// when it first shows it, in the order it ran its calls; the model names it
// in the order of the linearization being tried. Each step pairs the
// handles a call shows, in order: a handle already paired with another one
// makes the step illegal. SSL_CTXs and SSLs need no bijection: the harness
// serialises their creation, so their order of creation is forced, and the
// checker renames them by rank (and rejects a history where two creations
// overlap).
//
// States are compared up to a renaming (canon.go, state.go): the model is
// renumbered canonically (model.State.Rename) with its named sessions in
// the order of the target's ids for them, which every linearization
// shares, and its session objects, tickets and ids in the order a walk of
// the state's structure meets them; what no handle, cache or SSL can reach
// any more is dropped, and freed objects are emptied (a byte each in the
// key). Two orders of the same calls that leave equivalent states then
// leave equal ones, and porcupine keeps one. The renumbered model is
// written as a key (model.State.AppendKey: no pointers, compared with
// bytes.Equal), which costs as much as the live state is big, so it is
// built only when porcupine compares the state (porcupine compares a new
// state only with the states it reached with the same calls linearized,
// which a search that hardly comes back seldom has), and at a checkpoint
// every 32 calls. Only the state the search is likely to go on from keeps
// the model itself; any other rebuilds it when the search comes back to
// it, from the nearest checkpoint before it (model.State.SetKey) and the
// calls linearized since, replayed (the model is deterministic). A search
// that compares more states than the universe has operations hashes every
// state's key from then on, so that it compares only states of one hash.
//
// A call whose outcome is unknown (an error, a timeout, a crashed shim) is
// recorded with Return = [Unknown] and accepted by any step: it may have
// happened at any point after its call, or never. The run stops issuing
// calls after it. An observation is an operation too: it can only be
// linearized where the model shows the same thing (live SSL_CTXs with their
// counters, live SSLs with their sessions, live named sessions with time,
// timeout and resumability), so porcupine searches for an order that also
// explains every observation.
//
// # Partitioning
//
// Universes are checked as separate partitions. That is sound because no
// call touches two universes (the checker verifies every handle), the model
// state of one universe does not depend on another's (the global parts of
// model.State are the clock, the session id counter, whose values are never
// shown, and the naming counters, which the renaming above absorbs), and
// the one shared thing, the clock, moves only by ticks that overlap no
// call and no open universe: each universe starts from the clock its Begin
// records, which the checker verifies against the ticks before it.
// Splitting finer would not be sound: one flush or eviction touches many
// sessions, and one handshake two SSL_CTXs.
//
// # Reports
//
// [Check] returns Linearizable, Violation, Undecided (a search that
// outgrew its budget, never a pass), TargetFailed (a call failed or hung)
// or InvalidHistory. Every bound of the search is a count, so that a
// verdict is the same on a slow machine as on a fast one: the model steps
// the search of a universe may try (Options.StepBudget) and the states it
// keeps (Options.MemoryBudget, in bytes estimated from the states' keys;
// porcupine keeps every state it reaches). Universes are searched in
// parallel, each within budgets of its own, and the verdict is that of the
// first universe, in universe order, that does not pass: a violation stops
// the searches of later universes only, so which search ends first changes
// nothing. Options.Timeout is only an optional guard against a hang. For a
// violation Check searches the failing universe again to obtain
// porcupine's partial linearizations, writes porcupine's HTML view of it
// (the path is in the report), and explains the smallest window: the end
// of the longest linearizable prefix, and each call that could come next
// with what the model would have answered.
//
// # OpenSSL 3.0
//
// The OpenSSL shim serves concurrent lanes; its histories check as
// linearizable (with the plain and the AddressSanitizer builds). Reading
// the code for the settime-stale-owner mutant found a real race:
// SSL_SESSION_set_time and SSL_SESSION_set_timeout read the session's
// owner, lock it, and read the owner again; a removal in between (remove,
// flush, eviction) makes them link the session into a NULL SSL_CTX and
// crash. testdata/openssl-settime-race.c crashes Debian's 3.0.19 within
// milliseconds. Through the shim the window is too narrow to hit in
// practice, but the workload keeps making those calls concurrently: a crash
// would be reported as a target failure.
//
// # The concurrent mutants of package impl/mutants
//
// Each breaks one locking or atomicity rule of the reference simulator
// (through its fault-injection seam, impl.Faults) and yields inside its
// window. Caught by (tests in mutants_test.go):
//
//	mutant               what it does wrong                                  caught by
//	refcount-unsynced    up_ref/free read, yield, write back                 porcupine (atomic accesses: no data race)
//	evict-split-lock     add counts evictions, drops the lock, evicts later   porcupine (all under locks)
//	list-stale-place     add finds its list place, drops the lock, links      porcupine (all under locks)
//	flush-release-early  flush releases before unlinking, outside the lock    porcupine
//	settime-stale-owner  set_time re-links into the owner it saw unlocked     porcupine (OpenSSL 3.0's code)
//	settime-unlocked     set_time of an uncached session takes no lock        race detector (OpenSSL 3.0's code)
package linearizability
