package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sesslife/sesslife/model"
)

// Finding is one thing a run found at a statement.
type Finding struct {
	File string
	Pos  Pos
	Stmt string     // the statement in normal form
	Rule model.Rule // undefined behaviour: the rule broken; a note: the rule it cites, if any
	Msg  string
}

// Where renders the place as FILE:LINE ("FILE (start)" for a target that
// failed before the first statement).
func (f Finding) Where() string {
	if f.Pos.Line == 0 {
		return f.File + " (start)"
	}
	return fmt.Sprintf("%s:%d", f.File, f.Pos.Line)
}

// Leak is one thing the application still owns when the script ends: a
// reference to a session, an SSL or an SSL_CTX it never freed.
type Leak struct {
	Object string // the object, with its variable names ("p=sess1")
	File   string
	Pos    Pos // where the reference was taken or the object made
	Msg    string
}

// Report is what a run found.
type Report struct {
	Statements int // statements run (including flagged ones)
	// Undefined lists the calls that are undefined behaviour; each was
	// skipped, leaving the state unchanged.
	Undefined []Finding
	// Unmodelled lists the legal calls the model does not claim to know;
	// each was skipped.
	Unmodelled []Finding
	// Skipped lists statements that could not run because a variable they
	// read was never given a value (its binding call was skipped).
	Skipped []Finding
	// Leaks lists what the application still owned at the end.
	Leaks []Leak
	// Notes lists legal calls that most likely do not do what the author
	// wants: SSL_set_session of a session that will not resume (Rule is
	// RuleSingleUse for a TLS 1.3 session already used once, else empty).
	// They are warnings, not findings: a report with notes is still clean.
	Notes []Finding
	// Differences lists the call after which the target first did not do
	// what the model says. Later calls are not sent to it (see NotSent), so
	// there is at most one.
	Differences []Finding
	// TargetFailure is set when the target failed (an error, a crash, no
	// answer in time, an unsupported call); the rest ran on the model only.
	TargetFailure *Finding
	// NotSent lists the calls the model ran but did not send to the target
	// after a difference or a failure; Msg says why.
	NotSent []Finding
	// State is the model's universe after the last statement.
	State *model.State
	// Steps records every statement run: its result and the state table
	// after it, for renderers other than the text one.
	Steps []Step
}

// Clean reports whether the run found nothing at all. Notes do not count:
// they mark legal calls.
func (r *Report) Clean() bool {
	return len(r.Undefined) == 0 && len(r.Unmodelled) == 0 && len(r.Skipped) == 0 &&
		len(r.Leaks) == 0 && len(r.Differences) == 0 && r.TargetFailure == nil
}

// Rules returns the rules broken, sorted, each once.
func (r *Report) Rules() []model.Rule {
	var out []model.Rule
	for _, f := range r.Undefined {
		out = append(out, f.Rule)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Verdict summarises the report in one line: "clean", or what was found,
// followed by the notes if any ("clean, 1 note (HS13-CLIENT-SINGLE-USE at
// f.sim:12)").
func (r *Report) Verdict() string {
	var parts []string
	if r.Clean() {
		parts = append(parts, "clean")
	}
	count := func(n int, one, many string) {
		if n == 1 {
			parts = append(parts, "1 "+one)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	if len(r.Undefined) > 0 {
		var where []string
		for _, f := range r.Undefined {
			where = append(where, fmt.Sprintf("%s at %s", f.Rule, f.Where()))
		}
		count(len(r.Undefined), "undefined behaviour", "undefined behaviours")
		parts[len(parts)-1] += " (" + strings.Join(where, ", ") + ")"
	}
	count(len(r.Unmodelled), "call not modelled", "calls not modelled")
	count(len(r.Skipped), "statement skipped", "statements skipped")
	count(len(r.Leaks), "leak", "leaks")
	count(len(r.Differences), "difference from the target", "differences from the target")
	if r.TargetFailure != nil {
		parts = append(parts, "target failed at "+r.TargetFailure.Where())
	}
	if len(r.Notes) > 0 {
		var where []string
		for _, f := range r.Notes {
			what := f.Rule.String()
			if f.Rule == model.RuleNone {
				what = "not resumable"
			}
			where = append(where, fmt.Sprintf("%s at %s", what, f.Where()))
		}
		count(len(r.Notes), "note", "notes")
		parts[len(parts)-1] += " (" + strings.Join(where, ", ") + ")"
	}
	return strings.Join(parts, ", ")
}
