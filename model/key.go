package model

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// AppendKey appends the universe's key to b and returns the result: a
// compact encoding of everything Equal compares but the profile. Two
// states of one profile are Equal exactly when their keys are the same
// bytes, and [State.SetKey] rebuilds a state from its key.
//
// A checker that searches over many orders of the same calls (package
// linearizability) keeps a state per order it tried; a key is a few
// kilobytes where the State it stands for is tens, holds no pointers, and
// compares with bytes.Equal.
//
// Every field of the universe's objects is written, in declaration order
// (key_test.go fails when a struct gains a field the key does not know);
// integers as varints, times relative to the clock, booleans as bits.
func (s *State) AppendKey(b []byte) []byte {
	// The writers take and return the slice, which stays in a local: a
	// field written through a pointer would cost a write barrier a byte.
	now := s.now
	b = kInt(b, s.now)
	b = kInt(b, s.nextID)
	b = kInt(b, s.inserts)
	b = kUint(b, uint64(len(s.ctxs)))
	for i := range s.ctxs {
		b = kCtx(b, &s.ctxs[i], now)
	}
	b = kUint(b, uint64(len(s.ssls)))
	for i := range s.ssls {
		b = kSSL(b, &s.ssls[i])
	}
	b = kUint(b, uint64(len(s.objs)))
	for i := range s.objs {
		b = kSess(b, &s.objs[i], now)
	}
	b = kRefs(b, s.named)
	b = kUint(b, uint64(len(s.tickets)))
	for i := range s.tickets {
		b = kTicket(b, &s.tickets[i], now)
	}
	return kRefs(b, s.rows)
}

// kUint appends v as a varint (7 bits a byte, low first).
func kUint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// kInt appends v zigzag-encoded, so that small negative numbers stay short.
func kInt(b []byte, v int64) []byte { return kUint(b, uint64(v<<1)^uint64(v>>63)) }

// kBits appends booleans as one number, first argument lowest.
func kBits(b []byte, bs ...bool) []byte {
	var v uint64
	for i, x := range bs {
		if x {
			v |= 1 << i
		}
	}
	return kUint(b, v)
}

func kRefs(b []byte, rs []int32) []byte {
	b = kUint(b, uint64(len(rs)))
	for _, r := range rs {
		b = kInt(b, int64(r))
	}
	return b
}

// Times are written relative to the clock: most are now, or near it.

// freedCtx is the key of the empty SSL_CTX (a freed one, which Rename
// empties): a side no SSL_CTX has.
const freedCtx = -1

func kCtx(b []byte, c *ctxObj, now int64) []byte {
	if c.cfg.Side == 0 && ctxEqual(c, &ctxObj{}) && len(c.list) == 0 {
		return kInt(b, freedCtx)
	}
	b = kInt(b, int64(c.cfg.Side))
	b = kInt(b, int64(c.cfg.CacheMode))
	b = kInt(b, c.cfg.CacheSize)
	b = kInt(b, c.cfg.Timeout)
	b = kInt(b, c.cfg.NumTickets)
	b = kInt(b, int64(c.cfg.NewCB))
	b = kInt(b, int64(c.cfg.GetCB))
	b = kUint(b, uint64(len(c.store)))
	for _, e := range c.store {
		b = kInt(b, int64(e.sess))
		b = kInt(b, e.id)
		b = kBits(b, e.owned)
		b = kInt(b, int64(e.bytes.version))
		b = kInt(b, e.bytes.time)
		b = kInt(b, e.bytes.timeout)
		b = kInt(b, int64(e.bytes.origin))
		b = kInt(b, int64(e.bytes.sidCtx))
	}
	b = kBits(b, c.cfg.DefaultMode, c.cfg.NoTicket, c.cfg.RemoveCB, c.appHeld, c.alive)
	b = kInt(b, int64(c.mode))
	b = kInt(b, c.size)
	b = kInt(b, c.timeout)
	b = kInt(b, c.numTickets)
	b = kInt(b, int64(c.sslRefs))
	b = kInt(b, c.hits)
	b = kInt(b, c.misses)
	b = kInt(b, c.timeouts)
	b = kInt(b, c.cacheFull)
	b = kInt(b, c.connectGood)
	b = kInt(b, c.acceptGood)
	b = kInt(b, c.connect)
	b = kInt(b, c.accept)
	b = kInt(b, c.cbHits)
	b = kUint(b, uint64(c.options))
	b = kRefs(b, c.list)
	b = kInt(b, c.hint)
	b = kInt(b, c.maxEarly)
	for _, key := range c.keys {
		b = kInt(b, int64(key.gen))
		b = kInt(b, key.exp-now)
	}
	b = kInt(b, int64(c.sidCtx))
	b = kInt(b, int64(c.sniTo))
	return kInt(b, c.sinceFlush)
}

// freedSSL is the key of the empty SSL (a freed one, which Rename
// empties): an SSL_CTX handle no SSL has, so that the key of the many
// freed SSLs of a long universe is a byte each.
const freedSSL = -1

func kSSL(b []byte, l *sslObj) []byte {
	if l.ctx == 0 && l.isEmpty() {
		return kInt(b, freedSSL)
	}
	b = kInt(b, int64(l.ctx))
	b = kBits(b, l.client, l.alive, l.sent, l.recv, l.hit, l.peerClosed, l.used, l.closeBuffered, l.wantRead, l.pinned13, l.quiet, l.suites12)
	b = kInt(b, int64(l.phase))
	b = kInt(b, int64(l.sess))
	b = kInt(b, int64(l.version))
	b = kInt(b, int64(l.peer))
	b = kRefs(b, l.pending)
	b = kInt(b, l.timeout)
	b = kRefs(b, l.buffered)
	b = kInt(b, int64(l.pinned))
	b = kInt(b, int64(l.method))
	b = kInt(b, int64(l.hello))
	b = kUint(b, uint64(l.options))
	b = kInt(b, l.numTickets)
	b = kInt(b, l.maxEarly)
	b = kInt(b, int64(l.sidCtx))
	b = kInt(b, int64(l.cur))
	b = kInt(b, int64(l.conf))
	b = kBits(b, l.hsExpect)
	b = kInt(b, int64(l.hsTicket))
	b = kInt(b, int64(l.hsVerdict))
	return kInt(b, int64(l.hsServer))
}

func kSess(b []byte, o *sessObj, now int64) []byte {
	b = kBits(b, o.alive, o.notResumable, o.ownEx, o.row, o.doubt, o.blank, o.stale, o.sidUnknown)
	b = kInt(b, int64(o.refs))
	b = kInt(b, int64(o.appRefs))
	b = kInt(b, int64(o.handle))
	b = kInt(b, int64(o.version))
	b = kInt(b, o.id)
	b = kInt(b, int64(o.ticket))
	b = kInt(b, o.time-now)
	b = kInt(b, o.timeout)
	b = kInt(b, o.hint)
	b = kInt(b, int64(o.owner))
	b = kInt(b, int64(o.origin))
	b = kInt(b, int64(o.side))
	b = kInt(b, o.alt)
	b = kInt(b, o.seq)
	b = kInt(b, o.seen-now)
	b = kInt(b, int64(o.sidCtx))
	return kInt(b, o.auth)
}

func kTicket(b []byte, t *ticket, now int64) []byte {
	b = kInt(b, int64(t.issuer))
	b = kBits(b, t.stateful)
	b = kInt(b, int64(t.version))
	b = kInt(b, t.id)
	b = kInt(b, t.time-now)
	b = kInt(b, t.timeout)
	b = kInt(b, t.hint)
	b = kInt(b, int64(t.slot))
	b = kInt(b, int64(t.gen))
	b = kInt(b, int64(t.sidCtx))
	return kInt(b, t.auth)
}

// SetKey makes s the universe whose key is key, keeping s's profile; it
// reuses s's memory where it can. key must come from AppendKey of a state
// of the same profile: a key that does not decode is an error, and leaves
// s in an unspecified state.
func (s *State) SetKey(key []byte) error {
	k := keyReader{b: key}
	s.now = k.int()
	k.now = s.now
	s.nextID = k.int()
	s.inserts = k.int()
	s.ctxs = resize(s.ctxs, k.count())
	for i := range s.ctxs {
		k.ctx(&s.ctxs[i])
	}
	s.ssls = resize(s.ssls, k.count())
	for i := range s.ssls {
		k.ssl(&s.ssls[i])
	}
	s.objs = resize(s.objs, k.count())
	for i := range s.objs {
		k.sess(&s.objs[i])
	}
	s.named = k.refs(s.named)
	s.tickets = resize(s.tickets, k.count())
	for i := range s.tickets {
		k.ticket(&s.tickets[i])
	}
	s.rows = k.refs(s.rows)
	s.fired = RuleSet{}
	switch {
	case k.err != nil:
		return k.err
	case len(k.b) != 0:
		return fmt.Errorf("model: SetKey: %d bytes left over", len(k.b))
	}
	return nil
}

// resize returns a slice of n elements, reusing s's array when it is big
// enough; the elements are overwritten by the caller. A new array has
// room for the objects later calls make.
func resize[T any](s []T, n int) []T {
	if n == 0 {
		return s[:0]
	}
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, n+n/4+4)
}

type keyReader struct {
	b   []byte
	now int64
	err error
}

var errShortKey = errors.New("model: SetKey: the key ends too early")

func (k *keyReader) int() int64 {
	v, n := binary.Varint(k.b)
	if n <= 0 {
		if k.err == nil {
			k.err = errShortKey
		}
		k.b = nil
		return 0
	}
	k.b = k.b[n:]
	return v
}

func (k *keyReader) uint() uint64 {
	v, n := binary.Uvarint(k.b)
	if n <= 0 {
		if k.err == nil {
			k.err = errShortKey
		}
		k.b = nil
		return 0
	}
	k.b = k.b[n:]
	return v
}

// count reads a length, bounded by what is left (every element takes a
// byte at least), so that a bad key cannot ask for a huge allocation.
func (k *keyReader) count() int {
	n := k.uint()
	if n > uint64(len(k.b)) {
		if k.err == nil {
			k.err = errShortKey
		}
		k.b = nil
		return 0
	}
	return int(n)
}

func (k *keyReader) time() int64 { return k.int() + k.now }

// bits reads booleans written by keyWriter.bits.
func (k *keyReader) bits(bs ...*bool) {
	v := k.uint()
	for i, b := range bs {
		*b = v&(1<<i) != 0
	}
}

func (k *keyReader) refs(into []int32) []int32 {
	n := k.count()
	if n == 0 {
		return nil // Clone and Step leave empty lists nil or empty alike; Equal does not tell them apart
	}
	into = resize(into, n)
	for i := range into {
		into[i] = int32(k.int())
	}
	return into
}

func (k *keyReader) ctx(c *ctxObj) {
	side := k.int()
	if side == freedCtx {
		*c = ctxObj{}
		return
	}
	c.cfg.Side = Side(side)
	c.cfg.CacheMode = CacheMode(k.int())
	c.cfg.CacheSize = k.int()
	c.cfg.Timeout = k.int()
	c.cfg.NumTickets = k.int()
	c.cfg.NewCB = NewSessionCB(k.int())
	c.cfg.GetCB = GetSessionCB(k.int())
	c.store = c.store[:0]
	for n := k.uint(); n > 0; n-- {
		e := storeEntry{sess: Handle(k.int()), id: k.int()}
		k.bits(&e.owned)
		e.bytes.version = Version(k.int())
		e.bytes.time = k.int()
		e.bytes.timeout = k.int()
		e.bytes.origin = Handle(k.int())
		e.bytes.sidCtx = SidCtx(k.int())
		c.store = append(c.store, e)
	}
	if len(c.store) == 0 {
		c.store = nil
	}
	k.bits(&c.cfg.DefaultMode, &c.cfg.NoTicket, &c.cfg.RemoveCB, &c.appHeld, &c.alive)
	c.mode = CacheMode(k.int())
	c.size = k.int()
	c.timeout = k.int()
	c.numTickets = k.int()
	c.sslRefs = int32(k.int())
	c.hits = k.int()
	c.misses = k.int()
	c.timeouts = k.int()
	c.cacheFull = k.int()
	c.connectGood = k.int()
	c.acceptGood = k.int()
	c.connect = k.int()
	c.accept = k.int()
	c.cbHits = k.int()
	c.options = Options(k.uint())
	c.list = k.refs(c.list)
	c.hint = k.int()
	c.maxEarly = k.int()
	for i := range c.keys {
		c.keys[i].gen = int32(k.int())
		c.keys[i].exp = k.time()
	}
	c.sidCtx = SidCtx(k.int())
	c.sniTo = Handle(k.int())
	c.sinceFlush = k.int()
}

func (k *keyReader) ssl(l *sslObj) {
	if l.ctx = Handle(k.int()); l.ctx == freedSSL {
		*l = sslObj{}
		return
	}
	k.bits(&l.client, &l.alive, &l.sent, &l.recv, &l.hit, &l.peerClosed, &l.used, &l.closeBuffered, &l.wantRead, &l.pinned13, &l.quiet, &l.suites12)
	l.phase = phase(k.int())
	l.sess = sessRef(k.int())
	l.version = Version(k.int())
	l.peer = Handle(k.int())
	l.pending = k.refs(l.pending)
	l.timeout = k.int()
	l.buffered = k.refs(l.buffered)
	l.pinned = Version(k.int())
	l.method = Version(k.int())
	l.hello = Version(k.int())
	l.options = Options(k.uint())
	l.numTickets = k.int()
	l.maxEarly = k.int()
	l.sidCtx = SidCtx(k.int())
	l.cur = Handle(k.int())
	l.conf = sessRef(k.int())
	k.bits(&l.hsExpect)
	l.hsTicket = int32(k.int())
	l.hsVerdict = Rule(k.int())
	l.hsServer = Rule(k.int())
}

func (k *keyReader) sess(o *sessObj) {
	k.bits(&o.alive, &o.notResumable, &o.ownEx, &o.row, &o.doubt, &o.blank, &o.stale, &o.sidUnknown)
	o.refs = int32(k.int())
	o.appRefs = int32(k.int())
	o.handle = Handle(k.int())
	o.version = Version(k.int())
	o.id = k.int()
	o.ticket = int32(k.int())
	o.time = k.time()
	o.timeout = k.int()
	o.hint = k.int()
	o.owner = Handle(k.int())
	o.origin = Handle(k.int())
	o.side = Side(k.int())
	o.alt = k.int()
	o.seq = k.int()
	o.seen = k.time()
	o.sidCtx = SidCtx(k.int())
	o.auth = k.int()
}

func (k *keyReader) ticket(t *ticket) {
	t.issuer = Handle(k.int())
	k.bits(&t.stateful)
	t.version = Version(k.int())
	t.id = k.int()
	t.time = k.time()
	t.timeout = k.int()
	t.hint = k.int()
	t.slot = int8(k.int())
	t.gen = int32(k.int())
	t.sidCtx = SidCtx(k.int())
	t.auth = k.int()
}

// isEmpty reports whether l is Equal to the zero sslObj.
func (l *sslObj) isEmpty() bool { return sslEqual(l, &sslObj{}) }
