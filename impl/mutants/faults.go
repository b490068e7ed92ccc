package mutants

import (
	"runtime"
	"sync/atomic"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
)

// faults returns mutant m's hooks: each changes the simulator at its own
// points only and leaves every other point to the reference.
func faults(m Mutant) *impl.Faults {
	switch m {
	case Get0TakesRef:
		return reach(impl.Get0Returned, func(on any) {
			if s := on.(*impl.Session); s != nil {
				s.UpRef()
			}
		})
	case Get1NoRef:
		return choose(impl.Get1TakesRef, false)
	case ResumableBeforeTicket:
		return choice(impl.HasResumptionState, func(on any, ref bool) bool {
			return ref || on.(*impl.Session).Version() == model.TLS13
		})
	case TLS13FirstTicketWins:
		return choice(impl.ClientTakesTicket13, func(on any, _ bool) bool { return on.(int) == 0 })
	case CacheDoubleRef:
		return reach(impl.NewEntryCached, func(on any) { on.(*impl.Session).UpRef() })
	case FreeUncleanKeeps:
		return choose(impl.FreeAppliesBadRule, false)
	case FreeBeforeEstablishedRemoves:
		return choose(impl.BadRuleSparesUnestablished, false)
	case ClearGoodDrops:
		return choose(impl.ClearKeepsGoodSession, false)
	case ClearKeepsReused:
		return choose(impl.ClearResetsReused, false)
	case SetSessionSkipsBadRule:
		return choose(impl.SetSessionAppliesBadRule, false)
	case ShutdownFirstReturns1:
		return amount(impl.FirstShutdownResult, func(any, int64) int64 { return 1 })
	case AlertAfterCloseNotifyRemoves:
		return choose(impl.AlertSparesAfterCloseNotify, false)
	case ExpiredIDStaysCached:
		return choose(impl.ExpiredIDLeavesCache, false)
	case TLS12StatelessGetsID:
		return choose(impl.StatelessTicketOmitsID, false)
	case TLS13ClientReusesTicket:
		return choose(impl.TLS13ClientDropsUsedSession, false)
	case TLS13ServerAlwaysCaches:
		return choose(impl.TLS13ServerCachesStateless, true)
	case TicketHintNoSlack:
		return choose(impl.TicketAgeRoundsDown, false)
	case AddSameReturns1:
		return choose(impl.AddExistingResult, true)
	case AddReplaceCallsRemoveCB:
		return choose(impl.ReplaceIsQuiet, false)
	case ForeignTicketOpens:
		return choose(impl.TicketNeedsItsKey, false)
	case EmptyTicketHitNoRenewal:
		return choose(impl.EmptyTicketHitRenews, false)
	case ExpiredTicket12NoTimeout:
		return choose(impl.ExpiredTicketCountsTimeout, false)
	case TLS13ExpiredResumes:
		return choose(impl.ExpiredTLS13Refused, false)
	case StatefulLookupRemoves:
		return choose(impl.StatefulLookupKeepsEntry, false)
	case StatefulMissUncounted:
		return amount(impl.StatefulMisses, func(any, int64) int64 { return 0 })
	case Ticket12KeepsOldCached:
		return choose(impl.Ticket12RemovesOld, false)
	case ShutdownDropsTickets:
		return choose(impl.ShutdownReadsTickets, false)
	case HS13ResumeCopies:
		return choose(impl.ResumedTLS13Copies, true)
	case GetCBSkippedWithoutLookup:
		return choose(impl.GetCBAskedWithoutLookup, false)
	case GetCBCopy1NoRef:
		return choose(impl.GetCBCopyTakesRef, false)
	case GetCBCopy0TakesRef:
		return choose(impl.GetCBNoCopyTakesRef, true)
	case GetCBIgnoresNoStore:
		return choose(impl.GetCBReadsNoStore, false)
	case GetCBResumesNotResumable:
		return choose(impl.GetCBIgnoresNotResumable, false)
	case ExtStoreKeepsOnRemove:
		return choose(impl.ExtStoreFreesOnRemove, false)
	case RoundTripDropsTicket:
		return choose(impl.RoundTripKeepsTicket, false)
	case RoundTripKeepsMark:
		return choose(impl.RoundTripForgetsMark, false)
	case RoundTripKeepsZeroTimes:
		return choose(impl.RoundTripFixesZeroTimes, false)
	case DupForgetsMark:
		return choose(impl.DupKeepsMark, false)
	case NewSessionTimeout300:
		return amount(impl.EmptySessionTimeout, func(any, int64) int64 { return 300 })
	case CopySessionIDNoRef:
		return choose(impl.CopySessionIDTakesRef, false)
	case EvictOldest:
		return &impl.Faults{Pick: func(at impl.Point, on any, ref *impl.Session) *impl.Session {
			if at != impl.EvictionVictim {
				return ref
			}
			return oldest(on.(impl.Cache))
		}}
	case CapacityN:
		return amount(impl.EvictionCount, func(_ any, ref int64) int64 { return ref - 1 })
	case EvictEmptyID:
		return choose(impl.EvictionRefusesEmptyID, false)
	case RemoveUncachedNoCB:
		return choose(impl.RemoveHandlesUncached, false)
	case RemoveByObject:
		return &impl.Faults{Pick: func(at impl.Point, on any, ref *impl.Session) *impl.Session {
			if at == impl.RemoveFinds && ref != on.(*impl.Session) {
				return nil
			}
			return ref
		}}
	case RemoveEmptyIDMarks:
		return choose(impl.RemoveIgnoresEmptyID, false)
	case FlushInclusive:
		// Times are whole seconds: removing what has expired at t or
		// expires exactly then is a strict flush at t+1.
		return amount(impl.FlushTime, func(_ any, ref int64) int64 {
			if ref > 0 {
				return ref + 1
			}
			return ref
		})
	case FlushZeroKeeps:
		return amount(impl.FlushTime, func(on any, ref int64) int64 {
			if ref == 0 {
				return on.(*impl.Env).Now()
			}
			return ref
		})
	case FlushFreeInterleaved:
		return choose(impl.FlushReleasesAfterWalk, false)
	case AutoFlushOffByOne:
		return amount(impl.AutoFlushCount, func(_ any, ref int64) int64 { return ref + 1 })
	case CountClientHitMissing:
		return choose(impl.ClientCountsHit, false)
	case CountMissWithoutLookup:
		return choose(impl.MissCountedWithoutLookup, true)
	case CountTimeoutOnFlush:
		return choose(impl.FlushCountsTimeout, true)
	case CountCacheFullOnRemove:
		return choose(impl.RemoveCountsCacheFull, true)
	case CountNumberResumableOnly:
		return amount(impl.SessNumber, func(on any, _ int64) int64 {
			n := int64(0)
			for s := range on.(impl.Cache).Sessions() {
				if s.IsResumable() {
					n++
				}
			}
			return n
		})
	case SetTimeNoResort:
		return choose(impl.SetTimeResorts, false)
	case NewCBOwnershipInverted:
		return choice(impl.NewCBTakesReference, func(_ any, ref bool) bool { return !ref })
	case NewCBOnTLS12Hit:
		return choose(impl.NewCBOnTLS12Resumption, true)
	case DefaultTimeout300:
		return amount(impl.DefaultTimeout, func(any, int64) int64 { return 300 })
	case ConnectNotCounted:
		return choose(impl.ClientCountsConnect, false)
	case ConnectGoodSkipsResumed:
		return choose(impl.ClientCountsResumedGood, false)
	case AcceptOnClientCtx:
		return choose(impl.AcceptCountedOnServer, false)
	case AcceptGoodSkipsTLS13:
		return choose(impl.TLS13ServerCountsGood, false)
	case CbHitsCountInternal:
		return choose(impl.CbHitsCountsInternal, true)
	case MatchIgnoresVersion:
		return choose(impl.MatchComparesVersion, false)
	case MatchKeepsVersionAfterClear:
		return choose(impl.ClearResetsMethod, false)
	case ModeCopiedAtNew:
		return choose(impl.ModeReadAtUse, false)
	case OptionsReturnOld:
		return choose(impl.OptionsReturnNew, false)
	case HandshakeReadsCtxOptions:
		return choose(impl.HandshakeReadsSSLOptions, false)
	case TicketsFromCtx:
		return choose(impl.ServerSendsSSLCount, false)
	case QuietShutdownSends:
		return choose(impl.QuietShutdownSilent, false)
	case SetShutdownOnlyAdds:
		return choose(impl.SetShutdownReplaces, false)
	case GetShutdownSentOnly:
		return amount(impl.GetShutdownResult, func(_ any, f int64) int64 { return f & 1 })
	case ReceivedAlertKeeps:
		return choose(impl.ReceivedAlertRemoves, false)
	case MaxEarlyFromCtx:
		return choose(impl.ConnReadsOwnMaxEarly, false)
	case AntiReplayStateless:
		return choose(impl.AntiReplayStateful, false)
	case AntiReplayReusesTicket:
		return choose(impl.AntiReplayUsesUpTicket, false)
	case SidCtxTooLongAccepted:
		return choose(impl.SidCtxLengthChecked, false)
	case SidCtxSessionSetIgnored:
		return choose(impl.SessionSidCtxStored, false)
	case SidCtxReadAtUse:
		return choose(impl.ServerUsesSSLSidCtx, false)
	case SidCtxSessionFromCtx:
		return choose(impl.SessionRecordsSSLSidCtx, false)
	case SidCtxIgnored:
		return choose(impl.SidCtxCompared, false)
	case SidCtxMismatchMiss:
		return choose(impl.SidCtxMismatchCountsMiss, true)
	case SidCtxAfterExpiry:
		return choose(impl.SidCtxBeforeExpiry, false)
	case StepReusedAtFinish:
		return choose(impl.StepServerDecidesAtHello, false)
	case StepAbortRemoves:
		return choose(impl.StepAbortRemoves, true)
	case StepFatalSpares:
		return choose(impl.StepFatalRemoves, false)
	case StepCopyNotResumable:
		return choose(impl.StepCopyResumable, false)
	case SwitchMovesSessionCtx:
		return choose(impl.SwitchKeepsSessionCtx, false)
	case SwitchAcceptOnSessionCtx:
		return choose(impl.SwitchAcceptOnCurrent, false)
	case SwitchSidCtxKept:
		return choose(impl.SwitchSidCtxFollows, false)
	case SwitchIDModeSessionCtx:
		return choose(impl.SwitchIDModeCurrent, false)
	case SwitchNoRef:
		return choose(impl.SwitchHoldsCurrent, false)
	case CopySessionIDKeepsSidCtx:
		return choose(impl.CopySessionIDCopiesSidCtx, false)
	case SerialStoreKeepsOnRemove:
		return choose(impl.SerialStoreErasesOnRemove, false)
	case FreshCopy0TakesRef:
		return choose(impl.FreshNoCopyHandsOver, false)
	case FreshCopy1NoAppRef:
		return choose(impl.FreshCopyKeepsAppRef, false)
	case SNICBSessionCtxFirst:
		return choose(impl.SNICBCurrentFirst, false)
	case SNICBAcceptStays:
		return choose(impl.SNICBMovesAccept, false)
	case SNICBBeforeLookup:
		return choose(impl.SNICBAfterLookup, false)

	case RefcountUnsynced:
		// A read, a yield and a write: an update made in between is lost.
		return &impl.Faults{AddRef: func(count *atomic.Int32, delta int32) int32 {
			n := count.Load()
			runtime.Gosched()
			count.Store(n + delta)
			return n + delta
		}}
	case EvictSplitLock:
		return combine([]*impl.Faults{choose(impl.EvictsUnderOneLock, false), yieldAt(impl.EvictSplitWindow)})
	case ListStalePlace:
		return combine([]*impl.Faults{choose(impl.LinksUnderOneLock, false), yieldAt(impl.LinkSplitWindow)})
	case FlushReleaseEarly:
		return combine([]*impl.Faults{choose(impl.FlushUnlinksBeforeRelease, false), yieldAt(impl.FlushSplitWindow)})
	case SetTimeStaleOwner:
		// OpenSSL 3.0's SSL_SESSION_set_time: it links the session into
		// the SSL_CTX it saw before locking it.
		return combine([]*impl.Faults{choose(impl.SetTimeRechecksOwner, false), yieldAt(impl.SetTimeLocksOwner)})
	case SetTimeUnlocked:
		// OpenSSL 3.0's SSL_SESSION_set_time again: no lock at all for a
		// session in no cache.
		return combine([]*impl.Faults{choose(impl.SetTimeLocksSession, false), choose(impl.SetTimeRechecksOwner, false),
			yieldAt(impl.SetTimeWrites)})
	}
	panic("mutants: no faults for " + m.String())
}

// oldest is the cached session with the smallest time, the one nearest the
// tail among equals.
func oldest(k impl.Cache) *impl.Session {
	var victim *impl.Session
	for s := range k.Sessions() {
		if victim == nil || s.Time() < victim.Time() {
			victim = s
		}
	}
	return victim
}

// choose makes the choice at point at always v.
func choose(at impl.Point, v bool) *impl.Faults {
	return choice(at, func(any, bool) bool { return v })
}

// choice makes the choice at point at with f.
func choice(at impl.Point, f func(on any, ref bool) bool) *impl.Faults {
	return &impl.Faults{Choose: func(p impl.Point, on any, ref bool) bool {
		if p != at {
			return ref
		}
		return f(on, ref)
	}}
}

// amount computes the number at point at with f.
func amount(at impl.Point, f func(on any, ref int64) int64) *impl.Faults {
	return &impl.Faults{Amount: func(p impl.Point, on any, ref int64) int64 {
		if p != at {
			return ref
		}
		return f(on, ref)
	}}
}

// reach runs f at step point at.
func reach(at impl.Point, f func(on any)) *impl.Faults {
	return &impl.Faults{Reach: func(p impl.Point, on any) {
		if p == at {
			f(on)
		}
	}}
}

// yieldAt gives up the processor at the step points given.
func yieldAt(points ...impl.Point) *impl.Faults {
	return &impl.Faults{Reach: func(p impl.Point, _ any) {
		for _, at := range points {
			if p == at {
				runtime.Gosched()
				return
			}
		}
	}}
}

// Yields makes impl.NewTarget's universes give up the processor between the
// steps of a call that other calls can observe apart: between a handshake's
// server-side cache lookup and the rest of it, between a cache insertion and
// new_session_cb, and between reading a session's owner and locking it in
// set_time. It is not a mutant: results do not change, calls get slower.
//
// A call of the simulator is a few microseconds of work, far less than a
// scheduling quantum, so goroutines that call it at once rarely overlap
// inside a call. With Yields other calls run in between, as they do on a
// loaded machine, which is what the linearizability checks need. (A yield
// where nothing observable happens after it, such as after a removal has
// unlocked, would only lengthen the call, which makes the linearizability
// search slower and finds nothing.)
func Yields() impl.Option {
	f := yieldAt(impl.AfterServerLookup, impl.BeforeNewSessionCB, impl.SetTimeLocksOwner)
	f.Name = "yields"
	return impl.WithFaults(f)
}

// combine merges the hooks of several faults into one: each point goes
// through every part in order, each part starting from what the previous
// one chose. (Only one mutant replaces the reference count update.)
func combine(parts []*impl.Faults) *impl.Faults {
	if len(parts) == 1 {
		f := *parts[0]
		return &f
	}
	out := &impl.Faults{}
	for _, p := range parts {
		if p.AddRef != nil {
			out.AddRef = p.AddRef
		}
	}
	out.Choose = func(at impl.Point, on any, ref bool) bool {
		for _, p := range parts {
			if p.Choose != nil {
				ref = p.Choose(at, on, ref)
			}
		}
		return ref
	}
	out.Amount = func(at impl.Point, on any, ref int64) int64 {
		for _, p := range parts {
			if p.Amount != nil {
				ref = p.Amount(at, on, ref)
			}
		}
		return ref
	}
	out.Pick = func(at impl.Point, on any, ref *impl.Session) *impl.Session {
		for _, p := range parts {
			if p.Pick != nil {
				ref = p.Pick(at, on, ref)
			}
		}
		return ref
	}
	out.Reach = func(at impl.Point, on any) {
		for _, p := range parts {
			if p.Reach != nil {
				p.Reach(at, on)
			}
		}
	}
	return out
}
