package model

import (
	"fmt"
	"strings"
)

// This file is the one place that says which rules of docs/spec.md a
// profile replaces. The rules are OpenSSL 3.0's; a profile departs from
// them through the fields of Profile (a behaviour switch turned on, or a
// number that differs from OpenSSL 3.0's), and each departure adds rules
// of its own (docs/spec.md, "wolfSSL 5.5 profile") in place of the OpenSSL
// rules that no longer hold. The stepper asks the same table (stepper.or,
// through State.differs) whenever code shared by every profile applies a
// rule that a profile may replace, so the rules a step records and the
// rules a profile claims can only disagree where a function of one profile
// names a rule of another, which TestProfileFiresItsOwnRules looks for.

// Divergence is one way a profile departs from OpenSSL 3.0: the Profile
// field behind it, the finding of docs/findings.md that tells it, the rules
// of the profile's own that describe it, and the OpenSSL rules that do not
// hold under it.
type Divergence struct {
	// Switch names the field of Profile; the divergence applies to a
	// profile whose field differs from OpenSSL30's.
	Switch string
	// Finding is the id of the difference in docs/findings.md (W1..W28
	// for wolfSSL, B1..B22 for BoringSSL).
	Finding string
	// Adds lists the rules the divergence brings: they apply only under a
	// profile that has it.
	Adds []Rule
	// Replaces lists the OpenSSL rules that do not hold under it, which
	// Adds take the place of.
	Replaces []Rule
	// Unsupported lists rules about a call the library lacks.
	Unsupported []Rule

	on func(Profile) bool
}

// divergences is the table. Several rows may share a switch (one per
// finding, so that each OpenSSL rule is said to be replaced by the rules
// that really take its place); a rule may be replaced by several rows.
var divergences = []Divergence{
	{Switch: "SSLOwnsSession", Finding: "W1", on: func(p Profile) bool { return p.SSLOwnsSession },
		Adds:     []Rule{RuleWolfSSLOwnsSession},
		Replaces: []Rule{RuleSeedGetNULL, RuleTimeNew, RuleSeedTLS13NotResumable, RuleSetMissRelease}},
	{Switch: "SetSessionCopies", Finding: "W2", on: func(p Profile) bool { return p.SetSessionCopies },
		Adds:     []Rule{RuleWolfSetSessionCopies, RuleWolfSetSessionRefuses},
		Replaces: []Rule{RuleSetTakesRef, RuleSetNULL, RuleSetResetsConnection}},
	{Switch: "SetSessionCopies", Finding: "W2", on: func(p Profile) bool { return p.SetSessionCopies },
		Adds:     []Rule{RuleWolfReusedSticky},
		Replaces: []Rule{RuleReusedReportsHit}},
	{Switch: "SetSessionCopies", Finding: "W13", on: func(p Profile) bool { return p.SetSessionCopies },
		Adds:     []Rule{RuleWolfSetSessionExpired},
		Replaces: []Rule{RuleTktClientTimeout}},
	{Switch: "TicketUpdatesInPlace", Finding: "W3", on: func(p Profile) bool { return p.TicketUpdatesInPlace },
		Adds:     []Rule{RuleWolfTicketInPlace},
		Replaces: []Rule{RuleSeedTLS13LastWins, RuleTkt13ClientDup, RuleTktClientTimeout}},
	{Switch: "NoBadSessionRule", Finding: "W4", on: func(p Profile) bool { return p.NoBadSessionRule },
		Adds: []Rule{RuleWolfNoBadSession},
		Replaces: []Rule{RuleSeedUncleanRemove, RuleFreeBadRemoves, RuleFreeShutdownKeeps, RuleFreeOnlyEstablished,
			RuleFreeRemoveUncached, RuleClearBadDrops, RuleSetBadOld, RuleAlertRemoves, RuleAlertAfterCloseNotify,
			RuleAlertUncached}},
	{Switch: "RemoveCBOnDestroy", Finding: "W5", on: func(p Profile) bool { return p.RemoveCBOnDestroy },
		Adds:     []Rule{RuleWolfRemovecbOnFree},
		Replaces: []Rule{RuleCBRemoveWhen}},
	{Switch: "RemoveOnlyExpires", Finding: "W6", on: func(p Profile) bool { return p.RemoveOnlyExpires },
		Adds:     []Rule{RuleWolfRemoveExpires},
		Replaces: []Rule{RuleRemoveCached, RuleRemoveUncached, RuleRemoveByKey, RuleRemoveEmptyID}},
	{Switch: "FlushIsStub", Finding: "W7", on: func(p Profile) bool { return p.FlushIsStub },
		Adds: []Rule{RuleWolfFlushStub},
		Replaces: []Rule{RuleFlushStrict, RuleFlushZero, RuleFlushTailWalk, RuleFlushNotTimeouts,
			RuleSeedFlushHeldPointer, RuleConcFlush}},
	{Switch: "AutoFlushMask", Finding: "W7", on: func(p Profile) bool { return p.AutoFlushMask != OpenSSL30().AutoFlushMask },
		Adds:     []Rule{RuleWolfFlushStub},
		Replaces: []Rule{RuleAutoEvery256, RuleAutoNoAutoClear, RuleAutoNeedsID}},
	{Switch: "StatsAreStubs", Finding: "W7", on: func(p Profile) bool { return p.StatsAreStubs },
		Adds: []Rule{RuleWolfStatsStubs},
		Replaces: []Rule{RuleCntHits, RuleCntMisses, RuleCntMissNoLookup, RuleCntTimeouts, RuleCntCacheFull,
			RuleCntNumber, RuleCntConnect, RuleCntConnectGood, RuleCntAccept, RuleCntAcceptGood, RuleCntCBHits,
			RuleSwitchAccept}},
	{Switch: "FixedCacheSize", Finding: "W7", on: func(p Profile) bool { return p.FixedCacheSize },
		Adds:     []Rule{RuleWolfCacheSizeFixed},
		Replaces: []Rule{RuleCacheSizeSet}},
	{Switch: "DefaultTimeout", Finding: "W7", on: func(p Profile) bool { return p.DefaultTimeout != OpenSSL30().DefaultTimeout },
		Adds:     []Rule{RuleWolfCTXDefaults},
		Replaces: []Rule{RuleDefTimeout7200, RuleTimeCTXZero}},
	{Switch: "DefaultCacheSize", Finding: "W7", on: func(p Profile) bool { return p.DefaultCacheSize != OpenSSL30().DefaultCacheSize },
		Adds:     []Rule{RuleWolfCTXDefaults},
		Replaces: []Rule{RuleDefCacheSize20480}},
	{Switch: "DefaultNumTickets", Finding: "W15", on: func(p Profile) bool { return p.DefaultNumTickets != OpenSSL30().DefaultNumTickets },
		Adds:     []Rule{RuleWolfCTXDefaults},
		Replaces: []Rule{RuleDefNumTickets2}},
	{Switch: "DefaultTicketHint", Finding: "W11", on: func(p Profile) bool { return p.DefaultTicketHint != OpenSSL30().DefaultTicketHint },
		Adds: []Rule{RuleWolfCTXDefaults}},
	{Switch: "TimeoutSetsTicketHint", Finding: "W11", on: func(p Profile) bool { return p.TimeoutSetsTicketHint },
		Adds:     []Rule{RuleWolfTimeoutSetsHint},
		Replaces: []Rule{RuleTimeCTXSet, RuleTktHintCap}},
	{Switch: "TicketKeyLifetime", Finding: "W11", on: func(p Profile) bool { return p.TicketKeyLifetime != OpenSSL30().TicketKeyLifetime },
		Adds: []Rule{RuleWolfTicketKeys}},
	{Switch: "ShutdownOneRecord", Finding: "W9", on: func(p Profile) bool { return p.ShutdownOneRecord },
		Adds: []Rule{RuleWolfShutBeforeHandshake, RuleWolfShutOneRecord, RuleWolfShutWantRead, RuleWolfShutDoneClears,
			RuleWolfShutAfterFatal},
		Replaces: []Rule{RuleShutInInit, RuleShutWaitsForPeer}},
	{Switch: "SwitchMovesSSL", Finding: "W23", on: func(p Profile) bool { return p.SwitchMovesSSL },
		Adds:     []Rule{RuleWolfSwitchMovesSSL},
		Replaces: []Rule{RuleSwitchSessionCTX, RuleSwitchSidctx, RuleSwitchCTXRef, RuleSwitchIDMode}},
	{Switch: "ImmutableSessions", Finding: "B22", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringStepNewSession},
		Replaces: []Rule{RuleStepServerDecides, RuleStepAbortKeeps, RuleStepFatalRemoves, RuleStepOverlapCopyResumable}},
	{Switch: "StepsInPlace", Finding: "W28", on: func(p Profile) bool { return p.StepsInPlace },
		Adds:     []Rule{RuleWolfStepInPlace},
		Replaces: []Rule{RuleStepServerDecides, RuleStepAbortKeeps, RuleStepFatalRemoves, RuleStepOverlapCopyResumable}},
	{Switch: "ShutdownOneRecord", Finding: "W22", on: func(p Profile) bool { return p.ShutdownOneRecord },
		Adds:     []Rule{RuleWolfShutGetFlags},
		Replaces: []Rule{RuleShutGetFlags}},
	{Switch: "ShutdownOptionBits", Finding: "W25", on: func(p Profile) bool { return p.ShutdownOptionBits },
		Adds:     []Rule{RuleWolfShutQuiet},
		Replaces: []Rule{RuleShutQuiet}},
	{Switch: "ShutdownOptionBits", Finding: "W26", on: func(p Profile) bool { return p.ShutdownOptionBits },
		Adds:     []Rule{RuleWolfShutSetFlags},
		Replaces: []Rule{RuleShutSetFlags}},
	{Switch: "ShutdownOptionBits", Finding: "W27", on: func(p Profile) bool { return p.ShutdownOptionBits },
		Adds:     []Rule{RuleWolfAlertReceivedKeeps},
		Replaces: []Rule{RuleAlertReceivedRemoves}},
	{Switch: "ClearRenewsUnfinished", Finding: "W10", on: func(p Profile) bool { return p.ClearRenewsUnfinished },
		Adds:     []Rule{RuleWolfClearRenewsUnfinished},
		Replaces: []Rule{RuleSeedUncleanFree, RuleClearGoodKeeps, RuleClearAfterFatalKeeps}},
	{Switch: "ClearRenewsUnfinished", Finding: "W10", on: func(p Profile) bool { return p.ClearRenewsUnfinished },
		Adds:     []Rule{RuleWolfReusedSticky},
		Replaces: []Rule{RuleClearResetsReused}},
	{Switch: "SharedCopyCache", Finding: "W8", on: func(p Profile) bool { return p.SharedCopyCache },
		Adds: []Rule{RuleWolfSharedCache, RuleWolfAddSessionCopies},
		Replaces: []Rule{RuleSeedOneCTX, RuleRefCacheHolds, RuleCacheAddNew, RuleCacheAddSame, RuleCacheAddReplace,
			RuleCacheKey, RuleCacheSorted, RuleTimeResort, RuleDefCTXEmpty, RuleUBCrossContext, RuleConcCacheAdd,
			RuleConcSetTime}},
	{Switch: "SharedCopyCache", Finding: "W8", on: func(p Profile) bool { return p.SharedCopyCache },
		Adds:     []Rule{RuleWolfCTXFree},
		Replaces: []Rule{RuleFreeCTXLastSSL, RuleFlushCTXFree}},
	{Switch: "SharedCopyCache", Finding: "W8", on: func(p Profile) bool { return p.SharedCopyCache },
		Adds: []Rule{RuleWolfHS12Full, RuleWolfHS12Resume},
		Replaces: []Rule{RuleHS12IDCached, RuleHS12StatelessEmptyID, RuleHS12ResumeID, RuleHS12ResumeTicket, RuleHS12Miss,
			RuleHS12ExpiredID, RuleHS12ExpiredTicket, RuleHS12ForeignTicket, RuleHS12EventOrder, RuleHS12EmptyTicketHit,
			RuleTkt12Dup}},
	{Switch: "SharedCopyCache", Finding: "W17", on: func(p Profile) bool { return p.SharedCopyCache },
		Adds: []Rule{RuleWolfHS12ServerTimeout}},
	{Switch: "SharedCopyCache", Finding: "W14", on: func(p Profile) bool { return p.SharedCopyCache },
		Adds: []Rule{RuleWolfHS13Resume, RuleWolfHS13TicketAge},
		Replaces: []Rule{RuleHS13Resume, RuleHS13StatefulMiss, RuleHS13Expired, RuleHS13ForeignTicket,
			RuleHS13ClientSingleUse, RuleSeedTLS13Once, RuleTktHintSlack}},
	{Switch: "TicketUpdatesInPlace", Finding: "W20", on: func(p Profile) bool { return p.TicketUpdatesInPlace },
		Adds: []Rule{RuleWolfHS13Resume}},
	{Switch: "SharedCopyCache", Finding: "W16", on: func(p Profile) bool { return p.SharedCopyCache },
		Adds: []Rule{RuleWolfHS13Tickets},
		Replaces: []Rule{RuleHS13ServerTickets, RuleHS13ServerLastTicket, RuleHS13ServerNoTickets,
			RuleHS13EventOrder}},
	{Switch: "SharedCopyCache", Finding: "W15", on: func(p Profile) bool { return p.SharedCopyCache },
		Adds: []Rule{RuleWolfCacheMode, RuleWolfCacheOff},
		Replaces: []Rule{RuleHS12NoServerMode, RuleHS13ServerCache, RuleCBNewNeedsMode, RuleDefModeServer,
			RuleTkt13NewcbPerTicket}},
	{Switch: "SharedCopyCache", Finding: "W16", on: func(p Profile) bool { return p.SharedCopyCache },
		Adds: []Rule{RuleWolfCacheNULLCTXRemoveCB}},
	{Switch: "SessionsPerRow", Finding: "W8", on: func(p Profile) bool { return p.SessionsPerRow != OpenSSL30().SessionsPerRow },
		Adds: []Rule{RuleWolfEvictUnknown},
		Replaces: []Rule{RuleEvictN1, RuleEvictTail, RuleEvictEvents, RuleEvictUnlimited,
			RuleEvictEmptyIDStuck}},
	{Switch: "SetTimeoutBadArg", Finding: "W17", on: func(p Profile) bool { return p.SetTimeoutBadArg != OpenSSL30().SetTimeoutBadArg },
		Adds:     []Rule{RuleWolfSessionSetTimeout},
		Replaces: []Rule{RuleTimeSetters}},
	// wolfSSL lacks SSL_SESSION_set_time and SSL_has_matching_session_id
	// (and SSL_set_num_tickets, which no rule needs alone); BoringSSL has
	// set_time, which tells the two apart.
	{Switch: "Lacks", Finding: "W17", on: func(p Profile) bool { return p.Lacks.Has(SetTime) },
		Adds:        []Rule{RuleWolfSessionSetTimeout},
		Unsupported: []Rule{RuleTimeSetters, RuleConcSetTime, RuleMatchKey, RuleMatchSSLVersion}},
	{Switch: "SidCtxOnSetSession", Finding: "W21", on: func(p Profile) bool { return p.SidCtxOnSetSession },
		Adds:     []Rule{RuleWolfSidctxSetSession, RuleWolfSidctxRecorded},
		Replaces: []Rule{RuleSidctxSet, RuleSidctxNewSession, RuleSidctxMismatch, RuleSidctxMismatchUncounted}},
	{Switch: "CacheModeSticky", Finding: "W18", on: func(p Profile) bool { return p.CacheModeSticky },
		Unsupported: []Rule{RuleCfgCacheMode}},
	{Switch: "ImmutableSessions", Finding: "B1", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringSessionSplit, RuleBoringTicketsToCallback},
		Replaces: []Rule{RuleSeedTLS13LastWins, RuleTkt13ClientDup, RuleTkt13NewcbPerTicket, RuleShutTLS13ReadsTickets}},
	{Switch: "ImmutableSessions", Finding: "B2", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringClear},
		Replaces: []Rule{RuleSeedUncleanFree, RuleClearGoodKeeps, RuleClearAfterFatalKeeps}},
	{Switch: "ImmutableSessions", Finding: "B3", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds: []Rule{RuleBoringNoBadSession},
		Replaces: []Rule{RuleSeedUncleanRemove, RuleFreeBadRemoves, RuleFreeShutdownKeeps, RuleFreeOnlyEstablished,
			RuleFreeRemoveUncached, RuleClearBadDrops, RuleSetBadOld, RuleAlertRemoves, RuleAlertAfterCloseNotify,
			RuleAlertUncached}},
	{Switch: "ImmutableSessions", Finding: "B4", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringSetAfterHandshakeAborts},
		Replaces: []Rule{RuleSetResetsConnection}},
	{Switch: "ImmutableSessions", Finding: "B5", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringClientDropsUnusable, RuleBoringExpiry, RuleBoringResumeServerOnly},
		Replaces: []Rule{RuleTktClientTimeout, RuleTktHintSlack, RuleFlushStrict, RuleHS12ExpiredID}},
	{Switch: "ImmutableSessions", Finding: "B6", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds: []Rule{RuleBoringHS13ServerStateless, RuleBoringHS13Resume},
		Replaces: []Rule{RuleHS13ServerTickets, RuleHS13ServerLastTicket, RuleHS13ServerCache, RuleHS13EventOrder,
			RuleHS13Resume, RuleHS13StatefulMiss, RuleHS13Expired, RuleTkt13Pending}},
	{Switch: "ImmutableSessions", Finding: "B7", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringClientNoCache},
		Replaces: []Rule{RuleHS13ClientSingleUse, RuleSeedTLS13Once, RuleTkt12Dup}},
	{Switch: "ImmutableSessions", Finding: "B8", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringHS12NoRenew},
		Replaces: []Rule{RuleHS12EmptyTicketHit}},
	{Switch: "PSKTimeout", Finding: "B9", on: func(p Profile) bool { return p.PSKTimeout != OpenSSL30().PSKTimeout },
		Adds:     []Rule{RuleBoringTLS13Timeouts},
		Replaces: []Rule{RuleTimeNew, RuleDefTimeout7200, RuleTktHintCap}},
	{Switch: "AuthTimeout", Finding: "B9", on: func(p Profile) bool { return p.AuthTimeout != OpenSSL30().AuthTimeout },
		Adds: []Rule{RuleBoringTLS13Timeouts}},
	{Switch: "ImmutableSessions", Finding: "B9", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringCTXTimeout, RuleBoringSessionSetters},
		Replaces: []Rule{RuleTimeCTXZero, RuleTimeSetters}},
	{Switch: "TicketKeyRotation", Finding: "B10", on: func(p Profile) bool { return p.TicketKeyRotation != OpenSSL30().TicketKeyRotation },
		Adds: []Rule{RuleBoringTicketKeys}},
	{Switch: "ImmutableSessions", Finding: "B11", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds: []Rule{RuleBoringCacheList, RuleBoringEvictN},
		Replaces: []Rule{RuleCacheAddSame, RuleCacheKey, RuleCacheSorted, RuleTimeResort, RuleEvictN1, RuleEvictTail,
			RuleEvictEvents, RuleConcSetTime}},
	{Switch: "ImmutableSessions", Finding: "B12", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringRemoveExact},
		Replaces: []Rule{RuleRemoveCached, RuleRemoveUncached, RuleRemoveByKey, RuleCBRemoveWhen}},
	{Switch: "ImmutableSessions", Finding: "B12", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringFlushUnordered},
		Replaces: []Rule{RuleFlushTailWalk, RuleSeedFlushHeldPointer, RuleConcFlush}},
	{Switch: "ImmutableSessions", Finding: "B13", on: func(p Profile) bool { return p.ImmutableSessions },
		Adds:     []Rule{RuleBoringAutoFlush255},
		Replaces: []Rule{RuleAutoEvery256}},
	{Switch: "CountersAreStubs", Finding: "B13", on: func(p Profile) bool { return p.CountersAreStubs },
		Adds: []Rule{RuleBoringStatsStubs},
		Replaces: []Rule{RuleCntHits, RuleCntMisses, RuleCntMissNoLookup, RuleCntTimeouts, RuleCntCacheFull,
			RuleFlushNotTimeouts, RuleHS12Miss, RuleHS12ExpiredTicket, RuleHS13ForeignTicket,
			RuleCntConnect, RuleCntConnectGood, RuleCntAccept, RuleCntAcceptGood, RuleCntCBHits, RuleSwitchAccept}},
	// BoringSSL lacks SSL_has_matching_session_id and SSL_set_num_tickets;
	// it has SSL_SESSION_set_time, which tells it from wolfSSL (W17).
	{Switch: "Lacks", Finding: "B15", on: func(p Profile) bool { return p.Lacks.Has(HasMatchingSessionID) && !p.Lacks.Has(SetTime) },
		Unsupported: []Rule{RuleMatchKey, RuleMatchSSLVersion}},
	// Serialization and copies: wolfSSL has the calls but SSL_copy_session_id,
	// which its profile leaves out; BoringSSL only i2d/d2i, whose zero
	// times it keeps.
	{Switch: "Unmodelled", Finding: "W19", on: func(p Profile) bool { return p.Unmodelled.Has(SessDup) },
		Unsupported: []Rule{RuleSerRoundtripNew, RuleSerRoundtripForgetsMark, RuleSerRoundtripZeroTimes, RuleSerDupCopies, RuleSerNewEmpty}},
	{Switch: "Lacks", Finding: "W19", on: func(p Profile) bool { return p.Lacks.Has(CopySessionID) && !p.Lacks.Has(SessDup) },
		Unsupported: []Rule{RuleSerCopySessionID}},
	{Switch: "DecodeKeepsZeroTimes", Finding: "B16", on: func(p Profile) bool { return p.DecodeKeepsZeroTimes },
		Adds:     []Rule{RuleBoringRoundtrip},
		Replaces: []Rule{RuleSerRoundtripZeroTimes, RuleSerRoundtripForgetsMark}},
	{Switch: "Lacks", Finding: "B16", on: func(p Profile) bool { return p.Lacks.Has(SessDup) },
		Unsupported: []Rule{RuleSerDupCopies, RuleSerNewEmpty, RuleSerCopySessionID}},
	{Switch: "NumTicketsAtUse", Finding: "B15", on: func(p Profile) bool { return p.NumTicketsAtUse },
		Adds:     []Rule{RuleBoringNumTickets},
		Replaces: []Rule{RuleCfgNumTickets}},
	{Switch: "SidCtxAfterExpiry", Finding: "B17", on: func(p Profile) bool { return p.SidCtxAfterExpiry },
		Adds:     []Rule{RuleBoringSidctxAfterExpiry},
		Replaces: []Rule{RuleSidctxMismatchUncounted}},
	{Switch: "SwitchSidCtxAlways", Finding: "B19", on: func(p Profile) bool { return p.SwitchSidCtxAlways },
		Adds:     []Rule{RuleBoringSwitchSidctx},
		Replaces: []Rule{RuleSwitchSidctx}},
	{Switch: "ServernameBeforeLookup", Finding: "B20", on: func(p Profile) bool { return p.ServernameBeforeLookup },
		Adds:     []Rule{RuleBoringSnicbBeforeLookup},
		Replaces: []Rule{RuleSnicbAfterLookup}},
	// wolfSSL has the servername callback, which its profile leaves out.
	{Switch: "Unmodelled", Finding: "W24", on: func(p Profile) bool { return p.Unmodelled.Has(CtxSetServernameCtx) },
		Unsupported: []Rule{RuleSnicbWhich, RuleSnicbSwitch, RuleSnicbAfterLookup, RuleUBSnicbFreed}},
	// BoringSSL has read_alert, which its profile leaves out.
	{Switch: "Unmodelled", Finding: "B18", on: func(p Profile) bool { return p.Unmodelled.Has(ReadAlert) },
		Unsupported: []Rule{RuleAlertReceivedRemoves}},
	// OpenSSL 3.2 and later (profile_openssl32.go).
	{Switch: "TicketAgeFloorsAtZero", Finding: "O1", on: func(p Profile) bool { return p.TicketAgeFloorsAtZero },
		Adds:     []Rule{RuleOssl32TicketAgeFloor},
		Replaces: []Rule{RuleTktHintSlack}},
	{Switch: "SNIAcceptStays", Finding: "O2", on: func(p Profile) bool { return p.SNIAcceptStays },
		Adds:     []Rule{RuleOssl32SnicbAcceptStays},
		Replaces: []Rule{RuleSnicbSwitch}},
	// O3 adds and replaces no rule: Check leaves out the SSL_set_shutdown
	// calls after which the profile would differ.
	{Switch: "CloseNotifyStaysCurrent", Finding: "O3", on: func(p Profile) bool { return p.CloseNotifyStaysCurrent }},
	{Switch: "ShutdownStatesOnlyAdd", Finding: "B21", on: func(p Profile) bool { return p.ShutdownStatesOnlyAdd },
		Adds:     []Rule{RuleBoringShutSetStates},
		Replaces: []Rule{RuleShutSetFlags}},
	{Switch: "ShutdownInInitSucceeds", Finding: "B14", on: func(p Profile) bool { return p.ShutdownInInitSucceeds },
		Adds:     []Rule{RuleBoringShutInInit},
		Replaces: []Rule{RuleShutInInit}},
}

// Divergences returns the ways p departs from OpenSSL 3.0, in table order
// (none for OpenSSL30).
func (p Profile) Divergences() []Divergence {
	var out []Divergence
	for _, d := range divergences {
		if d.on(p) {
			out = append(out, d)
		}
	}
	return out
}

// Verdict says how a profile stands to one rule of docs/spec.md.
type Verdict uint8

// The verdicts.
const (
	// Same: the profile follows the rule (an OpenSSL rule it keeps, or a
	// rule about the harness or undefined behaviour that no switch touches).
	Same Verdict = iota
	// Own: the rule is one of the profile's own, added by a divergence it
	// has.
	Own
	// Replaced: the rule does not hold under the profile; rules of its own
	// take its place.
	Replaced
	// Unsupported: the library lacks a call the rule is about.
	Unsupported
	// Foreign: the rule belongs to a divergence the profile does not have
	// (for example a wolfSSL rule under openssl-3.0).
	Foreign
)

var verdictNames = [...]string{Same: "same", Own: "own", Replaced: "replaced", Unsupported: "unsupported", Foreign: "foreign"}

// String names the verdict as the cross-library table prints it.
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// RuleStatus is how a profile stands to one rule, and why: the
// divergences that mention the rule (those of the profile, or for Foreign
// those that would add it), in table order.
type RuleStatus struct {
	Verdict Verdict
	Because []Divergence
}

// Status says whether p keeps rule r, has it as its own, replaces it, lacks
// the call it is about, or never applies it. A rule both replaced and
// unsupported is Replaced, with both reasons.
func (p Profile) Status(r Rule) RuleStatus {
	var st RuleStatus
	var replaced, unsupported, own bool
	var foreign []Divergence
	for _, d := range divergences {
		inAdds, inRepl, inUnsup := hasRule(d.Adds, r), hasRule(d.Replaces, r), hasRule(d.Unsupported, r)
		if !inAdds && !inRepl && !inUnsup {
			continue
		}
		if !d.on(p) {
			if inAdds {
				foreign = append(foreign, d)
			}
			continue
		}
		st.Because = append(st.Because, d)
		replaced, unsupported, own = replaced || inRepl, unsupported || inUnsup, own || inAdds
	}
	switch {
	case replaced:
		st.Verdict = Replaced
	case unsupported:
		st.Verdict = Unsupported
	case own:
		st.Verdict = Own
	case len(foreign) > 0:
		st.Verdict, st.Because = Foreign, foreign
	}
	return st
}

// Differs reports whether rule r fails to describe p's library (replaced,
// unsupported, or another profile's), with the reason in a few words: for
// example "replaced by WOLF-SSL-OWNS-SESSION (SSLOwnsSession, W1)" or, for
// a wolfSSL rule under openssl-3.0, "not in openssl-3.0 (SharedCopyCache,
// W8)". Reasons from several divergences are joined by "; ".
func (p Profile) Differs(r Rule) (bool, string) {
	st := p.Status(r)
	if st.Verdict == Same || st.Verdict == Own {
		return false, ""
	}
	var parts, switches []string
	for _, d := range st.Because {
		why := d.Switch + ", " + d.Finding
		switch {
		case st.Verdict == Foreign:
			switches = append(switches, why)
		case hasRule(d.Replaces, r):
			parts = append(parts, fmt.Sprintf("replaced by %s (%s)", ruleList(d.Adds), why))
		case hasRule(d.Unsupported, r):
			parts = append(parts, fmt.Sprintf("a call the library lacks (%s)", why))
		}
	}
	if st.Verdict == Foreign {
		return true, fmt.Sprintf("not in %s (%s)", p.Name, strings.Join(switches, "; "))
	}
	return true, strings.Join(parts, "; ")
}

// differing returns the set of rules p does not apply: replaced,
// unsupported and foreign ones.
func (p Profile) differing() RuleSet {
	var own, out RuleSet
	for _, d := range divergences {
		if !d.on(p) {
			continue
		}
		for _, r := range d.Adds {
			own.Add(r)
		}
		for _, r := range d.Replaces {
			out.Add(r)
		}
		for _, r := range d.Unsupported {
			out.Add(r)
		}
	}
	for _, d := range divergences {
		for _, r := range d.Adds {
			if !own.Has(r) {
				out.Add(r)
			}
		}
	}
	return out
}

// or is the rule the stepper applies where OpenSSL applies r: r itself,
// or, when the profile replaces r, the first of alts that the profile
// applies (code shared by every profile names the rule of each through
// it, one alternative per library).
func (st *stepper) or(r Rule, alts ...Rule) Rule {
	if !st.differs.Has(r) {
		return r
	}
	for _, a := range alts {
		if !st.differs.Has(a) {
			return a
		}
	}
	return r
}

// keeps reports whether the profile applies rule r.
func (st *stepper) keeps(r Rule) bool { return !st.differs.Has(r) }

func hasRule(rs []Rule, r Rule) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func ruleList(rs []Rule) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.String()
	}
	return strings.Join(ids, ", ")
}
