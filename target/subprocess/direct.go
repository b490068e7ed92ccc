package subprocess

import (
	"math"

	"github.com/sesslife/sesslife/model"
)

// direct is a reply decoded straight into the model's types by
// decodeDirect: a call's result or an observation, already validated.
type direct struct {
	id          uint64
	observation bool // obs is set, else res
	res         model.Result
	obs         model.Observation
}

// decodeDirect decodes a call reply or an observation written exactly as
// the shims of this repository write them (docs/protocol.md §5 and §7:
// the keys in the order given there, no spaces, no escapes) straight into
// a model.Result or model.Observation, with the checks of reply.result
// and reply.observation. It is the hot path of a checked call: it
// allocates only the slices it returns, where the general path allocates
// every field it reads.
//
// Any other line, and any line a check refuses, returns false; the caller
// then takes the general path (parseReply, then result or observation),
// which accepts every valid form and words the errors. So for every line
// both paths give the same value (TestDecodeDirectAgrees).
func decodeDirect(line []byte) (direct, bool) {
	s := scanner{b: line, ok: true}
	var d direct
	if !s.lit(`{"id":`) {
		return d, false
	}
	d.id, s.ok = s.uint()
	switch {
	case s.lit(`,"ret":`):
		d.res.Ret = s.int()
		s.want(`,"events":[`)
		s.each(func() { d.res.Events = append(d.res.Events, s.event()) })
	case s.lit(`,"observation":{"ctxs":[`):
		d.observation = true
		s.observation(&d.obs)
	default:
		return d, false
	}
	return d, s.ok && s.lit("}") && s.i == len(s.b)
}

// scanner reads a line in the shims' own form; ok turns false at the
// first byte or value that form does not allow.
type scanner struct {
	b  []byte
	i  int
	ok bool
}

// lit consumes text if the line goes on with it.
func (s *scanner) lit(text string) bool {
	if !s.ok || len(s.b)-s.i < len(text) || string(s.b[s.i:s.i+len(text)]) != text {
		return false
	}
	s.i += len(text)
	return true
}

// maxDirectDigits is the most digits the scanner reads itself: any int64
// of 18 digits fits; longer numbers take the general path.
const maxDirectDigits = 18

// uint reads a JSON integer without sign, fraction or exponent.
func (s *scanner) uint() (uint64, bool) {
	start := s.i
	var v uint64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		v = v*10 + uint64(s.b[s.i]-'0')
		s.i++
	}
	n := s.i - start
	if n == 0 || n > maxDirectDigits || (n > 1 && s.b[start] == '0') {
		return 0, false
	}
	return v, s.ok
}

// int reads a JSON integer with an optional minus sign.
func (s *scanner) int() int64 {
	neg := s.i < len(s.b) && s.b[s.i] == '-'
	if neg {
		s.i++
	}
	v, ok := s.uint()
	s.ok = s.ok && ok
	if neg {
		return -int64(v)
	}
	return int64(v)
}

// handle reads a handle in min..MaxInt32.
func (s *scanner) handle(min int64) model.Handle {
	v := s.int()
	if v < min || v > math.MaxInt32 {
		s.ok = false
	}
	return model.Handle(v)
}

func (s *scanner) bool() bool {
	switch {
	case s.lit("true"):
		return true
	case s.lit("false"):
		return false
	}
	s.ok = false
	return false
}

// want consumes text, or marks the line as not the shims' own form.
func (s *scanner) want(text string) {
	if !s.lit(text) {
		s.ok = false
	}
}

// field reads ,"key":N.
func (s *scanner) field(key string) int64 {
	s.want(`,"`)
	s.want(key)
	s.want(`":`)
	return s.int()
}

// each reads the elements of a list up to its closing bracket, separated
// by commas; elem reads one. Once ok is false everything after it is a
// no-op, so elements read on need no early return.
func (s *scanner) each(elem func()) {
	for first := true; s.ok && !s.lit("]"); first = false {
		if !first {
			s.want(",")
		}
		elem()
	}
}

// event reads {"ev":"…","ctx":N,"sess":N} as reply.result checks it.
func (s *scanner) event() model.Event {
	var e model.Event
	switch {
	case s.lit(`{"ev":"new_session_cb",`):
		e.Kind = model.EvNewSession
	case s.lit(`{"ev":"remove_cb",`):
		e.Kind = model.EvRemove
	case s.lit(`{"ev":"destroyed",`):
		e.Kind = model.EvDestroyed
	default:
		s.ok = false
	}
	s.want(`"ctx":`)
	if e.Kind == model.EvDestroyed {
		if s.int() != 0 {
			s.ok = false
		}
	} else {
		e.Ctx = s.handle(1)
	}
	s.want(`,"sess":`)
	e.Sess = s.handle(1)
	s.want("}")
	return e
}

// observation reads the rest of an observation after `"ctxs":[`.
func (s *scanner) observation(o *model.Observation) {
	s.each(func() {
		s.want(`{"ctx":`)
		c := model.CtxObs{Ctx: s.handle(1)}
		for _, f := range []struct {
			key string
			dst *int64
		}{{"number", &c.Number}, {"hits", &c.Hits}, {"misses", &c.Misses}, {"timeouts", &c.Timeouts},
			{"cache_full", &c.CacheFull}, {"connect", &c.Connect}, {"connect_good", &c.ConnectGood},
			{"accept", &c.Accept}, {"accept_good", &c.AcceptGood}, {"cb_hits", &c.CbHits}} {
			*f.dst = s.field(f.key)
		}
		s.want("}")
		if n := len(o.Ctxs); n > 0 && c.Ctx <= o.Ctxs[n-1].Ctx {
			s.ok = false // not in handle order
		}
		o.Ctxs = append(o.Ctxs, c)
	})
	s.want(`,"ssls":[`)
	s.each(func() {
		s.want(`{"ssl":`)
		x := model.SSLObs{SSL: s.handle(1)}
		s.want(`,"sess":`)
		x.Sess = s.handle(-1)
		s.want(`,"reused":`)
		x.Reused = s.bool()
		s.want("}")
		if n := len(o.SSLs); n > 0 && x.SSL <= o.SSLs[n-1].SSL {
			s.ok = false // not in handle order
		}
		o.SSLs = append(o.SSLs, x)
	})
	s.want(`,"sessions":[`)
	s.each(func() {
		s.want(`{"sess":`)
		x := model.SessObs{Sess: s.handle(1), SidCtx: model.SidCtxUnknown}
		s.want(`,"resumable":`)
		x.Resumable = s.bool()
		x.IDLen = int(s.field("id_len"))
		x.Time = s.field("time")
		x.Timeout = s.field("timeout")
		if s.lit(`,"sid_ctx":`) {
			switch v := s.int(); {
			case v == -1:
				x.SidCtx = model.SidCtxOther
			case v < 0 || v > int64(model.SidCtxTooLong):
				s.ok = false
			default:
				x.SidCtx = model.SidCtx(v)
			}
		}
		s.want("}")
		if n := len(o.Sessions); n > 0 && x.Sess <= o.Sessions[n-1].Sess {
			s.ok = false // not in handle order
		}
		o.Sessions = append(o.Sessions, x)
	})
	s.want("}")
}

// general is the reply as the general path reads it: a line decoded
// directly is parsed again when it is not what the request expects (a
// result where an observation is due, or the other way round), so that
// the error says so in the general path's words.
func (r response) general() reply {
	if !r.isDirect {
		return r.reply
	}
	g, err := parseReply(r.line)
	if err != nil {
		// decodeDirect only takes lines the general path accepts
		// (TestDecodeDirectAgrees).
		panic("subprocess: a line decodeDirect took does not parse: " + err.Error())
	}
	return g
}
