package scenario

import (
	"strings"

	"github.com/sesslife/sesslife/model"
)

// knownOptions lists the options of SSL_CTX_new for messages.
const knownOptions = "mode=, size=, timeout=, tickets=, no_ticket, new_cb=, remove_cb, get_cb="

// ctxConfig reads SSL_CTX_new(side, options...), the form
// model.CtxConfig.String prints.
func (c *checker) ctxConfig(r rawStmt) (model.CtxConfig, bool) {
	if len(r.args) == 0 {
		c.errs.add(r.call.pos, "SSL_CTX_new takes a side first (client or server), found no arguments")
		return model.CtxConfig{}, false
	}
	side := r.args[0]
	var cfg model.CtxConfig
	switch {
	case side.form == formName && side.name == "client":
		cfg = model.DefaultConfig(model.Client)
	case side.form == formName && side.name == "server":
		cfg = model.DefaultConfig(model.Server)
	default:
		c.errs.add(side.pos, "argument 1 of SSL_CTX_new must be client or server, found %s", c.describe(side))
		return model.CtxConfig{}, false
	}
	seen := map[string]bool{}
	good := true
	for _, a := range r.args[1:] {
		name := a.name
		if a.form != formName && a.form != formOption {
			c.errs.add(a.pos, "expected an option of SSL_CTX_new (%s), found %s", knownOptions, c.describe(a))
			good = false
			continue
		}
		if seen[name] {
			c.errs.add(a.pos, "option %s of SSL_CTX_new is given twice", name)
			good = false
			continue
		}
		seen[name] = true
		if !c.option(&cfg, a) {
			good = false
		}
	}
	return cfg, good
}

// option applies one option to cfg.
func (c *checker) option(cfg *model.CtxConfig, a rawArg) bool {
	flag := a.form == formName
	switch a.name {
	case "no_ticket", "remove_cb":
		if !flag {
			c.errs.add(a.pos, "option %s of SSL_CTX_new takes no value, found %s", a.name, a.text)
			return false
		}
		if a.name == "no_ticket" {
			cfg.NoTicket = true
		} else {
			cfg.RemoveCB = true
		}
		return true
	case "mode", "size", "timeout", "tickets", "new_cb", "get_cb":
		if flag {
			c.errs.add(a.pos, "option %s of SSL_CTX_new needs a value (%s=...)", a.name, a.name)
			return false
		}
	default:
		c.errs.add(a.pos, "unknown option %s of SSL_CTX_new (known: %s)", a.name, knownOptions)
		return false
	}
	if a.name == "mode" {
		m, ok := c.mode(a)
		cfg.CacheMode, cfg.DefaultMode = m, false
		return ok
	}
	if a.name == "get_cb" && len(a.values) == 1 && a.values[0].kind == tIdent {
		// The store of bytes nginx and haproxy run (CB-EXT-SERIAL-STORE).
		switch a.values[0].text {
		case "d2i1":
			cfg.GetCB = model.GetCBFresh1
		case "d2i0":
			cfg.GetCB = model.GetCBFresh0
		default:
			c.errs.add(a.values[0].pos, "get_cb= is what the callback leaves in *copy: 0 or 1, or d2i0 or d2i1 for a store of bytes, found %s", a.values[0].text)
			return false
		}
		return true
	}
	if len(a.values) != 1 || a.values[0].kind != tInt {
		c.errs.add(a.pos, "option %s of SSL_CTX_new takes one number 0 or more, found %s", a.name, a.text)
		return false
	}
	v := a.values[0].val
	switch a.name {
	case "size":
		cfg.CacheSize = v
	case "timeout":
		cfg.Timeout = v
	case "tickets":
		cfg.NumTickets = v
	case "new_cb":
		switch v {
		case 0:
			cfg.NewCB = model.NewCBReturn0
		case 1:
			cfg.NewCB = model.NewCBReturn1
		default:
			c.errs.add(a.values[0].pos, "new_cb= is what the callback returns: 0 or 1, found %s", a.values[0].text)
			return false
		}
	case "get_cb":
		switch v {
		case 1:
			cfg.GetCB = model.GetCBCopy1
		case 0:
			cfg.GetCB = model.GetCBCopy0
		default:
			c.errs.add(a.values[0].pos, "get_cb= is what the callback leaves in *copy: 0 or 1, or d2i0 or d2i1 for a store of bytes, found %s", a.values[0].text)
			return false
		}
	}
	return true
}

// mode reads mode=A|B|..., with the names CacheMode.String prints (with or
// without the SSL_SESS_CACHE_ prefix) or numbers.
func (c *checker) mode(a rawArg) (model.CacheMode, bool) {
	var m model.CacheMode
	for _, v := range a.values {
		if v.kind == tInt {
			if v.val < 0 || v.val > 0xffff {
				c.errs.add(v.pos, "cache mode %s does not fit 16 bits", v.text)
				return m, false
			}
			m |= model.CacheMode(v.val)
			continue
		}
		bits, ok := modeBits(strings.TrimPrefix(v.text, "SSL_SESS_CACHE_"))
		if !ok {
			c.errs.add(v.pos, "unknown cache mode %s (known: %s)", v.text, knownModes)
			return m, false
		}
		m |= bits
	}
	return m, true
}

// knownModes lists the cache mode names for messages.
const knownModes = "OFF, CLIENT, SERVER, BOTH, NO_AUTO_CLEAR, NO_INTERNAL_LOOKUP, NO_INTERNAL_STORE, NO_INTERNAL"

// knownOptionBits lists the option names for messages.
const knownOptionBits = "SSL_OP_NO_TICKET, SSL_OP_NO_ANTI_REPLAY"

// optionBits maps an option name (ssl.h, with or without SSL_OP_) to bits.
func optionBits(name string) (model.Options, bool) {
	switch strings.TrimPrefix(name, "SSL_OP_") {
	case "NO_TICKET":
		return model.OptNoTicket, true
	case "NO_ANTI_REPLAY":
		return model.OptNoAntiReplay, true
	}
	return 0, false
}

// modeBits maps a cache mode name (ssl.h, without SSL_SESS_CACHE_) to bits.
func modeBits(name string) (model.CacheMode, bool) {
	switch name {
	case "OFF":
		return model.CacheOff, true
	case "CLIENT":
		return model.CacheClient, true
	case "SERVER":
		return model.CacheServer, true
	case "BOTH":
		return model.CacheClient | model.CacheServer, true
	case "NO_AUTO_CLEAR":
		return model.CacheNoAutoClear, true
	case "NO_INTERNAL_LOOKUP":
		return model.CacheNoInternalLookup, true
	case "NO_INTERNAL_STORE":
		return model.CacheNoInternalStore, true
	case "NO_INTERNAL":
		return model.CacheNoInternalLookup | model.CacheNoInternalStore, true
	}
	return 0, false
}
