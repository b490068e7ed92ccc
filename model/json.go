package model

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The JSON forms below are those of sesslife's reports (docs/report.md):
// calls, results and events as objects with named fields, kinds and rules
// as the names docs/spec.md and C programmers use.

// MarshalText writes the call's C name.
func (k Kind) MarshalText() ([]byte, error) {
	if k == KindInvalid || k >= kindCount {
		return nil, fmt.Errorf("model: no call kind %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a call's C name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, ok := ParseKind(string(b))
	if !ok {
		return fmt.Errorf("model: unknown call %q", b)
	}
	*k = v
	return nil
}

// MarshalText writes "new_session_cb", "remove_cb" or "destroyed".
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads an event kind's name.
func (k *EventKind) UnmarshalText(b []byte) error {
	for _, v := range []EventKind{EvNewSession, EvRemove, EvDestroyed} {
		if v.String() == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("model: unknown event %q", b)
}

// MarshalText writes "client" or "server".
func (s Side) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "client" or "server".
func (s *Side) UnmarshalText(b []byte) error {
	switch string(b) {
	case "client":
		*s = Client
	case "server":
		*s = Server
	default:
		return fmt.Errorf("model: side %q is neither client nor server", b)
	}
	return nil
}

// MarshalText writes the mode as the C expression that builds it
// ("SERVER|NO_AUTO_CLEAR", "OFF").
func (m CacheMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (m *CacheMode) UnmarshalText(b []byte) error {
	v, err := ParseCacheMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseCacheMode reads a cache mode written as CacheMode.String does.
func ParseCacheMode(s string) (CacheMode, error) {
	if s == "OFF" {
		return CacheOff, nil
	}
	var m CacheMode
	for _, part := range strings.Split(s, "|") {
		switch part {
		case "CLIENT":
			m |= CacheClient
		case "SERVER":
			m |= CacheServer
		case "NO_AUTO_CLEAR":
			m |= CacheNoAutoClear
		case "NO_INTERNAL_LOOKUP":
			m |= CacheNoInternalLookup
		case "NO_INTERNAL_STORE":
			m |= CacheNoInternalStore
		default:
			var v uint16
			if _, err := fmt.Sscanf(part, "0x%x", &v); err != nil {
				return 0, fmt.Errorf("model: unknown cache mode bit %q", part)
			}
			m |= CacheMode(v)
		}
	}
	return m, nil
}

// opJSON is an Op's JSON form: only the fields its call uses.
type opJSON struct {
	Call   Kind       `json:"call"`
	Ctx    Handle     `json:"ctx,omitempty"`
	SSL    Handle     `json:"ssl,omitempty"`
	Peer   Handle     `json:"peer,omitempty"`
	Sess   Handle     `json:"sess,omitempty"`
	Arg    int64      `json:"arg,omitempty"`
	Config *CtxConfig `json:"config,omitempty"`
}

// MarshalJSON writes the call as {"call": "SSL_CTX_add_session", "ctx": 1,
// "sess": 2}; SSL_CTX_new carries its configuration.
func (o Op) MarshalJSON() ([]byte, error) {
	j := opJSON{Call: o.Kind, Ctx: o.Ctx, SSL: o.SSL, Peer: o.Peer, Sess: o.Sess, Arg: o.Arg}
	if o.Kind == CtxNew {
		c := o.Config
		j.Config = &c
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Op) UnmarshalJSON(b []byte) error {
	var j opJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*o = Op{Kind: j.Call, Ctx: j.Ctx, SSL: j.SSL, Peer: j.Peer, Sess: j.Sess, Arg: j.Arg}
	if j.Config != nil {
		o.Config = *j.Config
	} else if j.Call == CtxNew {
		return fmt.Errorf("model: SSL_CTX_new without its config")
	}
	return nil
}

// MarshalText writes "return", "event" or "field".
func (w What) MarshalText() ([]byte, error) {
	switch w {
	case WhatReturn:
		return []byte("return"), nil
	case WhatEvent:
		return []byte("event"), nil
	case WhatField:
		return []byte("field"), nil
	}
	return nil, fmt.Errorf("model: no What %d", uint8(w))
}

// MarshalText writes the object's name, "ctx1", "ssl2" or "sess3".
func (o Object) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// MarshalText writes the field's name as reports print it.
func (f Field) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (w *What) UnmarshalText(b []byte) error {
	for _, v := range []What{WhatReturn, WhatEvent, WhatField} {
		if t, _ := v.MarshalText(); string(t) == string(b) {
			*w = v
			return nil
		}
	}
	return fmt.Errorf("model: unknown difference kind %q", b)
}

// UnmarshalText reads an object's name ("ctx1", "ssl2", "sess3",
// "(unnamed session)", "NULL").
func (o *Object) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "(unnamed session)" {
		*o = Object{Kind: ObjSession, Handle: Unnamed}
		return nil
	}
	for _, k := range []struct {
		prefix string
		kind   ObjectKind
	}{{"ctx", ObjCtx}, {"ssl", ObjSSL}, {"sess", ObjSession}} {
		if rest, ok := strings.CutPrefix(s, k.prefix); ok {
			var h int32
			if _, err := fmt.Sscanf(rest, "%d", &h); err == nil && fmt.Sprint(h) == rest {
				*o = Object{Kind: k.kind, Handle: Handle(h)}
				return nil
			}
		}
	}
	if s == "none" || s == "NULL" {
		*o = Object{}
		return nil
	}
	return fmt.Errorf("model: %q names no object", b)
}

// UnmarshalText reads a field's name.
func (f *Field) UnmarshalText(b []byte) error {
	for i, n := range fieldNames {
		if n == string(b) {
			*f = Field(i)
			return nil
		}
	}
	return fmt.Errorf("model: unknown field %q", b)
}
