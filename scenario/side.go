package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// startTarget resets the target and prints its name; a target that cannot
// start is a finding and the script runs on the model only.
func (r *runner) startTarget(ctx context.Context, opt Options) {
	r.tgt, r.tgtName = opt.Target, "the target"
	var info target.Info
	err := r.guard(ctx, func(context.Context) error { info = opt.Target.Info(); return nil })
	if err == nil {
		r.info, r.tgtName = info, info.Name
		err = r.guard(ctx, func(c context.Context) error { return opt.Target.Reset(c) })
	}
	r.out.printf("side by side with %s\n", r.tgtName)
	if err != nil {
		r.targetFailed(Stmt{}, fmt.Sprintf("%s failed to start: %v", r.tgtName, err))
	} else if r.info.Profile != opt.Profile.Name {
		r.out.printf("note: %s claims to follow %q\n", r.tgtName, r.info.Profile)
	}
}

// side applies a call the model ran to the target too and marks where the
// two differ: the result and events, then everything observable.
// prior is the model's state before the call: a difference is named by
// the rule the model applied there (model.Attribute).
func (r *runner) side(ctx context.Context, s Stmt, op model.Op, want model.Result, prior *model.State) {
	if !r.info.Supports(op.Kind) {
		r.targetFailed(s, fmt.Sprintf("%s does not support %s", r.tgtName, op.Kind))
		return
	}
	// The closures use their own copy of the target: a call that never
	// returns keeps running after the runner has dropped it.
	tgt := r.tgt
	var got model.Result
	err := r.guard(ctx, func(c context.Context) error {
		var err error
		got, err = tgt.Apply(c, op)
		return err
	})
	switch {
	case errors.Is(err, target.ErrUnsupported):
		r.targetFailed(s, fmt.Sprintf("%s does not support %s: %v", r.tgtName, op.Kind, err))
		return
	case err != nil:
		r.targetFailed(s, fmt.Sprintf("%s failed: %v", r.tgtName, err))
		return
	}
	r.sent, r.answers = append(r.sent, op), append(r.answers, got)
	var lines []string
	diffs := model.CompareResult(op, want, got)
	if len(diffs) > 0 {
		lines = append(lines, fmt.Sprintf("got  %s", r.formatResult(op, got)),
			fmt.Sprintf("want %s", r.formatResult(op, want)))
	}
	var obs model.Observation
	err = r.guard(ctx, func(c context.Context) error {
		var err error
		obs, err = tgt.Observe(c)
		return err
	})
	if err != nil {
		r.targetFailed(s, fmt.Sprintf("%s failed to report its state: %v", r.tgtName, err))
		return
	}
	if len(diffs) == 0 {
		diffs = model.CompareObservation(r.st.Observe(), obs)
		for _, d := range diffs {
			lines = append(lines, r.annotate(d.String()))
		}
	}
	if len(lines) == 0 {
		return
	}
	// The target's observation after the call holds every explanation to
	// it, also when its result differed: which session its SSLs hold tells
	// a miscounted reference from another library's behaviour.
	like := model.Likenesses(r.st.Profile(), r.sent, r.answers, &obs)
	for _, l := range like {
		lines = append(lines, l.String())
	}
	suspects := model.RefSuspects(r.st.Profile(), r.sent, r.answers, &obs, diffs)
	lines = append(lines, model.SuspectsText(suspects)...)
	rule := model.RuleNone
	if e, err := prior.Explain(op); err == nil {
		// Named as sesslife check names it (properties.Divergence).
		rule = model.Attribute([]model.Explanation{e}, diffs).ByRefCount(suspects, like).Rule
	}
	r.out.printf("    !! %s differs from the model (rule %s):\n", r.tgtName, rule)
	for _, l := range lines {
		r.out.printf("         %s\n", l)
	}
	r.out.printf("    !! the rest runs on the model only: %s's state is no longer the model's\n", r.tgtName)
	msg := fmt.Sprintf("%s differs from the model (rule %s): %s", r.tgtName, rule, strings.Join(lines, "; "))
	r.say(msg)
	r.report.Differences = append(r.report.Differences, Finding{File: r.file, Pos: s.Pos, Stmt: s.Text, Rule: rule, Msg: msg})
	// From here the model no longer tracks the target's state, so a call
	// the model deems legal can be undefined behaviour there (a session the
	// target failed to evict, added to a second SSL_CTX, corrupts the
	// first one's list). Nothing more is sent.
	r.stopTarget(fmt.Sprintf("%s differed from the model at %s:%d; from there its state is not the model's, and a call legal in the model could be undefined behaviour in %s",
		r.tgtName, r.file, s.Pos.Line, r.tgtName))
}

// targetFailed records that the target cannot go on; the rest of the script
// runs on the model only.
func (r *runner) targetFailed(s Stmt, msg string) {
	msg += "; the rest runs on the model only"
	r.out.printf("    !! %s\n", msg)
	r.say(msg)
	r.report.TargetFailure = &Finding{File: r.file, Pos: s.Pos, Stmt: s.Text, Msg: msg}
	where := "to start"
	if s.Pos.Line > 0 {
		where = fmt.Sprintf("at %s:%d", r.file, s.Pos.Line)
	}
	r.stopTarget(fmt.Sprintf("%s failed %s", r.tgtName, where))
}

// endTarget frees the target's universe after the last statement, as the
// checking engines do after every sequence: a library that corrupted its
// memory often crashes only then (a session freed once too often), and a
// reproducer saved by sesslife check counts on that.
func (r *runner) endTarget(ctx context.Context) {
	if r.tgt == nil {
		return
	}
	tgt := r.tgt
	if err := r.guard(ctx, func(c context.Context) error { return tgt.Reset(c) }); err != nil {
		msg := fmt.Sprintf("%s failed when its universe was freed after the last statement: %v", r.tgtName, err)
		r.out.printf("\n    !! %s\n", msg)
		r.say(msg)
		r.report.TargetFailure = &Finding{File: r.file, Msg: msg}
		r.stopTarget(fmt.Sprintf("%s failed at the end", r.tgtName))
	}
}

// stopTarget stops sending calls to the target; why is said with every
// call that is not sent.
func (r *runner) stopTarget(why string) {
	r.tgt, r.tgtStop = nil, why
}

// notSent records that s ran on the model only.
func (r *runner) notSent(s Stmt) {
	r.report.NotSent = append(r.report.NotSent, Finding{File: r.file, Pos: s.Pos, Stmt: s.Text,
		Msg: "not sent to " + r.tgtName + ": " + r.tgtStop})
}

// printNotSent lists, at the end, the lines whose calls the target never
// got, and why.
func (r *runner) printNotSent() {
	if len(r.report.NotSent) == 0 {
		return
	}
	var spans []string
	for i := 0; i < len(r.report.NotSent); {
		first := r.report.NotSent[i].Pos.Line
		last := first
		for i < len(r.report.NotSent) && r.report.NotSent[i].Pos.Line <= last+1 {
			last = r.report.NotSent[i].Pos.Line
			i++
		}
		if first == last {
			spans = append(spans, fmt.Sprint(first))
		} else {
			spans = append(spans, fmt.Sprintf("%d-%d", first, last))
		}
	}
	word := "line"
	if len(spans) > 1 || strings.Contains(spans[0], "-") {
		word = "lines"
	}
	r.out.printf("\nnot sent to %s: %s %s of %s (%s)\n", r.tgtName, word, strings.Join(spans, ", "), r.file, r.tgtStop)
}

// guard calls f on the target with a deadline, turning a panic into an
// error and a call that does not return in time into one too: a system
// under test that crashes or hangs is a finding, not a stuck run. A call
// that never returns leaves its goroutine behind; the target is not used
// again. When the time is up the call's context is cancelled, for a target
// that can still give up.
func (r *runner) guard(ctx context.Context, f func(context.Context) error) error {
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	var expired <-chan time.Time
	if r.expiry != nil {
		expired = r.expiry(r.timeout)
	} else {
		timer := time.NewTimer(r.timeout)
		defer timer.Stop()
		expired = timer.C
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("panic: %v", p)
			}
		}()
		done <- f(c)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-expired:
		return fmt.Errorf("no answer within %s", r.timeout)
	}
}
