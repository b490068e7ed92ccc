package scenario

import "github.com/sesslife/sesslife/model"

// ArgType is what one argument of a call must be.
type ArgType uint8

// The argument types of the calls.
const (
	ArgCtx     ArgType = iota + 1 // an SSL_CTX: a variable, a handle name ctxN, or NULL
	ArgSSL                        // an SSL: a variable, sslN, or NULL
	ArgSess                       // an SSL_SESSION: a variable, sessN, or NULL
	ArgInt                        // a number: N, -N, now, now+N, now-N
	ArgVersion                    // TLS1_2 or TLS1_3
	ArgMode                       // session cache mode bits: SERVER|NO_INTERNAL_STORE, OFF, or a number
	ArgOptions                    // option bits: SSL_OP_NO_TICKET|SSL_OP_NO_ANTI_REPLAY, 0, or a number
)

// String names the type as messages use it.
func (t ArgType) String() string {
	switch t {
	case ArgCtx:
		return "an SSL_CTX"
	case ArgSSL:
		return "an SSL"
	case ArgSess:
		return "an SSL_SESSION"
	case ArgInt:
		return "a number"
	case ArgVersion:
		return "a TLS version (TLS1_2 or TLS1_3)"
	case ArgMode:
		return "a cache mode (such as SERVER|NO_INTERNAL_STORE)"
	case ArgOptions:
		return "options (such as SSL_OP_NO_TICKET, or 0)"
	}
	return "nothing"
}

// signature returns the arguments of a call of kind k, in the order of
// model.Op.String, as the call table says (model/calls.go). SSL_CTX_new is
// special (a side, then options) and has none here.
func signature(k model.Kind) []ArgType {
	c := model.CallOf(k)
	if c.Config {
		return nil
	}
	out := []ArgType{} // empty, not nil, for a call without arguments (SSL_SESSION_new)
	takes := func(u model.HandleUse, t ArgType) {
		if u == model.Takes || u == model.TakesOrNull {
			out = append(out, t)
		}
	}
	takes(c.Ctx, ArgCtx)
	takes(c.SSL, ArgSSL)
	takes(c.Peer, ArgSSL)
	takes(c.Sess, ArgSess)
	switch c.Arg {
	case model.ArgNumber, model.ArgTime:
		out = append(out, ArgInt)
	case model.ArgVersion:
		out = append(out, ArgVersion)
	case model.ArgMode:
		out = append(out, ArgMode)
	case model.ArgOptions:
		out = append(out, ArgOptions)
	case model.ArgCtx:
		out = append(out, ArgCtx) // a second SSL_CTX, carried in Op.Arg
	}
	return out
}

// binds returns the type of object a call of kind k can bind to a
// variable, or 0 when it returns nothing that can be bound.
func binds(k model.Kind) ArgType {
	c := model.CallOf(k)
	switch {
	case c.Ctx == model.Makes:
		return ArgCtx
	case c.SSL == model.Makes:
		return ArgSSL
	case c.Ret == model.RetSession:
		return ArgSess
	}
	return 0
}

// handlePrefix is the prefix of the handle names of an object type.
func handlePrefix(t ArgType) string {
	switch t {
	case ArgCtx:
		return "ctx"
	case ArgSSL:
		return "ssl"
	case ArgSess:
		return "sess"
	}
	return ""
}

// handleForm reports whether name has the form of a handle name (ctx, ssl or
// sess followed by digits) and for which type. Such a name means that handle
// and nothing else, so a variable may take it only for that very object (see
// runner.bind); a form that names no handle (ssl0, sess01) cannot be bound.
func handleForm(name string) (ArgType, bool) {
	for _, t := range []ArgType{ArgCtx, ArgSSL, ArgSess} {
		pre := handlePrefix(t)
		if len(name) <= len(pre) || name[:len(pre)] != pre {
			continue
		}
		for _, c := range name[len(pre):] {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		return t, true
	}
	return 0, false
}

// handleName splits a handle name such as ssl2 into its type and number.
func handleName(name string) (ArgType, model.Handle, bool) {
	for _, t := range []ArgType{ArgCtx, ArgSSL, ArgSess} {
		pre := handlePrefix(t)
		if len(name) <= len(pre) || name[:len(pre)] != pre {
			continue
		}
		digits := name[len(pre):]
		if digits[0] == '0' || len(digits) > 9 {
			return 0, 0, false
		}
		var n int64
		for _, c := range digits {
			if c < '0' || c > '9' {
				return 0, 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return t, model.Handle(n), true
	}
	return 0, 0, false
}
