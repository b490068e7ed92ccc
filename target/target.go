// Package target defines the one seam between the checking engines and the
// systems they check. The reference simulator, a real library behind a shim
// process, or a user's own Go implementation each implement [Target]; the
// engines (rapid and gopter state machines, fuzz targets, the
// linearizability runner, the command line) know nothing else about them.
package target

import (
	"context"
	"errors"

	"github.com/sesslife/sesslife/model"
)

// Target is one system under test holding one universe of objects, named by
// the handles of [model.Op] (see the model package for the naming rule).
//
// Apply performs one call and returns its result and events. A non-nil error
// means the call has no trustworthy result: [ErrUnsupported] when the target
// does not implement that call, or an infrastructure failure (a crashed or
// hung shim, a malformed reply), which engines report as a finding, not as a
// divergence.
//
// Observe reports what is cheap to see between calls (cache sizes and
// counters of every application-held SSL_CTX, the session each live SSL
// holds, resumability, id length, time and timeout of every live named
// session), without naming anything new.
//
// Reset discards the universe and starts an empty one, with the virtual clock
// at the profile's start time.
//
// Apply and Observe may be called from several goroutines at once only when
// Info().Concurrent is true, and then only as OpenSSL allows: each SSL used by
// one goroutine at a time; SSL_CTXs and sessions shared.
type Target interface {
	Info() Info
	Apply(ctx context.Context, op model.Op) (model.Result, error)
	Observe(ctx context.Context) (model.Observation, error)
	Reset(ctx context.Context) error
	Close() error
}

// Info describes a target.
type Info struct {
	// Name identifies the target in reports, e.g. "impl" or "openssl 3.0.19".
	Name string
	// Profile is the model profile the target claims to follow, e.g.
	// "openssl-3.0".
	Profile string
	// Unsupported lists the call kinds the target answers with ErrUnsupported.
	Unsupported []model.Kind
	// Concurrent is true when Apply may be called from several goroutines
	// under OpenSSL's threading rules.
	Concurrent bool
}

// Supports reports whether the target implements calls of kind k.
func (i Info) Supports(k model.Kind) bool {
	for _, u := range i.Unsupported {
		if u == k {
			return false
		}
	}
	return true
}

// ErrUnsupported is returned (possibly wrapped) by Apply for a call the
// target does not implement. Engines report it as unsupported, not as a
// failure.
var ErrUnsupported = errors.ErrUnsupported

// The kinds of failure a target reports instead of a result. A target's
// errors match one of them with errors.Is (by wrapping it, or with an Is
// method), so that engines name a finding by what happened (docs/spec.md,
// "Harness outcomes"), never by the wording of a message. An error that
// matches none is reported as TARGET-ERROR.
var (
	// ErrCrashed: the system under test died (a signal, an exit, a closed
	// pipe) during the call or while discarding a universe.
	ErrCrashed = errors.New("target crashed")
	// ErrHung: the system under test did not answer in time and was killed.
	ErrHung = errors.New("target hung")
	// ErrProtocol: the system under test answered something that is not a
	// reply of its protocol.
	ErrProtocol = errors.New("target broke its protocol")
	// ErrRefused: the system under test refused a call the model deems
	// legal.
	ErrRefused = errors.New("target refused the call")
	// ErrOutdated: the system under test is older than the harness (a
	// shim binary built before a request field existed). It is a harness
	// error, never a finding: engines stop and return it as is.
	ErrOutdated = errors.New("target is older than the harness")
)

// Factory makes a fresh target. Engines call it once per run and Reset
// between sequences.
type Factory func() (Target, error)

// Pipeliner is an optional interface of a Target whose every call costs a
// round trip (a shim process). ApplyAhead sends op, and an observation of
// the universe right after it, without waiting for either; the caller
// collects them later through the returned Pending, in the order the calls
// were sent. Calls keep going to the target while earlier ones are checked,
// so a round trip is paid once per window of calls rather than once per
// call. The outcome must be exactly that of Apply followed by Observe.
//
// ApplyAhead is for a caller using the target from one goroutine; it
// returns ErrUnsupported, like Apply, for a call the target does not
// implement, and an error when the call cannot be sent at all.
type Pipeliner interface {
	Target
	ApplyAhead(ctx context.Context, op model.Op) (Pending, error)
}

// Pending is a call sent by [Pipeliner.ApplyAhead]. Result and then
// Observation return what Apply and Observe would have returned; each is
// called at most once, Result first, and Pendings are collected in the
// order they were sent. A Pending that is never collected is discarded by
// the next Reset.
type Pending interface {
	Result(ctx context.Context) (model.Result, error)
	Observation(ctx context.Context) (model.Observation, error)
}
