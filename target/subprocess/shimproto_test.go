package subprocess

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The OpenSSL shim's side of the protocol, spoken line by line: bad
// requests get clear errors, never a crash.

func TestShimAnswersBadRequests(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(needShim(t, "sesslife-shim-openssl"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewScanner(stdout)
	out.Scan() // hello
	for _, c := range []struct{ line, want string }{
		{`{"id":1 "op":"tick"}`, `{"id":0,"error":"byte 8: expected ',' or '}'"}`},
		{`[1,2]`, `{"id":0,"error":"a request must be a JSON object"}`},
		{`{"id":2,"op":"tick","now":1.5}`, `{"id":0,"error":"byte 27: only integers are allowed"}`},
		{`{"id":3,"op":"tick","now":1,"now":2}`, `{"id":0,"error":"byte 33: duplicate member \"now\""}`},
		{`{"id":4,"op":"tick","now":99999999999999999999}`, `{"id":0,"error":"byte 44: number out of the 64-bit range"}`},
		{`{"id":5,"op":"tick"}`, `{"id":5,"error":"\"now\" is missing"}`},
		{`{"id":6,"op":"tick","now":1,"lane":64}`, `{"id":6,"error":"\"lane\" must be an integer in 0..63"}`},
		{`{"id":7,"op":"SSL_frob","now":1}`, `{"id":7,"unimplemented":true}`},
		{`{"id":8,"op":"SSL_new","now":1,"ctx":1,"ssl":1}`, `{"id":8,"error":"ctx 1 is not a live SSL_CTX"}`},
		{`{"id":9,"op":"SSL_SESSION_free","now":1,"sess":3}`, `{"id":9,"error":"sess 3 is not a live named session"}`},
		{`{"id":10,"op":"SSL_CTX_new","now":1,"ctx":1,"config":{"side":"both"}}`, `{"id":10,"error":"config \"side\" must be \"client\" or \"server\""}`},
		{`{"id":11,"op":"SSL_CTX_new","now":1,"ctx":1,"config":{"side":"client"}}`, `{"id":11,"ret":0,"events":[]}`},
		{`{"id":12,"op":"SSL_CTX_new","now":1,"ctx":1,"config":{"side":"client"}}`, `{"id":12,"error":"ctx 1 is taken (or not a handle)"}`},
		{`{"id":13,"op":"handshake","now":1,"ssl":1,"peer":1,"arg":13}`, `{"id":13,"error":"ssl 1 is not a live SSL"}`},
		{`{"id":14,"op":"t\u0069ck","now":1}`, `{"id":14,"ret":0,"events":[]}`},
		{`{"id":14,"op":"tick","now":1,"future":"refused"}`, `{"id":14,"error":"unknown request field \"future\""}`},
		{`{"id":15,"op":"tick","now":1,"ctx":-1}`, `{"id":15,"error":"\"ctx\" must be an integer in 0..1000000"}`},
		{`{"id":16,"op":"quit"}`, `{"id":16,"ret":0,"events":[]}`},
	} {
		if _, err := stdin.Write([]byte(c.line + "\n")); err != nil {
			t.Fatal(err)
		}
		if !out.Scan() {
			t.Fatalf("%s: no reply", c.line)
		}
		if got := out.Text(); got != c.want {
			t.Errorf("%s\n got  %s\n want %s", c.line, got, c.want)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after quit: %v", err)
	}
}

func TestShimRefusesOtherProtocols(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(needShim(t, "sesslife-shim-openssl"))
	cmd.Env = append(os.Environ(), ProtocolEnv+"=sesslife-shim/2")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != ExitWrongProtocol || len(out) != 0 ||
		!strings.Contains(stderr.String(), "sesslife-shim/2") {
		t.Errorf("exit %v, stdout %q, stderr %q; want exit 89, nothing on stdout", err, out, stderr.String())
	}
}
