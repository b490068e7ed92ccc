package subprocess

import "strconv"

// decodeReply decodes a reply line written the way shims normally write
// them, without encoding/json's reflection: the harness reads one or two
// replies per checked call, and this is most of its decoding cost.
//
// It accepts only a strict subset of JSON: no whitespace, no null, no
// escapes or non-ASCII bytes in strings, integers without fraction or
// exponent, only the keys reply knows, and no key twice in one object. On
// anything else it returns false and the caller uses encoding/json, so for
// every line either path gives the same reply (TestDecodeReplyAgreesWithJSON).
func decodeReply(line []byte) (reply, bool) {
	d := decoder{b: line}
	var r reply
	d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			v := d.uint()
			r.ID = &v
		case "ret":
			v := d.int()
			r.Ret = &v
		case "events":
			evs := []wireEvent{}
			d.array(func() { evs = append(evs, d.event()) })
			r.Events = &evs
		case "unimplemented":
			r.Unimplemented = d.bool()
		case "error":
			v := d.str()
			r.Error = &v
		case "observation":
			var o wireObservation
			d.observation(&o)
			r.Observation = &o
		default:
			return false
		}
		return true
	})
	return r, !d.bad && d.i == len(d.b)
}

// decoder walks one line; bad is set at the first byte it does not accept.
type decoder struct {
	b   []byte
	i   int
	bad bool
}

func (d *decoder) eat(c byte) bool {
	if !d.bad && d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *decoder) fail() { d.bad = true }

// maxKeys bounds the keys of one object (an observed SSL_CTX, the
// largest, has eleven).
const maxKeys = 12

// object reads {"key":value,...}, handing each key to field, which reads
// the value and returns false for a key it does not know. Keys may come
// in any order, each at most once.
func (d *decoder) object(field func(key []byte) bool) {
	if !d.eat('{') {
		d.fail()
		return
	}
	if d.eat('}') {
		return
	}
	var seen [maxKeys][]byte
	for n := 0; !d.bad; n++ {
		key := d.plain()
		if n == maxKeys {
			d.fail()
			return
		}
		for _, k := range seen[:n] {
			if string(k) == string(key) {
				d.fail()
			}
		}
		seen[n] = key
		if !d.eat(':') || !field(key) {
			d.fail()
			return
		}
		if d.eat('}') {
			return
		}
		if !d.eat(',') {
			d.fail()
		}
	}
}

// array reads [elem,...].
func (d *decoder) array(elem func()) {
	if !d.eat('[') {
		d.fail()
		return
	}
	if d.eat(']') {
		return
	}
	for !d.bad {
		elem()
		if d.eat(']') {
			return
		}
		if !d.eat(',') {
			d.fail()
		}
	}
}

// str reads a string of printable ASCII without escapes.
func (d *decoder) str() string { return string(d.plain()) }

// plain reads a string of printable ASCII without escapes, in place.
func (d *decoder) plain() []byte {
	if !d.eat('"') {
		d.fail()
		return nil
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return d.b[start : d.i-1]
		case c < 0x20 || c > 0x7e || c == '\\':
			d.fail()
			return nil
		}
		d.i++
	}
	d.fail()
	return nil
}

// digits returns the integer text at the cursor: an optional minus sign
// (when signed) and digits without a leading zero, as JSON allows, and
// followed by neither a fraction nor an exponent.
func (d *decoder) digits(signed bool) string {
	start := d.i
	if signed && d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	first := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	switch {
	case d.i == first, d.b[first] == '0' && d.i > first+1:
		d.fail()
	case d.i < len(d.b) && (d.b[d.i] == '.' || d.b[d.i] == 'e' || d.b[d.i] == 'E'):
		d.fail()
	}
	return string(d.b[start:d.i])
}

func (d *decoder) int() int64 {
	s := d.digits(true)
	if d.bad {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.fail()
	}
	return v
}

func (d *decoder) uint() uint64 {
	s := d.digits(false)
	if d.bad {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		d.fail()
	}
	return v
}

func (d *decoder) bool() bool {
	for _, lit := range []string{"true", "false"} {
		if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			return lit == "true"
		}
	}
	d.fail()
	return false
}

func (d *decoder) intPtr() *int64 {
	v := d.int()
	return &v
}

func (d *decoder) boolPtr() *bool {
	v := d.bool()
	return &v
}

func (d *decoder) event() wireEvent {
	var e wireEvent
	d.object(func(key []byte) bool {
		switch string(key) {
		case "ev":
			v := d.str()
			e.Ev = &v
		case "ctx":
			e.Ctx = d.intPtr()
		case "sess":
			e.Sess = d.intPtr()
		default:
			return false
		}
		return true
	})
	return e
}

func (d *decoder) observation(o *wireObservation) {
	d.object(func(key []byte) bool {
		switch string(key) {
		case "ctxs":
			o.Ctxs = []wireCtx{}
			d.array(func() { o.Ctxs = append(o.Ctxs, d.ctx()) })
		case "ssls":
			o.SSLs = []wireSSL{}
			d.array(func() { o.SSLs = append(o.SSLs, d.ssl()) })
		case "sessions":
			o.Sessions = []wireSess{}
			d.array(func() { o.Sessions = append(o.Sessions, d.sess()) })
		default:
			return false
		}
		return true
	})
}

func (d *decoder) ctx() wireCtx {
	var c wireCtx
	d.object(func(key []byte) bool {
		switch string(key) {
		case "ctx":
			c.Ctx = d.intPtr()
		case "number":
			c.Number = d.intPtr()
		case "hits":
			c.Hits = d.intPtr()
		case "misses":
			c.Misses = d.intPtr()
		case "timeouts":
			c.Timeouts = d.intPtr()
		case "cache_full":
			c.CacheFull = d.intPtr()
		case "connect":
			c.Connect = d.intPtr()
		case "connect_good":
			c.ConnectGood = d.intPtr()
		case "accept":
			c.Accept = d.intPtr()
		case "accept_good":
			c.AcceptGood = d.intPtr()
		case "cb_hits":
			c.CbHits = d.intPtr()
		default:
			return false
		}
		return true
	})
	return c
}

func (d *decoder) ssl() wireSSL {
	var s wireSSL
	d.object(func(key []byte) bool {
		switch string(key) {
		case "ssl":
			s.SSL = d.intPtr()
		case "sess":
			s.Sess = d.intPtr()
		case "reused":
			s.Reused = d.boolPtr()
		default:
			return false
		}
		return true
	})
	return s
}

func (d *decoder) sess() wireSess {
	var s wireSess
	d.object(func(key []byte) bool {
		switch string(key) {
		case "sess":
			s.Sess = d.intPtr()
		case "resumable":
			s.Resumable = d.boolPtr()
		case "id_len":
			s.IDLen = d.intPtr()
		case "time":
			s.Time = d.intPtr()
		case "timeout":
			s.Timeout = d.intPtr()
		case "sid_ctx":
			s.SidCtx = d.intPtr()
		default:
			return false
		}
		return true
	})
	return s
}
