package subprocess

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/sesslife/sesslife/model"
)

// runFake makes the test binary behave as a shim with one planted fault,
// chosen by mode; it returns the exit code. Every mode but the hello
// faults starts with a valid hello offering every call except SSL_clear.
func runFake(mode string) int {
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
		_ = out.Flush()
	}
	switch mode {
	case "exit89":
		fmt.Fprintln(os.Stderr, "fake: I speak only sesslife-shim/0")
		return ExitWrongProtocol
	case "die-before-hello":
		fmt.Fprintln(os.Stderr, "fake: cannot start")
		return 3
	case "no-hello":
		time.Sleep(time.Hour)
		return 0
	case "bad-hello":
		say(`{"hello":"sesslife-shim/9","library":"Fake","calls":[]}`)
		return waitEOF()
	case "not-json-hello":
		say(`hello, harness`)
		return waitEOF()
	}
	var calls []string
	for _, n := range kindNames() {
		if n != "SSL_clear" {
			calls = append(calls, n)
		}
	}
	names, _ := json.Marshal(calls)
	concurrent := mode == "out-of-order"
	say(`{"hello":%q,"library":"FakeSSL","version":"1.0","profile":"openssl-3.0","variant":"fake","calls":%s,"concurrent":%v}`,
		Protocol, names, concurrent)

	in := bufio.NewScanner(os.Stdin)
	n := 0
	var held []string // out-of-order: replies kept back
	for in.Scan() {
		var req struct {
			ID   uint64 `json:"id"`
			Now  int64  `json:"now"`
			Op   string `json:"op"`
			Arg  int64  `json:"arg"`
			Lane int    `json:"lane"`
		}
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			say(`{"id":0,"error":"bad request"}`)
			continue
		}
		ok := fmt.Sprintf(`{"id":%d,"ret":%d,"events":[]}`, req.ID, req.Now)
		switch req.Op {
		case opQuit:
			say(ok)
			if mode == "leaky-quit" {
				fmt.Fprintln(os.Stderr, "fake: LeakSanitizer: detected memory leaks")
				return 23
			}
			return 0
		case opReset:
			say(ok)
			n = 0
			continue
		case opObserve:
			if mode == "bad-observe" {
				say(`{"id":%d,"observation":{"ctxs":[{"ctx":1,"number":0}],"ssls":[],"sessions":[]}}`, req.ID)
			} else {
				say(`{"id":%d,"observation":{"ctxs":[{"ctx":1,"number":2,"hits":3,"misses":4,"timeouts":5,"cache_full":6}],`+
					`"ssls":[{"ssl":1,"sess":-1,"reused":true}],"sessions":[{"sess":1,"resumable":true,"id_len":32,"time":7,"timeout":8}]}}`, req.ID)
			}
			continue
		}
		n++
		switch {
		case mode == "echo":
			say(ok)
		case mode == "crash" && n == 3:
			fmt.Fprintln(os.Stderr, "fake: about to crash")
			return 3
		case mode == "signal" && n == 2:
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Hour)
		case mode == "hang" && req.Op == "SSL_CTX_sess_hits":
			fmt.Fprintln(os.Stderr, "fake: stuck in sess_hits")
		case mode == "bad-json":
			say(`{"id":%d,"ret":1,"events":[}`, req.ID)
		case mode == "wrong-id":
			say(`{"id":%d,"ret":1,"events":[]}`, req.ID+1000)
		case mode == "unknown-event":
			say(`{"id":%d,"ret":1,"events":[{"ev":"resumed_cb","ctx":1,"sess":1}]}`, req.ID)
		case mode == "missing-ret":
			say(`{"id":%d,"events":[]}`, req.ID)
		case mode == "bad-handle":
			say(`{"id":%d,"ret":1,"events":[{"ev":"remove_cb","ctx":0,"sess":1}]}`, req.ID)
		case mode == "events":
			say(`{"id":%d,"ret":2,"events":[{"ev":"new_session_cb","ctx":1,"sess":1},{"ev":"remove_cb","ctx":2,"sess":1},{"ev":"destroyed","ctx":0,"sess":1}]}`, req.ID)
		case mode == "error":
			say(`{"id":%d,"error":"ssl 9 is not a live SSL"}`, req.ID)
		case mode == "unimplemented":
			say(`{"id":%d,"unimplemented":true}`, req.ID)
		case mode == "out-of-order":
			// Answer in reverse order once two calls are in, each with
			// its own argument, so mixed-up replies would show.
			held = append(held, fmt.Sprintf(`{"id":%d,"ret":%d,"events":[]}`, req.ID, req.Arg))
			if len(held) == 2 {
				say("%s", held[1])
				say("%s", held[0])
				held = nil
			}
		default:
			say(ok)
		}
	}
	return 0
}

func waitEOF() int {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
	}
	return 0
}

// kindNames lists the call names of every model kind.
func kindNames() []string {
	var out []string
	for _, k := range model.Kinds() {
		out = append(out, k.String())
	}
	return out
}

// fakeShim returns the options that run this test binary as fake shim mode.
func fakeShim(mode string, extra ...Option) (string, []Option) {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return exe, append([]Option{WithEnv(fakeEnv + "=" + mode)}, extra...)
}

// missing returns the wanted substrings that s lacks.
func missing(s string, want ...string) []string {
	var out []string
	for _, w := range want {
		if !strings.Contains(s, w) {
			out = append(out, w)
		}
	}
	return out
}
