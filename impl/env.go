package impl

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/sesslife/sesslife/model"
)

// DestroyFunc is called once for every session, exactly when its reference
// count reaches zero, on the goroutine that dropped the last reference and
// with the context that goroutine passed to the library. It is the analogue
// of an ex_data free callback registered with SSL_SESSION_get_ex_new_index:
// the session's fields are still readable, and it must not take a new
// reference. It may run while an SSL_CTX's cache lock is held (eviction,
// a duplicate id), so it must not call that SSL_CTX's cache functions.
type DestroyFunc func(call context.Context, s *Session)

// Env is one universe: the virtual clock, the counter behind session ids and
// ticket keys, the profile's numbers and the destruction hook. Everything
// made from one Env shares its clock, as every object in one process shares
// time(NULL). An Env is safe for concurrent use.
type Env struct {
	prof      model.Profile
	onDestroy DestroyFunc
	now       atomic.Int64
	lastID    atomic.Uint64 // the last session id handed out, before mixing
	lastKey   atomic.Uint64 // the last ticket key name handed to an SSL_CTX
	live      atomic.Int64  // sessions created and not yet destroyed
	faults    *Faults       // nil for the reference (faults.go); set before use, then read-only
}

// NewEnv returns a universe following profile p, its clock at p.StartTime.
// onDestroy may be nil.
func NewEnv(p model.Profile, onDestroy DestroyFunc) *Env {
	e := &Env{prof: p, onDestroy: onDestroy}
	e.now.Store(p.StartTime)
	return e
}

// Profile returns the numbers the universe follows.
func (e *Env) Profile() model.Profile { return e.prof }

// Now returns the virtual time in seconds, the simulator's time(NULL).
func (e *Env) Now() int64 { return e.now.Load() }

// Advance moves the clock forward by d seconds. Time never goes backwards,
// so a negative d is an error.
func (e *Env) Advance(d int64) error {
	if d < 0 {
		return fmt.Errorf("impl: Env.Advance(%d): the clock cannot go backwards", d)
	}
	e.now.Add(d)
	return nil
}

// LiveSessions returns how many sessions exist (created and not destroyed):
// a leak check for tests and for applications.
func (e *Env) LiveSessions() int64 { return e.live.Load() }

// newSessionID returns a fresh 32-byte id. A counter keeps ids unique and
// the universe deterministic; mixing makes them look random, as
// RAND_bytes-made ids do, so nothing can rely on their order.
func (e *Env) newSessionID() SessionID {
	n := e.lastID.Add(1)
	var id SessionID
	for i := range 4 {
		binary.BigEndian.PutUint64(id.b[8*i:], mix64(n+uint64(i)*0x9e3779b97f4a7c15))
	}
	id.n = 32
	return id
}

// newKeyName returns the name of a fresh ticket key for an SSL_CTX.
func (e *Env) newKeyName() uint64 { return e.lastKey.Add(1) }

// mix64 is the splitmix64 finaliser, a bijection on 64-bit words.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
