package subprocess

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// runFake makes the test binary behave as a shim with one planted fault,
// chosen by mode; it returns the exit code. Every mode but the hello
// faults starts with a valid hello offering every call except SSL_clear.
// What it writes on stderr names its pid, which the first line of an
// error must not show (TestErrorFirstLinesAreStable).
func runFake(mode string) int {
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
		_ = out.Flush()
	}
	complain := func(msg string) { fmt.Fprintf(os.Stderr, "fake: %s (pid %d)\n", msg, os.Getpid()) }
	switch mode {
	case "transcript":
		return runTranscript()
	case "exit89":
		complain("I speak only sesslife-shim/0")
		return ExitWrongProtocol
	case "die-before-hello":
		complain("cannot start")
		return 3
	case "no-hello":
		complain("saying nothing")
		hang()
	case "sleeper":
		hang() // a process a fake shim forks
	case "hang-forked":
		// A helper process in the shim's group, which must die with it.
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), fakeEnv+"=sleeper")
		child.Stderr = os.Stderr // holds the shim's stderr open too
		if err := child.Start(); err != nil {
			complain(err.Error())
			return 4
		}
		fmt.Fprintf(os.Stderr, "fake: child %d\n", child.Process.Pid)
		mode = "hang"
	}
	switch mode {
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
				complain("LeakSanitizer: detected memory leaks")
				return 23
			}
			return 0
		case opReset:
			say(ok)
			n = 0
			continue
		case opObserve:
			if mode == "swapped" {
				say(ok) // a call's reply where an observation is due
				continue
			}
			if mode == "bad-observe" {
				say(`{"id":%d,"observation":{"ctxs":[{"ctx":1,"number":0}],"ssls":[],"sessions":[]}}`, req.ID)
			} else {
				say(`{"id":%d,"observation":{"ctxs":[{"ctx":1,"number":2,"hits":3,"misses":4,"timeouts":5,"cache_full":6,"connect":0,"connect_good":0,"accept":0,"accept_good":0,"cb_hits":0}],`+
					`"ssls":[{"ssl":1,"sess":-1,"reused":true}],"sessions":[{"sess":1,"resumable":true,"id_len":32,"time":7,"timeout":8}]}}`, req.ID)
			}
			continue
		}
		n++
		switch {
		case mode == "echo":
			say(ok)
		case mode == "crash" && n == 3:
			complain("about to crash")
			return 3
		case mode == "signal" && n == 2:
			complain("killing myself")
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			hang()
		case mode == "hang" && req.Op == "SSL_CTX_sess_hits":
			// A real hang: no answer, no more reading, no way out but a
			// signal.
			complain("stuck in sess_hits")
			hang()
		case mode == "babble":
			say("fake %d says: the answer is 42", os.Getpid())
		case mode == "bad-json":
			say(`{"id":%d,"ret":1,"events":[}`, req.ID)
		case mode == "wrong-id":
			say(`{"id":%d,"ret":1,"events":[]}`, req.ID+1000)
		case mode == "unknown-event":
			say(`{"id":%d,"ret":1,"events":[{"ev":"resumed_cb","ctx":1,"sess":1}]}`, req.ID)
		case mode == "swapped":
			say(`{"id":%d,"observation":{"ctxs":[],"ssls":[],"sessions":[]}}`, req.ID)
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

// hang blocks for good (a sleeping goroutine keeps the runtime from
// calling it a deadlock).
func hang() {
	for {
		time.Sleep(time.Hour)
	}
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

// generous is the call timeout, and the grace to quit and to drain, of
// every test target whose calls are meant to be answered and which is
// meant to quit: go test's -timeout less a margin (set by TestMain), so
// that only a hang reaches it and no verdict depends on how fast the
// machine is; without -timeout, a day.
var generous = 24 * time.Hour

// withGraces sets how long Close waits for a shim told to quit and how
// long an exited shim's output may take to end (the defaults are seconds,
// which a loaded machine may need).
func withGraces(quit, drain time.Duration) Option {
	return func(o *options) error {
		o.quitGrace, o.drainGrace = quit, drain
		return nil
	}
}

// fakeShim returns the options that run this test binary as fake shim
// mode, with the generous timeout and graces unless extra sets others.
func fakeShim(mode string, extra ...Option) (string, []Option) {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return exe, append([]Option{WithEnv(fakeEnv + "=" + mode), WithTimeout(generous), withGraces(generous, generous)}, extra...)
}

// setTimeout changes the call timeout of a test target between calls, so
// that a test can time one hanging call without timing the hello and the
// calls before it, which a loaded machine may make slow.
func setTimeout(tg target.Target, d time.Duration) { tg.(*Target).opts.timeout = d }

// stderrWatch is a WithStderr writer that tells when the shim has written
// a given text: tests wait for "stuck in" before they act on a hung call.
type stderrWatch struct {
	mu    sync.Mutex
	text  strings.Builder
	all   map[string]chan struct{}
	waits map[string]chan struct{} // not seen yet
}

func newStderrWatch(texts ...string) *stderrWatch {
	w := &stderrWatch{all: map[string]chan struct{}{}, waits: map[string]chan struct{}{}}
	for _, t := range texts {
		w.all[t] = make(chan struct{})
		w.waits[t] = w.all[t]
	}
	return w
}

func (w *stderrWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.text.Write(p)
	for t, ch := range w.waits {
		if strings.Contains(w.text.String(), t) {
			close(ch)
			delete(w.waits, t)
		}
	}
	return len(p), nil
}

// seen is closed once the shim has written text (one of newStderrWatch's).
func (w *stderrWatch) seen(text string) <-chan struct{} {
	ch, ok := w.all[text] // written only by newStderrWatch
	if !ok {
		panic("stderrWatch: not watching for " + text)
	}
	return ch
}

// String is everything the shim wrote on stderr so far.
func (w *stderrWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.text.String()
}

// waitFor waits for ch, failing the test only on the hang guard, shortly
// before the test's own deadline (internal/testwait): no verdict depends
// on how soon ch is closed.
func waitFor(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-testwait.Guard(t):
		t.Fatalf("still waiting for %s at the test's deadline", what)
	}
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
