package linearizability

import (
	"fmt"
	"math"

	"github.com/sesslife/sesslife/model"
)

// What says what a [Record] stands for.
type What uint8

// The kinds of record. Begin and Observe happen only at quiescent points,
// when no call is in flight.
const (
	// Call is one target.Apply.
	Call What = iota
	// Begin opens a universe: the next records with its number use new
	// SSL_CTXs, SSLs and sessions only, and the virtual clock reads Clock.
	Begin
	// Observe is one target.Observe.
	Observe
)

// Unknown is the Return of a call whose outcome is unknown (a timeout, a
// crashed shim): it may have taken effect at any time after it was called,
// or never.
const Unknown = math.MaxInt64

// Record is one operation of a history, with the target's handles.
type Record struct {
	// Client is the goroutine that made the call, 0..Clients-1; the
	// harness's own sequential calls (set-up, barriers, tear-down) carry
	// Clients.
	Client int
	// Universe is the epoch the call belongs to (see the package doc).
	Universe int
	What     What
	Op       model.Op          // Call
	Clock    int64             // Begin: the virtual clock when the universe opens
	Obs      model.Observation // Observe: what the target showed
	Result   model.Result      // Call, unless Failed
	// Failed marks a call whose outcome is unknown; Err says why.
	Failed bool
	Err    string
	// Call and Return are monotonic times in nanoseconds since the run
	// began. Return is [Unknown] for a failed call.
	Call, Return int64
}

// String renders the record as a line of a report, for example
// "client 3: SSL_CTX_add_session(ctx2, sess7) = 1 remove_cb(ctx2, sess4)".
func (r *Record) String() string {
	who := fmt.Sprintf("client %d", r.Client)
	switch r.What {
	case Begin:
		return fmt.Sprintf("%s: universe %d begins, clock %d", who, r.Universe, r.Clock)
	case Observe:
		return fmt.Sprintf("%s: observe: %d SSL_CTXs, %d SSLs, %d sessions", who, len(r.Obs.Ctxs), len(r.Obs.SSLs), len(r.Obs.Sessions))
	}
	if r.Failed {
		return fmt.Sprintf("%s: %s = unknown (%s)", who, r.Op, r.Err)
	}
	return fmt.Sprintf("%s: %s = %s", who, r.Op, r.Result.Format(r.Op))
}

// History is everything one run recorded, ready for [Check].
type History struct {
	// Target is the target's name, Profile the model profile it follows.
	Target  string
	Profile model.Profile
	// Clients is the number of concurrent clients; the harness is client
	// number Clients.
	Clients int
	Seed    uint64
	Records []Record
	// Failures lists what went wrong with the target (errors, timeouts,
	// crashes), in order. Each is a finding.
	Failures []string
}

// Calls returns how many target calls the history holds.
func (h *History) Calls() int {
	n := 0
	for i := range h.Records {
		if h.Records[i].What == Call {
			n++
		}
	}
	return n
}
