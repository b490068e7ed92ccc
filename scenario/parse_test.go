package scenario

import (
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown call", "SSL_fre(ssl1)", "f.sim:1:1: unknown call SSL_fre"},
		{"case hint", "ssl_free(ssl1)", "f.sim:1:1: unknown call ssl_free (did you mean SSL_free?)"},
		{"missing paren", "x = SSL_CTX_new server", "f.sim:1:17: expected '(' after SSL_CTX_new, found name server"},
		{"unclosed", "SSL_free(ssl1", "f.sim:1:14: expected ',' or ')' after an argument, found end of file"},
		{"junk after", "SSL_free(ssl1) x", "f.sim:1:16: expected end of statement (a newline or ';') after ')', found name x"},
		{"stray char", "SSL_free(ssl1) @", "f.sim:1:16: unexpected character '@'"},
		{"bad number", "tick(12ab)", "f.sim:1:6: malformed number 12ab"},
		{"huge number", "tick(99999999999999999999)", "f.sim:1:6: number 99999999999999999999 is too large (the limit is 9223372036854775807)"},
		{"arity", "SSL_new(ctx1, ctx2)", "f.sim:1:15: SSL_new takes 1 argument (an SSL_CTX), found 2 arguments"},
		{"arity none", "handshake()", "f.sim:1:1: handshake takes 3 arguments (an SSL, an SSL, a TLS version (TLS1_2 or TLS1_3)), found 0 arguments"},
		{"kind", "c = SSL_CTX_new(client)\nSSL_free(c)", "f.sim:2:10: argument 1 of SSL_free must be an SSL, found c, an SSL_CTX (bound at 1:1)"},
		{"handle kind", "SSL_free(ctx1)", "f.sim:1:10: argument 1 of SSL_free must be an SSL, found ctx1, an SSL_CTX"},
		{"number for object", "SSL_free(3)", "f.sim:1:10: argument 1 of SSL_free must be an SSL, found number 3"},
		{"object for number", "tick(ssl1)", "f.sim:1:6: argument 1 of tick must be a number, found ssl1, an SSL"},
		{"version", "handshake(ssl1, ssl2, TLS1_1)", "f.sim:1:23: argument 3 of handshake must be a TLS version (TLS1_2 or TLS1_3), found name TLS1_1"},
		{"unbound", "SSL_free(c)", "f.sim:1:10: unknown name c: bind it first (c = SSL_new(...)) or write a handle name such as ssl1"},
		{"before bound", "SSL_free(c)\nc = SSL_new(ctx1)", "f.sim:1:10: c is used before it is bound (at 2:1)"},
		{"rebind kind", "x = SSL_CTX_new(server)\nx = SSL_new(x)", "f.sim:2:1: cannot bind x to an SSL: it names an SSL_CTX (bound at 1:1)"},
		{"bind void", "x = SSL_free(ssl1)", "f.sim:1:1: SSL_free returns nothing that can be bound to x (only SSL_CTX_new, SSL_new, SSL_get0_session and SSL_get1_session do)"},
		{"bind keyword", "NULL = SSL_new(ctx1)", "f.sim:1:1: NULL is a keyword and cannot be bound"},
		{"bind handle of other kind", "ssl1 = SSL_CTX_new(server)", "f.sim:1:1: ssl1 reads as the handle name of an SSL and cannot be bound to an SSL_CTX"},
		{"bind version", "TLS1_3 = SSL_new(ctx1)", "f.sim:1:1: TLS1_3 is a keyword and cannot be bound"},
		{"bind malformed handle name", "ssl01 = SSL_new(ctx1)", "f.sim:1:1: ssl01 has the form of a handle name but names no handle (handle numbers start at 1, without leading zeros); choose another name"},
		{"bind handle zero", "c = SSL_CTX_new(server)\nssl0 = SSL_new(c)", "f.sim:2:1: ssl0 has the form of a handle name but names no handle (handle numbers start at 1, without leading zeros); choose another name"},
		{"bind malformed handle of other kind", "sess01 = SSL_new(ctx1)", "f.sim:1:1: sess01 reads as the handle name of an SSL_SESSION and cannot be bound to an SSL"},
		{"bind call name", "tick = SSL_new(ctx1)", "f.sim:1:1: tick is the name of a call and cannot be bound"},
		{"nested call", "SSL_free(SSL_new)", "f.sim:1:10: argument 1 of SSL_free must be an SSL, found the call name SSL_new (calls do not nest: bind the result to a variable first)"},
		{"offset on name", "tick(x+1)", "f.sim:1:7: expected ',' or ')' after x, found '+' (only now takes an offset: now+N, now-N)"},
		{"option elsewhere", "SSL_new(size=3)", "f.sim:1:9: SSL_new takes no options, found size=3"},
		{"no side", "SSL_CTX_new()", "f.sim:1:1: SSL_CTX_new takes a side first (client or server), found no arguments"},
		{"bad side", "SSL_CTX_new(size=3)", "f.sim:1:13: argument 1 of SSL_CTX_new must be client or server, found option size=3"},
		{"unknown option", "SSL_CTX_new(server, sizes=3)", "f.sim:1:21: unknown option sizes of SSL_CTX_new (known: mode=, size=, timeout=, tickets=, no_ticket, new_cb=, remove_cb, get_cb=)"},
		{"twice", "SSL_CTX_new(server, size=3, size=4)", "f.sim:1:29: option size of SSL_CTX_new is given twice"},
		{"flag value", "SSL_CTX_new(server, no_ticket=1)", "f.sim:1:21: option no_ticket of SSL_CTX_new takes no value, found no_ticket=1"},
		{"value missing", "SSL_CTX_new(server, size)", "f.sim:1:21: option size of SSL_CTX_new needs a value (size=...)"},
		{"value not number", "SSL_CTX_new(server, size=big)", "f.sim:1:21: option size of SSL_CTX_new takes one number 0 or more, found size=big"},
		{"new_cb value", "SSL_CTX_new(server, new_cb=2)", "f.sim:1:28: new_cb= is what the callback returns: 0 or 1, found 2"},
		{"mode name", "SSL_CTX_new(server, mode=SERVER|FAST)", "f.sim:1:33: unknown cache mode FAST (known: OFF, CLIENT, SERVER, BOTH, NO_AUTO_CLEAR, NO_INTERNAL_LOOKUP, NO_INTERNAL_STORE, NO_INTERNAL)"},
		{"option bit name", "SSL_CTX_set_options(ctx1, SSL_OP_FOO)", "f.sim:1:27: argument 2 of SSL_CTX_set_options: unknown option SSL_OP_FOO (known: SSL_OP_NO_TICKET, SSL_OP_NO_ANTI_REPLAY)"},
		{"mode bit name", "SSL_CTX_set_session_cache_mode(ctx1, SERVER|FAST)", "f.sim:1:45: argument 2 of SSL_CTX_set_session_cache_mode: unknown cache mode FAST (known: OFF, CLIENT, SERVER, BOTH, NO_AUTO_CLEAR, NO_INTERNAL_LOOKUP, NO_INTERNAL_STORE, NO_INTERNAL)"},
		{"negative options", "SSL_set_options(ssl1, -1)", "f.sim:1:23: argument 2 of SSL_set_options must be options (such as SSL_OP_NO_TICKET, or 0), found number -1"},
		{"dangling pipe", "SSL_CTX_set_options(ctx1, SSL_OP_NO_TICKET|)", "f.sim:1:44: expected a name or a number after '|', found ')'"},
		{"positional option", "SSL_CTX_new(server, 3)", "f.sim:1:21: expected an option of SSL_CTX_new (mode=, size=, timeout=, tickets=, no_ticket, new_cb=, remove_cb, get_cb=), found number 3"},
		{"columns count characters", "# é\n  SSL_frée(ssl1)", "f.sim:2:9: unexpected character 'é'"},
		{"invalid utf8", "tick(1)\xff", "f.sim:1:8: invalid UTF-8 byte 0xff"},
		{"control", "tick(1)\x01", "f.sim:1:8: unexpected control character U+0001"},
		{"minus without number", "tick(-x)", "f.sim:1:7: expected a number after '-', found name x"},
		{"empty arg", "SSL_free(ssl1,)", "f.sim:1:15: expected an argument (a name, a number or now), found ')'"},
		{"statement starts badly", "(x)", "f.sim:1:1: expected a call such as SSL_new(...) or a variable to bind, found '('"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.sim", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want error %q", tc.src, tc.want)
			}
			var list ErrorList
			if !asErrorList(err, &list) {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			if got := list[0].Error(); got != tc.want {
				t.Errorf("Parse(%q):\n got  %s\n want %s", tc.src, got, tc.want)
			}
		})
	}
}

func asErrorList(err error, list *ErrorList) bool {
	l, ok := err.(ErrorList)
	*list = l
	return ok && len(l) > 0
}

func TestParseReportsSeveralProblems(t *testing.T) {
	src := "SSL_fre(ssl1)\nx = SSL_new(ctx1)\nSSL_free(y); tick(z)\n"
	_, err := Parse("f.sim", []byte(src))
	want := "f.sim:1:1: unknown call SSL_fre\n" +
		"f.sim:3:10: unknown name y: bind it first (y = SSL_new(...)) or write a handle name such as ssl1\n" +
		"f.sim:3:19: argument 1 of tick must be a number, found name z"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestParseDoesNotRepeatAFailedBinding(t *testing.T) {
	_, err := Parse("f.sim", []byte("x = SSL_nwe(ctx1)\nSSL_free(x)\n"))
	if want := "f.sim:1:5: unknown call SSL_nwe"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want only %s", err, want)
	}
}

func TestParseStopsAfterTooManyProblems(t *testing.T) {
	src := strings.Repeat("@\n", 100)
	_, err := Parse("f.sim", []byte(src))
	var list ErrorList
	if !asErrorList(err, &list) || len(list) != maxErrors {
		t.Fatalf("got %v, want %d problems", err, maxErrors)
	}
}

func TestParseForms(t *testing.T) {
	src := `# a comment line
   7  cctx = SSL_CTX_new(client, mode=CLIENT|NO_INTERNAL_STORE, size=3, timeout=60, tickets=1, no_ticket, new_cb=1, remove_cb) # trailing
c = SSL_new(cctx); s = SSL_new(ctx2)
handshake(c, s, TLS1_3)
p = SSL_get_session(c)
SSL_SESSION_set_time(p, now-5); SSL_SESSION_set_timeout(sess4, -1)
SSL_set_session(c, NULL)
SSL_CTX_flush_sessions(cctx, now)
tick(0x10)
SSL_CTX_new(server, mode=SSL_SESS_CACHE_OFF)
`
	s, err := Parse("f.sim", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Stmts) != 11 {
		t.Fatalf("got %d statements, want 11", len(s.Stmts))
	}
	cfg := s.Stmts[0].Config
	want := model.CtxConfig{Side: model.Client, CacheMode: model.CacheClient | model.CacheNoInternalStore,
		CacheSize: 3, Timeout: 60, NumTickets: 1, NoTicket: true, NewCB: model.NewCBReturn1, RemoveCB: true}
	if cfg != want {
		t.Errorf("config = %+v, want %+v", cfg, want)
	}
	if got := s.Stmts[0].Pos; got != (Pos{2, 7}) {
		t.Errorf("statement after a step number starts at %v, want 2:7", got)
	}
	checks := []struct {
		i    int
		kind model.Kind
		text string
		args []Arg
	}{
		{1, model.SSLNew, "c = SSL_new(cctx)", []Arg{{Pos: Pos{3, 13}, Type: ArgCtx, Var: "cctx"}}},
		{2, model.SSLNew, "s = SSL_new(ctx2)", []Arg{{Pos: Pos{3, 32}, Type: ArgCtx, Handle: 2}}},
		{3, model.Handshake, "handshake(c, s, TLS1_3)", []Arg{{Pos: Pos{4, 11}, Type: ArgSSL, Var: "c"},
			{Pos: Pos{4, 14}, Type: ArgSSL, Var: "s"}, {Pos: Pos{4, 17}, Type: ArgVersion, Version: model.TLS13}}},
		{4, model.Get0, "p = SSL_get_session(c)", []Arg{{Pos: Pos{5, 21}, Type: ArgSSL, Var: "c"}}},
		{5, model.SetTime, "SSL_SESSION_set_time(p, now-5)", []Arg{{Pos: Pos{6, 22}, Type: ArgSess, Var: "p"},
			{Pos: Pos{6, 25}, Type: ArgInt, Now: true, Int: -5}}},
		{6, model.SetTimeout, "SSL_SESSION_set_timeout(sess4, -1)", []Arg{{Pos: Pos{6, 57}, Type: ArgSess, Handle: 4},
			{Pos: Pos{6, 64}, Type: ArgInt, Int: -1}}},
		{7, model.SetSession, "SSL_set_session(c, NULL)", []Arg{{Pos: Pos{7, 17}, Type: ArgSSL, Var: "c"}, {Pos: Pos{7, 20}, Type: ArgSess}}},
		{8, model.Flush, "SSL_CTX_flush_sessions(cctx, now)", []Arg{{Pos: Pos{8, 24}, Type: ArgCtx, Var: "cctx"}, {Pos: Pos{8, 30}, Type: ArgInt, Now: true}}},
		{9, model.Tick, "tick(0x10)", []Arg{{Pos: Pos{9, 6}, Type: ArgInt, Int: 16}}},
	}
	for _, c := range checks {
		st := s.Stmts[c.i]
		if st.Kind != c.kind || st.Text != c.text || len(st.Args) != len(c.args) {
			t.Errorf("statement %d = %v %q %+v, want %v %q", c.i, st.Kind, st.Text, st.Args, c.kind, c.text)
			continue
		}
		for j := range c.args {
			if st.Args[j] != c.args[j] {
				t.Errorf("statement %d argument %d = %+v, want %+v", c.i, j, st.Args[j], c.args[j])
			}
		}
	}
	if last := s.Stmts[10].Config; last.DefaultMode || last.CacheMode != model.CacheOff {
		t.Errorf("mode=SSL_SESS_CACHE_OFF gave %+v", last)
	}
}

// TestParseConfigRoundTrip: every configuration CtxConfig.String prints
// parses back to itself.
func TestParseConfigRoundTrip(t *testing.T) {
	var configs []model.CtxConfig
	for _, side := range []model.Side{model.Client, model.Server} {
		base := model.DefaultConfig(side)
		configs = append(configs, base)
		for _, m := range []model.CacheMode{model.CacheOff, model.CacheServer, model.CacheClient | model.CacheServer | model.CacheNoAutoClear,
			model.CacheNoInternalLookup | model.CacheNoInternalStore} {
			c := base
			c.DefaultMode, c.CacheMode = false, m
			c.CacheSize, c.Timeout, c.NumTickets = 0, 1, 0
			c.NoTicket, c.NewCB, c.RemoveCB = true, model.NewCBReturn0, true
			configs = append(configs, c)
			c.CacheSize, c.NewCB = 20480, model.NewCBReturn1
			configs = append(configs, c)
		}
	}
	for _, c := range configs {
		src := "ctx1 = " + model.Op{Kind: model.CtxNew, Ctx: 1, Config: c}.String()
		s, err := Parse("f.sim", []byte(src))
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if got := s.Stmts[0].Config; got != c {
			t.Errorf("%s parsed as %+v, want %+v", src, got, c)
		}
	}
}

func TestSignatureCoversEveryKind(t *testing.T) {
	for _, k := range model.Kinds() {
		if k == model.CtxNew {
			continue
		}
		if signature(k) == nil && k != model.KindInvalid {
			t.Errorf("%s has no argument signature", k)
		}
	}
}

func TestHandleForm(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  ArgType
		ok   bool
	}{
		{"ctx1", ArgCtx, true}, {"ssl0", ArgSSL, true}, {"sess01", ArgSess, true}, {"ctx1234567890", ArgCtx, true},
		{"ssl", 0, false}, {"ssl1x", 0, false}, {"cctx1", 0, false}, {"sessx", 0, false}, {"p", 0, false},
	} {
		if typ, ok := handleForm(tc.name); typ != tc.typ || ok != tc.ok {
			t.Errorf("handleForm(%q) = %v %v, want %v %v", tc.name, typ, ok, tc.typ, tc.ok)
		}
	}
}

func TestHandleName(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  ArgType
		h    model.Handle
		ok   bool
	}{
		{"ctx1", ArgCtx, 1, true}, {"ssl12", ArgSSL, 12, true}, {"sess3", ArgSess, 3, true},
		{"sess0", 0, 0, false}, {"ssl01", 0, 0, false}, {"ssl", 0, 0, false}, {"ssl1x", 0, 0, false},
		{"ctx1234567890", 0, 0, false}, {"sessx", 0, 0, false}, {"cctx1", 0, 0, false},
	} {
		typ, h, ok := handleName(tc.name)
		if typ != tc.typ || h != tc.h || ok != tc.ok {
			t.Errorf("handleName(%q) = %v %d %v, want %v %d %v", tc.name, typ, h, ok, tc.typ, tc.h, tc.ok)
		}
	}
}
