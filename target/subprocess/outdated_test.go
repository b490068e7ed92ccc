package subprocess

import (
	"bufio"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// TestShimsRefuseUnknownFields sends each C shim a config field and a
// request field no shim knows, as a harness newer than the shim would,
// and checks that the shim refuses both by name and that the harness turns
// each refusal into an OutdatedError naming the field and the make target,
// never a refusal the engines would report as a finding. Under CI=true a
// shim that could not be built fails the test (needShim).
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
					`"mode":0,"size":-1,"timeout":0,"tickets":-1,"no_ticket":false,"new_cb":0,"remove_cb":false}}`,
			}
			cmd := exec.Command(needShim(t, tc.shim))
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
			tg := &Target{library: h.Library}
			for i, want := range []struct{ what, field string }{{"config", "future_cb"}, {"request", "future_arg"}, {}} {
				if !sc.Scan() {
					t.Fatalf("reply %d missing; output:\n%s", i+1, out)
				}
				r, err := parseReply(sc.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				_, err = tg.resultOf(model.Op{Kind: model.Tick}, 0, response{reply: r, line: sc.Bytes()})
				var oe *OutdatedError
				if want.field == "" {
					if err != nil {
						t.Errorf("a request with known fields only: %v", err)
					}
					continue
				}
				if !errors.As(err, &oe) || !errors.Is(err, target.ErrOutdated) || errors.Is(err, target.ErrRefused) ||
					oe.What != want.what || oe.Field != want.field {
					t.Fatalf("reply %q: got %v, want an OutdatedError for the %s field %q", sc.Text(), err, want.what, want.field)
				}
				msg := err.Error()
				for _, part := range []string{`"` + want.field + `"`, "the shim is older than the harness: rebuild it (" + tc.rebuild + ")"} {
					if !strings.Contains(msg, part) {
						t.Errorf("%q does not say %q", msg, part)
					}
				}
			}
		})
	}
}
