package model

import (
	"fmt"
	"slices"
)

// The external session cache of nginx and haproxy (docs/spec.md, "External
// session cache"): new_session_cb returns 1 and the application keeps the
// session in its own store, remove_cb takes it out again, and
// get_session_cb hands it back when the internal lookup finds nothing. The
// store is part of the universe so that the model can tell when a *copy
// choice makes libssl free a reference twice (UB-EXT-HANDED-FREE,
// UB-EXT-DANGLING).

// storeEntry is one entry of an application's external cache: the session
// new_session_cb gave it (by handle: new_session_cb names every session it
// sees), the id it is kept under, and whether the store still owns the
// reference (false once get_session_cb handed it to libssl with *copy = 0).
//
// In a store of bytes (CB-EXT-SERIAL-STORE) sess is 0 and owned false:
// the entry holds no object, only what i2d_SSL_SESSION encoded (bytes).
type storeEntry struct {
	sess  Handle
	id    int64
	owned bool
	bytes serialBytes
}

// hasStore reports whether the SSL_CTX runs an external cache.
func (c *ctxObj) hasStore() bool { return c.cfg.GetCB != GetCBNone }

// storeIndex returns the index of the entry kept under id, or -1.
func (c *ctxObj) storeIndex(id int64) int {
	if id == 0 {
		return -1
	}
	return slices.IndexFunc(c.store, func(e storeEntry) bool { return e.id == id })
}

// ub records the first undefined behaviour the call commits; State.Check
// reports it as a Violation before the call is made (checkByTrial).
func (st *stepper) ub(rule Rule, format string, args ...any) {
	if st.violation == nil {
		st.violation = &Violation{Rule: rule, Op: st.op, Detail: fmt.Sprintf(format, args...)}
	}
}

// storePut is what new_session_cb returning 1 does with the reference it
// keeps: the session goes into the store under its id, and an older entry
// with that id is taken out and freed first.
func (st *stepper) storePut(ctx Handle, r sessRef) {
	st.mark(RuleCBExtStore)
	o := st.obj(r)
	if i := st.ctx(ctx).storeIndex(o.id); i >= 0 {
		st.storeFree(ctx, i)
	}
	c := st.ctx(ctx)
	c.store = append(c.store, storeEntry{sess: st.name(r), id: o.id, owned: true})
}

// storeFree takes entry i out of ctx's store and frees its reference, which
// is undefined behaviour once that reference was handed to libssl.
func (st *stepper) storeFree(ctx Handle, i int) {
	c := st.ctx(ctx)
	e := c.store[i]
	c.store = slices.Delete(c.store, i, i+1)
	if e.sess == 0 {
		st.mark(RuleCBExtSerialStore) // bytes: erasing them frees no session
		return
	}
	if !e.owned {
		st.ub(RuleUBExtHandedFree, "the external cache of %s frees %s, whose reference its get_session_cb handed to libssl with *copy = 0",
			CtxName(ctx), SessName(e.sess))
		return
	}
	st.release(st.named[e.sess-1])
}

// removeCB calls ctx's remove_cb for r: the event, then the external
// cache's part: the entry under r's id leaves the store and is freed.
func (st *stepper) removeCB(ctx Handle, r sessRef) {
	st.emit(EvRemove, r, ctx)
	c := st.ctx(ctx)
	if !c.hasStore() {
		return
	}
	if i := c.storeIndex(st.obj(r).id); i >= 0 {
		st.mark(RuleCBExtStore)
		st.storeFree(ctx, i)
	}
}

// storeClose frees what the store still holds when its SSL_CTX is
// destroyed (the ex_data free after the final flush).
func (st *stepper) storeClose(ctx Handle) {
	if !st.ctx(ctx).hasStore() {
		return
	}
	st.mark(RuleCBExtStore)
	for len(st.ctx(ctx).store) > 0 {
		st.storeFree(ctx, 0)
	}
}

// getCB is the second half of lookup_sess_in_cache: the internal lookup
// found nothing (or was not done), so get_session_cb is asked for id. The
// session it returns carries a reference for the caller, and is offered
// to the internal cache unless the mode has NO_INTERNAL_STORE.
func (st *stepper) getCB(ctx Handle, id int64) sessRef {
	c := st.ctx(ctx)
	st.because(RuleCBGetWhen)
	i := c.storeIndex(id)
	if i < 0 {
		return 0 // NULL: nothing is counted
	}
	if c.cfg.GetCB.Fresh() {
		return st.getStores(ctx, st.getFresh(ctx, i))
	}
	e := c.store[i]
	r := st.named[e.sess-1]
	if !st.obj(r).alive {
		st.ub(RuleUBExtDangling, "get_session_cb of %s returns %s, destroyed after its reference was handed to libssl with *copy = 0",
			CtxName(ctx), SessName(e.sess))
		return 0
	}
	if st.obj(r).notResumable {
		// 3.0.14 and later ignore it, and free what *copy = 0 handed over.
		st.because(RuleCBGetNotResumable)
		st.concerns(r)
		if c.cfg.GetCB == GetCBCopy0 {
			if !e.owned {
				st.ub(RuleUBExtHandedFree, "get_session_cb of %s hands %s to libssl with *copy = 0 a second time: the store no longer owns that reference",
					CtxName(ctx), SessName(e.sess))
				return 0
			}
			c.store[i].owned = false
			st.release(r)
		}
		return 0
	}
	st.mark(RuleCntCBHits)
	c.cbHits++
	if c.cfg.GetCB == GetCBCopy1 {
		st.because(RuleCBGetCopy1)
		st.retain(r)
	} else {
		st.because(RuleCBGetCopy0)
		if !e.owned {
			st.ub(RuleUBExtHandedFree, "get_session_cb of %s hands %s to libssl with *copy = 0 a second time: the store no longer owns that reference",
				CtxName(ctx), SessName(e.sess))
			st.retain(r) // keeps the trial's state sound; the call is refused
		}
		c.store[i].owned = false
	}
	st.concerns(r)
	return st.getStores(ctx, r)
}

// getStores is the end of lookup_sess_in_cache for the session r that
// get_session_cb returned: it goes into the internal cache unless the
// mode has NO_INTERNAL_STORE (CB-GET-STORES).
func (st *stepper) getStores(ctx Handle, r sessRef) sessRef {
	c := st.ctx(ctx)
	why := st.rule
	if c.mode&CacheNoInternalStore != 0 {
		st.mark(RuleCBGetStores)
		return r
	}
	if owner := st.obj(r).owner; owner != 0 && owner != ctx {
		// SEED-ONE-CTX: the internal store would link a session another
		// SSL_CTX caches into this one's list too.
		st.ub(RuleUBCrossContext, "get_session_cb of %s returns %s, which sits in the cache of %s: adding it to the internal cache corrupts both lists",
			CtxName(ctx), SessName(st.obj(r).handle), CtxName(owner))
		return r
	}
	st.because(RuleCBGetStores)
	st.addSession(ctx, r)
	st.because(why)
	return r
}

// storeCalls are the calls that can run an external cache's callbacks: a
// handshake (get_session_cb, new_session_cb), anything that removes a
// session or destroys an SSL_CTX (remove_cb, the final frees).
var storeCalls = CallsOf(Handshake, ClientHello, HandshakeFinish, ReadTicket, CtxFree, SSLFree, SSLClear, Shutdown, FatalAlert, SetSession,
	AddSession, RemoveSession, Flush)

// storesMayRun reports whether op can run an external cache's callbacks.
func (s *State) storesMayRun(op Op) bool {
	return storeCalls.Has(op.Kind) && slices.ContainsFunc(s.ctxs, func(c ctxObj) bool { return c.hasStore() && c.alive })
}

// ExternalCache reports whether the profile models an external session
// cache (CtxConfig.GetCB). Profile switch: wolfSSL 5.5 and BoringSSL are
// left out (docs/findings.md).
func (p Profile) ExternalCache() bool { return !p.SharedCopyCache && !p.ImmutableSessions }
