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
	Rule model.Rule // for undefined behaviour: the rule broken
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
	// Differences lists the calls after which the target did not do what
	// the model says.
	Differences []Finding
	// TargetFailure is set when the target failed (an error, a crash, no
	// answer in time, an unsupported call); the rest ran on the model only.
	TargetFailure *Finding
	// State is the model's universe after the last statement.
	State *model.State
}

// Clean reports whether the run found nothing at all.
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

// Verdict summarises the report in one line.
func (r *Report) Verdict() string {
	if r.Clean() {
		return "clean"
	}
	var parts []string
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
	return strings.Join(parts, ", ")
}
