package properties

import (
	"fmt"
	"strings"
)

// fakeTB lets a test run rapid.Check on a property that must fail and read
// the failure, instead of failing itself.
type fakeTB struct {
	name   string
	failed bool
	msgs   strings.Builder
}

type stopNow struct{}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Name() string                   { return f.name }
func (f *fakeTB) Logf(format string, a ...any)   { fmt.Fprintf(&f.msgs, format+"\n", a...) }
func (f *fakeTB) Log(a ...any)                   { fmt.Fprintln(&f.msgs, a...) }
func (f *fakeTB) Skipf(format string, a ...any)  { f.Logf(format, a...); panic(stopNow{}) }
func (f *fakeTB) Skip(a ...any)                  { f.Log(a...); panic(stopNow{}) }
func (f *fakeTB) SkipNow()                       { panic(stopNow{}) }
func (f *fakeTB) Errorf(format string, a ...any) { f.failed = true; f.Logf(format, a...) }
func (f *fakeTB) Error(a ...any)                 { f.failed = true; f.Log(a...) }
func (f *fakeTB) Fatalf(format string, a ...any) { f.Errorf(format, a...); panic(stopNow{}) }
func (f *fakeTB) Fatal(a ...any)                 { f.Error(a...); panic(stopNow{}) }
func (f *fakeTB) FailNow()                       { f.failed = true; panic(stopNow{}) }
func (f *fakeTB) Fail()                          { f.failed = true }
func (f *fakeTB) Failed() bool                   { return f.failed }
