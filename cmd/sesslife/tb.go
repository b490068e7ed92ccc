package main

import (
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// cliTB is the testing.TB-like value rapid needs, for use outside `go test`:
// it collects the failure text; FailNow ends the checking goroutine.
type cliTB struct {
	name string

	mu     sync.Mutex
	failed bool
	errs   strings.Builder
}

func newCLITB(name string) *cliTB {
	// rapid asks testing.Short(), which needs the testing flags registered
	// and parsed.
	testing.Init()
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
	return &cliTB{name: name}
}

func (t *cliTB) Helper()                        {}
func (t *cliTB) Name() string                   { return t.name }
func (t *cliTB) Logf(string, ...any)            {}
func (t *cliTB) Log(...any)                     {}
func (t *cliTB) Skipf(format string, a ...any)  { t.fail(fmt.Sprintf(format, a...)); runtime.Goexit() }
func (t *cliTB) Skip(a ...any)                  { t.fail(fmt.Sprint(a...)); runtime.Goexit() }
func (t *cliTB) SkipNow()                       { runtime.Goexit() }
func (t *cliTB) Errorf(format string, a ...any) { t.fail(fmt.Sprintf(format, a...)) }
func (t *cliTB) Error(a ...any)                 { t.fail(fmt.Sprint(a...)) }
func (t *cliTB) Fatalf(format string, a ...any) { t.fail(fmt.Sprintf(format, a...)); runtime.Goexit() }
func (t *cliTB) Fatal(a ...any)                 { t.fail(fmt.Sprint(a...)); runtime.Goexit() }
func (t *cliTB) FailNow()                       { t.fail(""); runtime.Goexit() }
func (t *cliTB) Fail()                          { t.fail("") }

func (t *cliTB) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func (t *cliTB) fail(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
	if msg != "" {
		t.errs.WriteString(msg)
		t.errs.WriteString("\n")
	}
}
