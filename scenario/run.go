package scenario

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// DefaultCallTimeout bounds each call to a target when Options leave it 0.
const DefaultCallTimeout = 10 * time.Second

// Options configure [Run].
type Options struct {
	// Profile is the model profile; the zero value means [model.OpenSSL30].
	Profile model.Profile
	// Target, when not nil, gets every call the model runs, side by side:
	// the command line passes the reference simulator or a shim process.
	// Run resets it first and never closes it.
	Target target.Target
	// CallTimeout bounds each call to the target (0: DefaultCallTimeout).
	// A target that does not answer in time is a finding; the rest of the
	// script runs on the model only.
	CallTimeout time.Duration

	// expiry, when not nil, stands for the timer of each call (it gets
	// CallTimeout): the package's tests end a hanging call when it hangs
	// rather than when a clock says, so the calls before it are not timed.
	expiry func(time.Duration) <-chan time.Time
}

// Run executes s on a fresh universe and writes, for every statement, the
// call, its result and events and the objects it changed; then the state
// at the end, the leaks and a verdict. The output depends only on s, the
// options and what the target answers. The error is a failure to write or a
// cancelled ctx; everything the script does wrong is in the report.
func Run(ctx context.Context, s *Script, opt Options, w io.Writer) (*Report, error) {
	if opt.Profile.Name == "" {
		opt.Profile = model.OpenSSL30()
	}
	if opt.CallTimeout <= 0 {
		opt.CallTimeout = DefaultCallTimeout
	}
	r := &runner{
		file:    s.File,
		st:      model.New(opt.Profile),
		out:     &errWriter{w: w},
		vars:    map[string]varVal{},
		made:    map[string]Pos{},
		taken:   map[model.Handle][]taking{},
		report:  &Report{},
		start:   opt.Profile.StartTime,
		timeout: opt.CallTimeout,
		expiry:  opt.expiry,
	}
	r.header(ctx, opt)
	for _, stmt := range s.Stmts {
		if err := ctx.Err(); err != nil {
			return r.report, err
		}
		r.stmt(ctx, stmt)
	}
	r.finish()
	r.report.State = r.st
	return r.report, r.out.err
}

// varVal is the run-time value of a variable.
type varVal struct {
	typ ArgType
	h   model.Handle
}

// taking is one reference the application took to a session.
type taking struct {
	pos Pos
	how string
}

// runner executes one script.
type runner struct {
	file    string
	st      *model.State
	out     *errWriter
	vars    map[string]varVal
	made    map[string]Pos // where each SSL_CTX and SSL was made, by handle name
	taken   map[model.Handle][]taking
	report  *Report
	start   int64
	tgt     target.Target
	tgtName string
	info    target.Info
	timeout time.Duration
	expiry  func(time.Duration) <-chan time.Time // nil: a timer
}

// errWriter keeps the first write error and drops later writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (r *runner) header(ctx context.Context, opt Options) {
	r.out.printf("sesslife sim %s: profile %s, ", r.file, opt.Profile.Name)
	if opt.Target == nil {
		r.out.printf("model only\n")
	} else {
		r.startTarget(ctx, opt)
	}
	r.out.printf("T = %d, the clock at the start; caches are listed from head (expires last) to tail (evicted first)\n", r.start)
}

// stmt runs one statement.
func (r *runner) stmt(ctx context.Context, s Stmt) {
	r.report.Statements++
	r.out.printf("\n%s:%d  %s\n", r.file, s.Pos.Line, s.Text)
	op, problem := r.op(s)
	if problem != "" {
		r.flag(&r.report.Skipped, s, "", "skipped: "+problem)
		return
	}
	if isNullFree(op) {
		r.out.printf("    => void (%s(NULL) does nothing)\n", op.Kind)
		return
	}
	before := r.snapshot()
	res, err := r.st.Step(op)
	var v *model.Violation
	switch {
	case errors.As(err, &v):
		r.flag(&r.report.Undefined, s, v.Rule, fmt.Sprintf("undefined behaviour %s (%s:%d): %s; the call is skipped", v.Rule, r.file, s.Pos.Line, r.annotate(v.Detail)))
		return
	case errors.Is(err, model.ErrUnmodelled):
		r.flag(&r.report.Unmodelled, s, "", fmt.Sprintf("not modelled: %s; the call is skipped", unmodelledReason(err)))
		return
	case err != nil:
		r.flag(&r.report.Unmodelled, s, "", fmt.Sprintf("the model refused the call: %v; the call is skipped", err))
		return
	}
	if s.Bind != "" {
		r.bind(s, op, res)
	}
	if key := objKey(s.Kind, op); key != "" {
		r.made[key] = s.Pos
	}
	r.out.printf("    => %s\n", r.formatRet(op, res.Ret))
	for _, e := range res.Events {
		r.out.printf("    event %s\n", r.formatEvent(e))
	}
	r.track(before, op, s.Pos)
	if r.tgt != nil {
		r.side(ctx, s, op, res)
	}
	r.changes(before)
}

// flag prints a finding under the statement and records it.
func (r *runner) flag(list *[]Finding, s Stmt, rule model.Rule, msg string) {
	r.out.printf("    !! %s\n", msg)
	*list = append(*list, Finding{File: r.file, Pos: s.Pos, Stmt: s.Text, Rule: rule, Msg: msg})
}

// unmodelledReason keeps what follows "not modelled: " in err.
func unmodelledReason(err error) string {
	msg := err.Error()
	marker := model.ErrUnmodelled.Error() + ": "
	if i := strings.Index(msg, marker); i >= 0 {
		return msg[i+len(marker):]
	}
	return msg
}

// objKey names the object a creation call made ("" for other calls).
func objKey(k model.Kind, op model.Op) string {
	switch k {
	case model.CtxNew:
		return model.CtxName(op.Ctx)
	case model.SSLNew:
		return model.SSLName(op.SSL)
	}
	return ""
}

// isNullFree is a free function given NULL, which C defines as a no-op.
func isNullFree(op model.Op) bool {
	switch op.Kind {
	case model.CtxFree:
		return op.Ctx == 0
	case model.SSLFree:
		return op.SSL == 0
	case model.SessFree:
		return op.Sess == 0
	}
	return false
}

// op builds the model call of s from the current values of its variables
// and the clock. problem is set when it cannot.
func (r *runner) op(s Stmt) (op model.Op, problem string) {
	op = model.Op{Kind: s.Kind, Config: s.Config}
	switch s.Kind {
	case model.CtxNew:
		op.Ctx = r.st.NextCtx()
	case model.SSLNew:
		op.SSL = r.st.NextSSL()
	}
	objects := 0
	for _, a := range s.Args {
		var h model.Handle
		switch a.Type {
		case ArgCtx, ArgSSL, ArgSess:
			h = a.Handle
			if a.Var != "" {
				v, ok := r.vars[a.Var]
				if !ok {
					return op, fmt.Sprintf("%s has no value (the call that was to bind it did not run)", a.Var)
				}
				h = v.h
			}
		}
		switch a.Type {
		case ArgCtx:
			op.Ctx = h
		case ArgSSL:
			if objects == 0 || s.Kind != model.Handshake {
				op.SSL = h
			} else {
				op.Peer = h
			}
			objects++
		case ArgSess:
			op.Sess = h
		case ArgVersion:
			op.Arg = int64(a.Version)
		case ArgInt:
			op.Arg = a.Int
			if a.Now {
				now := r.st.Now()
				if (a.Int > 0 && now > math.MaxInt64-a.Int) || (a.Int < 0 && now < math.MinInt64-a.Int) {
					return op, fmt.Sprintf("now%+d overflows", a.Int)
				}
				op.Arg = now + a.Int
			}
		}
	}
	return op, ""
}

// bind gives the statement's variable its value.
func (r *runner) bind(s Stmt, op model.Op, res model.Result) {
	v := varVal{typ: binds(s.Kind)}
	switch s.Kind {
	case model.CtxNew:
		v.h = op.Ctx
	case model.SSLNew:
		v.h = op.SSL
	default:
		v.h = model.Handle(res.Ret)
	}
	r.vars[s.Bind] = v
}
