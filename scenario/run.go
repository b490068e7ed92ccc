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
// options and what the target answers. Everything the script does wrong
// with the library is in the report. The error is a failure to write, a
// cancelled ctx, or an [*Error] for bad input that only running can
// reveal: a variable named like a handle (ctxN, sslN, sessN) bound to
// another object. The run stops there, with the report so far.
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
		lost:    map[model.Handle]lostResume{},
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
		before := r.beginStep(stmt)
		err := r.stmt(ctx, stmt)
		r.endStep(before)
		if err != nil {
			r.report.State = r.st
			if r.out.err != nil {
				return r.report, r.out.err
			}
			return r.report, err
		}
	}
	r.endTarget(ctx)
	r.finish()
	r.report.State = r.st
	return r.report, r.out.err
}

// varVal is the run-time value of a variable and the statement that gave
// it (to say where a NULL came from).
type varVal struct {
	typ  ArgType
	h    model.Handle
	pos  Pos
	from model.Kind
}

// taking is one reference the application took to a session.
type taking struct {
	pos Pos
	how string
}

// runner executes one script.
type runner struct {
	file  string
	st    *model.State
	out   *errWriter
	vars  map[string]varVal
	made  map[string]Pos // where each SSL_CTX and SSL was made, by handle name
	taken map[model.Handle][]taking
	// unnamedTaken: references the application owns on objects no reply
	// has shown (a fresh session get_session_cb returned with *copy left
	// at 1), oldest first; naming one moves its taking to taken.
	unnamedTaken []taking
	report       *Report
	start        int64
	tgt          target.Target
	tgtName      string
	info         target.Info
	timeout      time.Duration
	// tgtStop says why calls are no longer sent to the target ("" while
	// they are, or when there is none).
	tgtStop string
	// sent and answers are the calls the target was sent and its results,
	// for model.Likenesses when it differs.
	sent    []model.Op
	answers []model.Result
	// lost says, for each session, how it stopped being resumable.
	lost   map[model.Handle]lostResume
	expiry func(time.Duration) <-chan time.Time // nil: a timer
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

// stmt runs one statement. The error is an [*Error] for a binding that
// breaks the naming rule; the run stops there.
func (r *runner) stmt(ctx context.Context, s Stmt) error {
	r.report.Statements++
	r.out.printf("\n%s:%d  %s\n", r.file, s.Pos.Line, s.Text)
	op, problem := r.op(s)
	if problem != "" {
		r.flag(&r.report.Skipped, s, model.RuleNone, "skipped: "+problem)
		return nil
	}
	if isNullFree(op) {
		r.out.printf("    => void (%s(NULL) does nothing)\n", op.Kind)
		r.step().Result = "void"
		return nil
	}
	before := r.snapshot()
	var prior *model.State // for the rule of a difference from the target
	if r.tgt != nil {
		prior = r.st.Clone()
	}
	res, err := r.st.Step(op)
	var v *model.Violation
	switch {
	case errors.As(err, &v):
		detail := r.annotate(v.Detail)
		if v.Rule == model.RuleUBNULLSession {
			detail += r.nullOrigin(s)
		}
		r.flag(&r.report.Undefined, s, v.Rule, fmt.Sprintf("undefined behaviour %s (%s:%d): %s; the call is skipped", v.Rule, r.file, s.Pos.Line, detail))
		return nil
	case errors.Is(err, model.ErrUnmodelled):
		r.flag(&r.report.Unmodelled, s, model.RuleNone, fmt.Sprintf("not modelled: %s; the call is skipped", unmodelledReason(err)))
		return nil
	case err != nil:
		r.flag(&r.report.Unmodelled, s, model.RuleNone, fmt.Sprintf("the model refused the call: %v; the call is skipped", err))
		return nil
	}
	r.out.printf("    => %s\n", r.formatRet(op, res.Ret))
	r.step().Result = r.formatRet(op, res.Ret)
	if s.Bind != "" {
		if err := r.bind(s, op, res); err != nil {
			r.out.printf("    !! %s; the run stops here\n", err.Msg)
			r.say(err.Msg + "; the run stops here")
			return err
		}
	}
	if key := objKey(s.Kind, op); key != "" {
		r.made[key] = s.Pos
	}
	for _, e := range res.Events {
		r.out.printf("    event %s\n", r.formatEvent(e))
		r.step().Events = append(r.step().Events, r.formatEvent(e))
	}
	r.noteResumption(s, op, before)
	r.track(before, op, s.Pos)
	if r.tgt != nil {
		r.side(ctx, s, op, res, prior)
	} else if r.tgtStop != "" {
		r.notSent(s)
	}
	r.changes(before)
	return nil
}

// flag prints a finding under the statement and records it.
func (r *runner) flag(list *[]Finding, s Stmt, rule model.Rule, msg string) {
	r.out.printf("    !! %s\n", msg)
	r.say(msg)
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
	objects, ctxs := 0, 0
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
			if ctxs == 0 {
				op.Ctx = h
			} else {
				op.Arg = int64(h) // the second SSL_CTX (model.ArgCtx)
			}
			ctxs++
		case ArgSSL:
			if objects == 0 || model.CallOf(s.Kind).Peer == model.Unused {
				op.SSL = h
			} else {
				op.Peer = h
			}
			objects++
		case ArgSess:
			op.Sess = h
		case ArgVersion:
			op.Arg = int64(a.Version)
		case ArgMode, ArgOptions:
			op.Arg = a.Int
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

// bind gives the statement's variable its value. A variable named like a
// handle (ctxN, sslN, sessN) must get that very handle: anything else would
// hide the real object behind the name and label it wrongly in every line
// printed after. Such a binding is an [*Error] naming the place, like a
// parse error; only the run can find it, since the handle a call returns
// is a run-time fact.
func (r *runner) bind(s Stmt, op model.Op, res model.Result) *Error {
	v := varVal{typ: binds(s.Kind), pos: s.Pos, from: s.Kind}
	switch s.Kind {
	case model.CtxNew:
		v.h = op.Ctx
	case model.SSLNew:
		v.h = op.SSL
	default:
		v.h = model.Handle(res.Ret)
	}
	if _, h, ok := handleName(s.Bind); ok && h != v.h {
		got := r.formatRet(op, res.Ret)
		return &Error{File: r.file, Pos: s.Pos, Msg: fmt.Sprintf(
			"%s cannot be bound to %s, which %s returned: a variable named like a handle must be that handle (choose a name not of the form %sN)",
			s.Bind, got, s.Kind, handlePrefix(v.typ))}
	}
	r.vars[s.Bind] = v
	return nil
}

// nullOrigin says which variable of s holds a NULL session and which call
// gave it, for a UB-NULL-SESSION message ("" when s wrote NULL itself).
func (r *runner) nullOrigin(s Stmt) string {
	for _, a := range s.Args {
		if a.Type != ArgSess || a.Var == "" {
			continue
		}
		if v := r.vars[a.Var]; v.h == 0 {
			return fmt.Sprintf(" (%s holds the NULL that %s returned at %s:%d)", a.Var, v.from, r.file, v.pos.Line)
		}
	}
	return ""
}
