package model

// The external cache of nginx and haproxy, a store of bytes (docs/spec.md
// CB-EXT-SERIAL-STORE): new_session_cb encodes the session with
// i2d_SSL_SESSION, keeps the bytes under its id and returns 0 (it keeps no
// reference); get_session_cb decodes the bytes kept under the id asked for
// with d2i_SSL_SESSION, a fresh object with one reference, d2i's; remove_cb
// erases the bytes. Whose d2i's reference is then depends on *copy: with 0
// libssl takes it over (CB-GET-FRESH-COPY0), with 1 libssl takes one of its
// own and d2i's stays with the application, which keeps the object nowhere:
// a leak (CB-GET-FRESH-COPY1, CB-GET-COPY).

// serialBytes is what i2d_SSL_SESSION encoded of a session, of the fields
// the model follows (serial.go roundTrip): the version, the time, the
// timeout, the issuing SSL_CTX and the session id context; the id is the
// entry's. A server session has no ticket or lifetime hint to carry, and
// the not_resumable mark is never encoded.
type serialBytes struct {
	version Version
	time    int64
	timeout int64
	origin  Handle
	sidCtx  SidCtx
}

// storeBytes is new_session_cb of a store of bytes: i2d_SSL_SESSION of r
// goes into ctx's store under r's id, replacing older bytes under it. A
// session without a cipher encodes to nothing and is not kept.
func (st *stepper) storeBytes(ctx Handle, r sessRef) {
	st.mark(RuleCBExtSerialStore)
	o := st.obj(r)
	if o.version == VersionNone || o.blank || o.id == 0 {
		st.because(RuleSerNewEmpty)
		return
	}
	c := st.ctx(ctx)
	e := storeEntry{id: o.id, bytes: serialBytes{version: o.version, time: o.time, timeout: o.timeout, origin: o.origin, sidCtx: o.sidCtx}}
	if i := c.storeIndex(o.id); i >= 0 {
		c.store[i] = e
		return
	}
	c.store = append(c.store, e)
}

// getFresh is get_session_cb of a store of bytes: d2i_SSL_SESSION of
// entry i makes a fresh object (one reference, in no cache, resumable,
// unnamed until a reply shows it), and *copy says who owns that reference.
func (st *stepper) getFresh(ctx Handle, i int) sessRef {
	c := st.ctx(ctx)
	e := c.store[i]
	st.because(RuleCBExtSerialStore)
	n := sessObj{alive: true, refs: 1, version: e.bytes.version, id: e.id, time: e.bytes.time,
		timeout: e.bytes.timeout, origin: e.bytes.origin, sidCtx: e.bytes.sidCtx}
	if n.time == 0 || n.timeout == 0 {
		st.mark(RuleSerRoundtripZeroTimes)
		if n.time == 0 {
			n.time = st.now
		}
		if n.timeout == 0 {
			n.timeout = decodedTimeout
		}
	}
	st.objs = append(st.objs, n)
	r := sessRef(len(st.objs))
	st.mark(RuleCntCBHits)
	c.cbHits++
	if c.cfg.GetCB == GetCBFresh1 {
		// libssl up_refs; d2i's reference is the application's, and it
		// keeps the object nowhere.
		st.because(RuleCBGetFreshCopy1)
		st.retain(r)
		st.obj(r).appRefs++
	} else {
		st.because(RuleCBGetFreshCopy0)
	}
	st.concerns(r)
	return r
}
