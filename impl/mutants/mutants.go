// Package mutants holds the project's mutants: deliberately wrong versions
// of the reference simulator (package impl), each breaking one rule of
// docs/spec.md. They exist to show that the checking engines reject wrong
// implementations; `sesslife mutants` (package mutation) runs every engine
// against every mutant and prints which engines kill which
// (docs/mutants.md).
//
// A mutant is a set of hooks for impl's one fault-injection seam,
// impl.Faults (impl/faults.go): the simulator has no wrong code paths of its
// own, and a mutant changes a choice, a number or a pick at the named point
// where the simulator makes it. The concurrent mutants split a critical
// section of the cache in two, with a yield in between so that the
// interleaving that exposes them is common rather than rare. To add a
// mutant: a constant below (sequential and concurrent groups apart), its
// entry in table (mutants_table.go), and its hooks in faults
// (mutants_faults.go).
package mutants

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Mutant names one deliberately wrong behaviour.
type Mutant uint8

// Sequential mutants: each breaks one rule that a single call sequence can
// show, so the lockstep engines (the search, gopter, rapid, the fuzz
// decoder) can kill it.
const (
	Get0TakesRef Mutant = iota + 1
	Get1NoRef
	ResumableBeforeTicket
	TLS13FirstTicketWins
	CacheDoubleRef
	FreeUncleanKeeps
	FreeBeforeEstablishedRemoves
	ClearGoodDrops
	ClearKeepsReused
	SetSessionSkipsBadRule
	ShutdownFirstReturns1
	AlertAfterCloseNotifyRemoves
	ExpiredIDStaysCached
	TLS12StatelessGetsID
	TLS13ClientReusesTicket
	TLS13ServerAlwaysCaches
	TicketHintNoSlack
	AddSameReturns1
	AddReplaceCallsRemoveCB
	EvictOldest
	CapacityN
	EvictEmptyID
	RemoveUncachedNoCB
	RemoveByObject
	RemoveEmptyIDMarks
	FlushInclusive
	FlushZeroKeeps
	FlushFreeInterleaved
	AutoFlushOffByOne
	CountClientHitMissing
	CountMissWithoutLookup
	CountTimeoutOnFlush
	CountCacheFullOnRemove
	CountNumberResumableOnly
	SetTimeNoResort
	NewCBOwnershipInverted
	NewCBOnTLS12Hit
	DefaultTimeout300
	// Mutants of the rules on rare resumption paths (found by counting
	// how often each rule fires; docs/coverage.md).
	ForeignTicketOpens
	EmptyTicketHitNoRenewal
	ExpiredTicket12NoTimeout
	TLS13ExpiredResumes
	StatefulLookupRemoves
	StatefulMissUncounted
	Ticket12KeepsOldCached
	ShutdownDropsTickets
	// Mutants of the calls added by issue 13: the handshake counters,
	// SSL_has_matching_session_id and the settings after creation.
	ConnectNotCounted
	ConnectGoodSkipsResumed
	AcceptOnClientCtx
	AcceptGoodSkipsTLS13
	CbHitsCountInternal
	MatchIgnoresVersion
	MatchKeepsVersionAfterClear
	ModeCopiedAtNew
	OptionsReturnOld
	HandshakeReadsCtxOptions
	TicketsFromCtx
	// HS13-RESUME, corrected against OpenSSL 3.0.19.
	HS13ResumeCopies
	// The external session cache (get_session_cb and its *copy).
	GetCBSkippedWithoutLookup
	GetCBCopy1NoRef
	GetCBCopy0TakesRef
	GetCBIgnoresNoStore
	GetCBResumesNotResumable
	ExtStoreKeepsOnRemove
	// Serialization and copies.
	RoundTripDropsTicket
	RoundTripKeepsMark
	RoundTripKeepsZeroTimes
	DupForgetsMark
	NewSessionTimeout300
	CopySessionIDNoRef
	QuietShutdownSends
	SetShutdownOnlyAdds
	GetShutdownSentOnly
	ReceivedAlertKeeps
	MaxEarlyFromCtx
	AntiReplayStateless
	AntiReplayReusesTicket
	// Session id contexts (docs/spec.md "Session id contexts").
	SidCtxTooLongAccepted
	SidCtxSessionSetIgnored
	SidCtxReadAtUse
	SidCtxSessionFromCtx
	SidCtxIgnored
	SidCtxMismatchMiss
	SidCtxAfterExpiry
	// Handshakes in steps (docs/spec.md "Handshakes in steps").
	StepReusedAtFinish
	StepAbortRemoves
	StepFatalSpares
	StepCopyNotResumable
	// SSL_set_SSL_CTX (docs/spec.md "Changing context").
	SwitchMovesSessionCtx
	SwitchAcceptOnSessionCtx
	SwitchSidCtxKept
	SwitchIDModeSessionCtx
	SwitchNoRef
	// Found by the fuzz seeds once clients drew contexts.
	CopySessionIDKeepsSidCtx
	// The external cache that keeps bytes (CB-EXT-SERIAL-STORE).
	SerialStoreKeepsOnRemove
	FreshCopy0TakesRef
	FreshCopy1NoAppRef
	// The servername callback (docs/spec.md "The servername callback").
	SNICBSessionCtxFirst
	SNICBAcceptStays
	SNICBBeforeLookup

	// Concurrent mutants break a locking or atomicity rule; a sequence run
	// on one goroutine cannot see them (the linearizability runner and the
	// race detector can). They go below this line, with Concurrent set in
	// their Info.
	RefcountUnsynced
	EvictSplitLock
	ListStalePlace
	FlushReleaseEarly
	SetTimeStaleOwner
	SetTimeUnlocked
)

// Info describes one mutant for reports.
type Info struct {
	Mutant Mutant
	// Name is the mutant's id on command lines, e.g. "get0-takes-ref".
	Name string
	// Rule is the docs/spec.md rule it breaks.
	Rule model.Rule
	// Does says in one line what the mutant does instead.
	Does string
	// Concurrent: only visible under concurrency (see the const groups).
	Concurrent bool
}

// All returns every mutant, in declaration order. The slice is new on every
// call.
func All() []Info {
	out := make([]Info, len(table))
	for i, e := range table {
		out[i] = Info{Mutant: Mutant(i + 1), Name: e.name, Rule: rule(e.rule), Does: e.does, Concurrent: e.concurrent}
	}
	return out
}

// rule is the rule with id, RuleNone for an id docs/spec.md does not
// define (TestCatalogue rejects that).
func rule(id string) model.Rule {
	r, ok := model.ParseRule(id)
	if !ok {
		return model.RuleNone
	}
	return r
}

// Sequential returns the sequential mutants, in declaration order.
func Sequential() []Info {
	var out []Info
	for _, i := range All() {
		if !i.Concurrent {
			out = append(out, i)
		}
	}
	return out
}

// Info returns the mutant's description; ok is false for an unknown value.
func (m Mutant) Info() (Info, bool) {
	if m < 1 || int(m) > len(table) {
		return Info{}, false
	}
	return All()[m-1], true
}

// String returns the mutant's name.
func (m Mutant) String() string {
	if i, ok := m.Info(); ok {
		return i.Name
	}
	return fmt.Sprintf("Mutant(%d)", uint8(m))
}

// Parse returns the mutant with the given name.
func Parse(name string) (Mutant, error) {
	var names []string
	for _, i := range All() {
		if i.Name == name {
			return i.Mutant, nil
		}
		names = append(names, i.Name)
	}
	return 0, fmt.Errorf("mutants: unknown mutant %q (known: %s)", name, strings.Join(names, ", "))
}

// Profile is the profile a mutant is checked under. The automatic flush
// fires every 256th handshake, which no 100-call sequence reaches, so the
// rules about it are checked with the same profile scaled down to every 4th
// (model and simulator both follow the profile's AutoFlushMask).
func (i Info) Profile() model.Profile {
	p := model.OpenSSL30()
	if strings.HasPrefix(i.Rule.String(), "AUTO-") {
		p.AutoFlushMask = 0x3
		p.Name += " (AutoFlushMask 0x3)"
	}
	return p
}

// Option makes impl.NewTarget build the simulator with the given mutants
// enabled. It panics on a value that names no mutant: a harness bug.
func Option(ms ...Mutant) impl.Option {
	ms = slices.Clone(ms)
	slices.Sort(ms) // names in declaration order, whatever the order given
	var names []string
	var parts []*impl.Faults
	for _, m := range ms {
		i, ok := m.Info()
		if !ok {
			panic(fmt.Sprintf("mutants.Option: %d names no mutant", m))
		}
		names = append(names, i.Name)
		parts = append(parts, faults(m))
	}
	f := combine(parts)
	f.Name = "mutant " + strings.Join(names, "+")
	return impl.WithFaults(f)
}

// Target returns the simulator with mutant m enabled, following profile p;
// m 0 is the correct simulator (an engine's control run).
func Target(m Mutant, p model.Profile) target.Target {
	if m == 0 {
		return impl.NewTarget(impl.WithProfile(p))
	}
	return impl.NewTarget(Option(m), impl.WithProfile(p))
}

// Factory returns a factory of Target(m, p), for engines that open fresh
// targets (properties.Search).
func Factory(m Mutant, p model.Profile) target.Factory {
	return func() (target.Target, error) { return Target(m, p), nil }
}
