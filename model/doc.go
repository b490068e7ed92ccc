// Package model is the executable specification of OpenSSL SSL_SESSION
// lifetimes: a pure, deterministic, sequential state machine over SSL_CTX,
// SSL and SSL_SESSION objects and a virtual clock.
//
// A [State] is one universe of objects. [State.Step] applies one [Op] and
// returns its [Result] (the return value and the lifetime events the call
// caused, in order), or an error: a [*Violation] when the call is undefined
// behaviour (for example using a get0 pointer after its session was
// destroyed), or [ErrUnmodelled] when the call is legal C but outside what
// the model claims to know. [State.Check] answers the same question without
// changing anything, so generators can draw only legal calls.
//
// Objects are named by handles. The caller chooses the handle of every new
// SSL_CTX and SSL (the next free number, see [State.NextCtx] and
// [State.NextSSL]); sessions are created inside the library, so they are
// named the first time a call exposes them to the application (as a return
// value or a callback argument), in order of appearance: first the events of
// the call, then its return value. Any implementation that follows the same
// rule names the same objects with the same numbers.
//
// Behaviour that differs between library versions lives in a [Profile]:
// [OpenSSL30], what Debian's OpenSSL 3.0 does, and [WolfSSL55], what
// wolfSSL 5.5's OpenSSL compatibility layer does (profile_wolfssl.go).
//
// The package imports nothing outside the standard library.
package model
