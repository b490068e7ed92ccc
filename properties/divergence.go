package properties

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Divergence is a sequence after which the target did not do what the
// model says. The last step of Trail is the call that diverged (or, with
// Teardown, the last call before the target failed while discarding the
// universe).
type Divergence struct {
	Target, Profile string
	Trail           []Step
	// Diffs lists what differed about the last call: its return value or
	// its first differing event (Observed false), or the fields observed
	// right after it (Observed true). Empty when Err is set.
	Diffs    []model.Difference
	Observed bool
	// Err is the target's failure instead of a result (a crash, a hang, a
	// broken reply, a refused or unsupported call), during the last call
	// or, with Teardown, after it.
	Err error
	// Teardown: the target failed while discarding the universe after the
	// last call (see Lockstep.Finish).
	Teardown bool
	// Rule is the rule of docs/spec.md the target broke: the model's own
	// attribution of the first difference (model.Explanation.RuleFor), or
	// the harness outcome of Err (CRASH, HANG, PROTOCOL, REFUSED,
	// UNSUPPORTED, TARGET-ERROR).
	Rule model.Rule
	// Applied lists the rules the model applied, in the diverging call, to
	// the object that differed.
	Applied []model.Rule
	// Seen is the target's observation after the last call when that is
	// what differed (Observed), else nil.
	Seen *model.Observation

	// after is the target's observation after the last call when its
	// result differed (nil when the target could not say): Likenesses and
	// RefSuspects hold a candidate to it as to Seen.
	after *model.Observation

	profile  model.Profile    // the profile checked
	like     []model.Likeness // Likenesses, once computed
	liked    bool
	suspects []model.RefSuspect // RefSuspects, once computed
	suspect  bool
}

// RefSuspects lists the calls after which one reference more or one fewer
// on a session makes the model do exactly what the target did on the whole
// reproducer (model.RefSuspects): where a session dies too early or too
// late, the calls that may have miscounted. Computed once, when a report
// first asks.
func (d *Divergence) RefSuspects() []model.RefSuspect {
	if d.suspect {
		return d.suspects
	}
	d.suspect = true
	if got := d.gots(); got != nil {
		d.suspects = model.RefSuspects(d.profile, d.Ops(), got, d.seen(), d.Diffs)
	}
	return d.suspects
}

// seen is the target's observation after the last call, when known:
// Seen, else after.
func (d *Divergence) seen() *model.Observation {
	if d.Seen != nil {
		return d.Seen
	}
	return d.after
}

// gots returns the target's result of every call, nil when there is
// nothing to explain: the target failed, or no profile is known.
func (d *Divergence) gots() []model.Result {
	if d.Err != nil || d.Teardown || len(d.Trail) == 0 || d.profile.Name == "" {
		return nil
	}
	got := make([]model.Result, len(d.Trail))
	for i, s := range d.Trail {
		got[i] = s.Got
	}
	return got
}

// Likenesses lists the switches of the divergence table under which the
// model does exactly what the target did on the whole reproducer
// (model.Likenesses): what the target does is then what another known
// library does, and the rules it breaks are those the switch replaces.
// It is computed once, when a report first asks (a search meets many
// divergences while it reduces one and reports only the last); like the
// rest of a Divergence, it is not for concurrent use.
func (d *Divergence) Likenesses() []model.Likeness {
	if d.liked {
		return d.like
	}
	d.liked = true
	if got := d.gots(); got != nil {
		d.like = model.Likenesses(d.profile, d.Ops(), got, d.seen())
	}
	return d.like
}

// Call returns the number (from 1) of the call that diverged, 0 when the
// target failed before any call.
func (d *Divergence) Call() int { return len(d.Trail) }

// Ops returns the calls of the reproducer.
func (d *Divergence) Ops() []model.Op {
	ops := make([]model.Op, len(d.Trail))
	for i, s := range d.Trail {
		ops[i] = s.Op
	}
	return ops
}

// Outcome names the harness outcome rule of a target's error (docs/spec.md,
// "Harness outcomes"), from its type, never from its text.
func Outcome(err error) model.Rule {
	switch {
	case errors.Is(err, target.ErrUnsupported):
		return model.RuleUnsupported
	case errors.Is(err, target.ErrCrashed):
		return model.RuleCrash
	case errors.Is(err, target.ErrHung):
		return model.RuleHang
	case errors.Is(err, target.ErrProtocol):
		return model.RuleProtocol
	case errors.Is(err, target.ErrRefused):
		return model.RuleRefused
	}
	return model.RuleTargetError
}

// name sets d.Rule and d.Applied: the outcome of d.Err, or the rule the
// model's explanation of the last call gives its first difference; but
// the rule of the reference count, REF-DESTROY-AT-ZERO, when a session's
// lifetime differs and one reference more or fewer on it explains the
// whole reproducer while no switch of the divergence table does
// (model.Attribution.ByRefCount): a miscounted reference shows at
// whichever call drops the last one, under that call's rules.
func (d *Divergence) name(p model.Profile) {
	d.profile = p
	if d.Err != nil {
		d.Rule = Outcome(d.Err)
		return
	}
	if len(d.Diffs) == 0 || len(d.Trail) == 0 {
		return
	}
	exps, err := model.ExplainSequence(p, d.Ops())
	if err != nil {
		return // not a sequence the model ran: leave it unnamed
	}
	a := model.Attribute(exps, d.Diffs)
	if a.Rule != model.RuleRefDestroyAtZero {
		if ss := d.RefSuspects(); len(ss) > 0 {
			a = a.ByRefCount(ss, d.Likenesses())
		}
	}
	d.Rule, d.Applied = a.Rule, a.Applied
}

// Error renders the whole reproducer as a scenario, with got/want lines.
func (d *Divergence) Error() string {
	if d.Err == nil {
		return d.render("")
	}
	return d.render(d.Err.Error())
}

// Brief is Error with only the first line of the target's error, which
// may have more: a crash report's tail of stderr (process ids, addresses)
// differs from run to run, while the brief form is the same on every
// replay of the same failure.
func (d *Divergence) Brief() string {
	if d.Err == nil {
		return d.render("")
	}
	first, rest, _ := strings.Cut(d.Err.Error(), "\n")
	if rest != "" {
		first += " (the target's details are logged apart: they differ from run to run)"
	}
	return d.render(first)
}

// Headline is the first line of the report: who diverged, where, which
// rule.
func (d *Divergence) Headline() string {
	last := len(d.Trail)
	what := "diverges from"
	if d.Err != nil {
		what = "failed while checked against"
	}
	where := fmt.Sprintf("at call %d of %d", last, last)
	if d.Teardown {
		where = fmt.Sprintf("after its %d calls, while discarding the universe", last)
	}
	head := fmt.Sprintf("sesslife: %s %s the %s model %s: rule %s", d.Target, what, d.Profile, where, d.Rule)
	if like := d.Likenesses(); len(like) > 0 {
		head += fmt.Sprintf(" (acts as %s: breaks %s)", strings.Join(like[0].Like, ", "), ruleNames(like[0].Breaks))
	}
	return head
}

// ruleNames joins the names of rs with commas.
func ruleNames(rs []model.Rule) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.String()
	}
	return strings.Join(names, ", ")
}

// likeness says, on one line each, which switches of the divergence table
// make the model do what the target did on the whole reproducer.
func (d *Divergence) likeness() string {
	var b strings.Builder
	for _, l := range d.Likenesses() {
		b.WriteString(l.String() + "\n")
	}
	for _, line := range model.SuspectsText(d.RefSuspects()) {
		b.WriteString(line + "\n")
	}
	return b.String()
}

// render renders the divergence with errText standing for d.Err.
func (d *Divergence) render(errText string) string {
	var b strings.Builder
	b.WriteString(d.Headline() + "\n")
	for i, s := range d.Trail {
		line := fmt.Sprintf("%4d  %s", i+1, FormatCall(s.Op, s.Want))
		if out := s.Want.Format(s.Op); out != "void" {
			line = fmt.Sprintf("%-64s # %s", line, strings.TrimPrefix(out, "void "))
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(d.detail(errText))
	return strings.TrimRight(b.String(), "\n")
}

// Detail says what differed at the diverging call (got and want, the
// differences, the rules applied there), or how the target failed, with
// only the first line of a target's error.
func (d *Divergence) Detail() string {
	errText := ""
	if d.Err != nil {
		errText, _, _ = strings.Cut(d.Err.Error(), "\n")
	}
	return strings.TrimRight(d.detail(errText), "\n")
}

func (d *Divergence) detail(errText string) string {
	var b strings.Builder
	last := len(d.Trail)
	if d.Teardown || last == 0 {
		fmt.Fprintf(&b, "%s\n", errText)
		return b.String()
	}
	final := d.Trail[last-1]
	switch {
	case d.Err != nil:
		fmt.Fprintf(&b, "call %d: %s\n", last, errText)
	case !d.Observed:
		fmt.Fprintf(&b, "call %d: %s\n\tgot:  %s\n\twant: %s\n", last, final.Op, final.Got.Format(final.Op), final.Want.Format(final.Op))
	default:
		fmt.Fprintf(&b, "after call %d (%s):\n", last, final.Op)
		for _, diff := range d.Diffs {
			b.WriteString("\t" + diff.String() + "\n")
		}
	}
	if len(d.Applied) > 0 {
		names := make([]string, len(d.Applied))
		for i, r := range d.Applied {
			names[i] = r.String()
		}
		fmt.Fprintf(&b, "rules the model applied there: %s\n", strings.Join(names, ", "))
	}
	b.WriteString(d.likeness())
	return b.String()
}

// FormatCall renders a call as a scenario line: creation calls and calls
// that return a session show what they name ("ctx1 = SSL_CTX_new(server)",
// "sess2 = SSL_get1_session(ssl1)").
func FormatCall(op model.Op, res model.Result) string {
	switch op.Kind {
	case model.CtxNew:
		return fmt.Sprintf("%s = %s", model.CtxName(op.Ctx), op)
	case model.SSLNew:
		return fmt.Sprintf("%s = %s", model.SSLName(op.SSL), op)
	case model.Get0, model.Get1:
		if res.Ret != 0 {
			return fmt.Sprintf("%s = %s", model.SessName(model.Handle(res.Ret)), op)
		}
	}
	return op.String()
}
