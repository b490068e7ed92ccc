package subprocess

import (
	"fmt"
	"strings"
	"time"

	"github.com/sesslife/sesslife/target"
)

// CrashError reports a shim that died: it exited, was killed by a signal,
// or closed its output while a call was in flight. The target stays dead
// until the next Reset, which starts a fresh shim.
type CrashError struct {
	Op     string   // the call in flight, "" when none was
	Status string   // how the process ended, e.g. "exit status 3" or "signal: aborted"
	Calls  []string // the calls since the last Reset, oldest first
	Stderr string   // the tail of the shim's stderr
}

// Error says how the shim died and during which call on its first line,
// then after which calls and what it wrote on stderr.
func (e *CrashError) Error() string {
	var b strings.Builder
	b.WriteString("shim crashed")
	if e.Op != "" {
		fmt.Fprintf(&b, " during %s", e.Op)
	}
	fmt.Fprintf(&b, " (%s)", e.Status)
	writeCalls(&b, e.Calls)
	writeStderr(&b, e.Stderr)
	return b.String()
}

// Is makes a CrashError match target.ErrCrashed.
func (e *CrashError) Is(err error) bool { return err == target.ErrCrashed }

// TimeoutError reports a call the shim did not answer in time. The shim
// has been killed; the next Reset starts a fresh one.
type TimeoutError struct {
	Op      string
	Timeout time.Duration
	Calls   []string // the calls since the last Reset, the hung one last
	Stderr  string
}

// Error names the hung call and the configured timeout on its first line,
// then the calls before it and the shim's stderr.
func (e *TimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "shim did not answer %s within %v (killed)", e.Op, e.Timeout)
	writeCalls(&b, e.Calls)
	writeStderr(&b, e.Stderr)
	return b.String()
}

// Is makes a TimeoutError match target.ErrHung.
func (e *TimeoutError) Is(err error) bool { return err == target.ErrHung }

// ProtocolError reports a line from the shim that breaks sesslife-shim/1:
// bad JSON, an unknown request id, an unknown event, a missing field.
type ProtocolError struct {
	Op     string // the call the line answered, "" when unknown
	Line   string // the offending line, as received
	Reason string
}

// Error names the call and what is wrong on its first line, and quotes the
// offending line on the next: the shim's output may hold anything, and
// the first line is what engines compare failures by.
func (e *ProtocolError) Error() string {
	where := ""
	if e.Op != "" {
		where = " answering " + e.Op
	}
	msg := fmt.Sprintf("shim protocol error%s: %s", where, e.Reason)
	if e.Line == "" {
		return msg
	}
	return fmt.Sprintf("%s\nline: %q", msg, e.Line)
}

// Is makes a ProtocolError match target.ErrProtocol.
func (e *ProtocolError) Is(err error) bool { return err == target.ErrProtocol }

// ShimError is the shim's own refusal of a call ({"error": ...}): it could
// not perform it, for example because a handle names no live object.
type ShimError struct {
	Op      string
	Message string
}

// Error quotes the shim's message.
func (e *ShimError) Error() string {
	return fmt.Sprintf("shim refused %s: %s", e.Op, e.Message)
}

// Is makes a ShimError match target.ErrRefused.
func (e *ShimError) Is(err error) bool { return err == target.ErrRefused }

func writeCalls(b *strings.Builder, calls []string) {
	if len(calls) == 0 {
		b.WriteString("\ncalls since the last reset: none")
		return
	}
	b.WriteString("\ncalls since the last reset:")
	for _, c := range calls {
		b.WriteString("\n  ")
		b.WriteString(c)
	}
}

func writeStderr(b *strings.Builder, tail string) {
	tail = strings.TrimRight(tail, "\n")
	if tail == "" {
		b.WriteString("\nshim stderr: (empty)")
		return
	}
	b.WriteString("\nshim stderr (tail):\n")
	b.WriteString(tail)
}
