package subprocess

import (
	"bufio"
	"encoding/json"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// TestShimsRefuseUnknownFields sends each C shim a config field and a
// request field no shim knows, and a value of get_cb no shim knows, as a
// harness newer than the shim would, and checks that the shim refuses each
// by name and that the harness turns each refusal into an OutdatedError
// naming the field (and the value) and the make target, never a refusal
// the engines would report as a finding. Under CI=true a
// shim that could not be built fails the test (needShim).
// futureValue is a value of get_cb above any the shims know: one a later
// harness might add.
const futureValue = 99

var futureGetCB = strconv.Itoa(futureValue)

func TestShimsRefuseUnknownFields(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ shim, library, rebuild string }{
		{"sesslife-shim-openssl", "OpenSSL", "make shim"},
		{wolfShim, "wolfSSL", "make shim-wolfssl"},
		{boringShim, "BoringSSL", "make shim-boringssl"},
	} {
		t.Run(tc.library, func(t *testing.T) {
			t.Parallel()
			lines := []string{
				`{"id":1,"now":1700000000,"lane":0,"op":"SSL_CTX_new","ctx":1,"config":{"side":"client","default_mode":true,` +
					`"mode":0,"size":-1,"timeout":0,"tickets":-1,"no_ticket":false,"new_cb":0,"remove_cb":false,"future_cb":1}}`,
				`{"id":2,"now":1700000000,"lane":0,"op":"tick","future_arg":3}`,
				`{"id":3,"now":1700000000,"lane":0,"op":"SSL_CTX_new","ctx":1,"config":{"side":"client","default_mode":true,` +
					`"mode":0,"size":-1,"timeout":0,"tickets":-1,"no_ticket":false,"new_cb":1,"remove_cb":false,"get_cb":` + futureGetCB + `}}`,
				`{"id":4,"now":1700000000,"lane":0,"op":"SSL_CTX_new","ctx":1,"config":{"side":"client","default_mode":true,` +
					`"mode":0,"size":-1,"timeout":0,"tickets":-1,"no_ticket":false,"new_cb":0,"remove_cb":false}}`,
			}
			path := needShim(t, tc.shim)
			cmd := exec.Command(path)
			cmd.Env = append(cmd.Environ(), "SESSLIFE_SHIM_PROTOCOL="+Protocol)
			cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", tc.shim, err)
			}
			sc := bufio.NewScanner(strings.NewReader(string(out)))
			var h hello
			if !sc.Scan() || json.Unmarshal(sc.Bytes(), &h) != nil || h.Library != tc.library {
				t.Fatalf("hello: %q", sc.Text())
			}
			tg := &Target{library: h.Library, path: path}
			// The op each reply answers, as the harness would have sent it.
			future := model.Op{Kind: model.CtxNew, Ctx: 1, Config: model.CtxConfig{NewCB: model.NewCBReturn0, GetCB: model.GetSessionCB(futureValue)}}
			ops := []model.Op{{Kind: model.Tick}, {Kind: model.Tick}, future, {Kind: model.Tick}}
			for i, want := range []struct{ what, field, value string }{{"config", "future_cb", ""}, {"request", "future_arg", ""},
				{"config", "get_cb", futureGetCB}, {}} {
				if !sc.Scan() {
					t.Fatalf("reply %d missing; output:\n%s", i+1, out)
				}
				r, err := parseReply(sc.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				_, err = tg.resultOf(ops[i], 0, response{reply: r, line: sc.Bytes()})
				var oe *OutdatedError
				if want.field == "" {
					if err != nil {
						t.Errorf("a request with known fields only: %v", err)
					}
					continue
				}
				if !errors.As(err, &oe) || !errors.Is(err, target.ErrOutdated) || errors.Is(err, target.ErrRefused) ||
					oe.What != want.what || oe.Field != want.field || oe.Value != want.value {
					t.Fatalf("reply %q: got %v, want an OutdatedError for the %s field %q (value %q)", sc.Text(), err, want.what, want.field, want.value)
				}
				msg := err.Error()
				for _, part := range []string{`"` + want.field + `"`, "the value " + want.value + " ",
					"the shim is older than the harness: rebuild it (" + tc.rebuild + ")"} {
					if want.value == "" && strings.HasPrefix(part, "the value") {
						continue
					}
					if !strings.Contains(msg, part) {
						t.Errorf("%q does not say %q", msg, part)
					}
				}
			}
		})
	}
}

// TestOutdatedSaysWhatToDo: this project's shims are rebuilt by make; a
// shim written elsewhere, even for the same library, is told what to
// implement instead.
func TestOutdatedSaysWhatToDo(t *testing.T) {
	for _, tc := range []struct{ library, path, want string }{
		{"OpenSSL", "/work/bin/sesslife-shim-openssl", "rebuild it (make shim)"},
		{"OpenSSL", "bin/sesslife-shim-openssl-asan", "rebuild it (make shim)"},
		{"wolfSSL", "sesslife-shim-wolfssl", "rebuild it (make shim-wolfssl)"},
		{"OpenSSL", "/opt/mine/shim.py", "teach /opt/mine/shim.py the field as docs/protocol.md §3 describes it"},
		{"rustls", "bin/sesslife-shim-rustls", "teach bin/sesslife-shim-rustls the field"},
	} {
		if got := rebuildCommand(tc.library, tc.path); !strings.HasPrefix(got, tc.want) {
			t.Errorf("rebuildCommand(%q, %q) = %q, want %q...", tc.library, tc.path, got, tc.want)
		}
	}
}

// TestOutdatedOnlyForAValueAboveTheShims: a range refusal stands for an
// outdated shim only for an enumerated config field whose value the
// harness sent above the shim's largest; any other refusal stays one (a
// finding), never hidden as a harness error.
func TestOutdatedOnlyForAValueAboveTheShims(t *testing.T) {
	cfg := &wireConfig{NewCB: 1, GetCB: 3, Size: 5}
	for _, c := range []struct {
		msg      string
		cfg      *wireConfig
		outdated bool
	}{
		{`"get_cb" must be an integer in 0..2`, cfg, true},
		{`"get_cb" must be an integer in 0..4`, cfg, false}, // the shim knows 3 and refused it anyway
		{`"new_cb" must be an integer in 0..0`, cfg, true},
		{`"size" must be an integer in -1..4`, cfg, false}, // not enumerated: a refusal of a number
		{`"get_cb" must be an integer in 0..2`, nil, false},
		{`"get_cb" must be an integer in 0..two`, cfg, false},
		{`get_cb must be an integer in 0..2`, cfg, false},
		{`unknown config field "get_cb"`, cfg, true},
	} {
		e := outdated("SSL_CTX_new(ctx1)", c.msg, "rebuild it (make shim)", c.cfg)
		if (e != nil) != c.outdated {
			t.Errorf("%q: outdated %v, want %v", c.msg, e, c.outdated)
		}
	}
}
