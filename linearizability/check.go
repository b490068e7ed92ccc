package linearizability

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Verdict is the outcome of a check.
type Verdict string

// The verdicts. Only Linearizable is a pass.
const (
	// Linearizable: some order of the calls, consistent with real time,
	// makes the model return what the target returned, every event in
	// order, and show what the target showed at every barrier.
	Linearizable Verdict = "linearizable"
	// Violation: no such order exists.
	Violation Verdict = "violation"
	// Undecided: the check ran out of time. Never a pass.
	Undecided Verdict = "unknown"
	// TargetFailed: the calls that came back are linearizable, but a call
	// failed or hung (a finding; see Report.Failures).
	TargetFailed Verdict = "target failure"
	// InvalidHistory: the history breaks a condition the checker relies on
	// (see Report.Err); a harness bug, or universes that share objects.
	InvalidHistory Verdict = "invalid history"
)

// DefaultCheckTimeout bounds a check when Options.Timeout is zero.
const DefaultCheckTimeout = time.Minute

// Options tunes Check.
type Options struct {
	// Timeout bounds the search (default one minute); explaining a
	// violation may take as long again.
	Timeout time.Duration
	// OutDir is where the visualization of a violation is written
	// (default: the system's temporary directory).
	OutDir string
	// MemoryBudget bounds, in bytes, the states the search keeps
	// (default DefaultMemoryBudget); a search that needs more ends with
	// the verdict Undecided.
	MemoryBudget int64
}

// Report is what Check found.
type Report struct {
	Target    string
	Verdict   Verdict
	Clients   int
	Universes int
	Calls     int
	Elapsed   time.Duration // the check, not the run
	Failures  []string      // the target's failures, from the history
	// Account explains a violation in words: the longest linearizable
	// prefix of the universe that fails, and the calls none of which can
	// come next, each with what the model would have returned.
	Account string
	// Visualization is the path of porcupine's HTML view of the failing
	// universe, or "".
	Visualization string
	// Err says why a history is invalid, or why the visualization could
	// not be written.
	Err error
}

// Passed reports whether the verdict is Linearizable.
func (r *Report) Passed() bool { return r.Verdict == Linearizable }

// String renders the report: a verdict line, then details.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "linearizability: %s: %s (%d clients, %d universes, %d calls, checked in %v)",
		r.Target, r.Verdict, r.Clients, r.Universes, r.Calls, r.Elapsed.Round(time.Millisecond))
	if r.Err != nil {
		fmt.Fprintf(&b, "\n  error: %v", r.Err)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "\n  target failure: %s", f)
	}
	if r.Visualization != "" {
		fmt.Fprintf(&b, "\n  visualization: %s", r.Visualization)
	}
	if r.Account != "" {
		b.WriteString("\n")
		b.WriteString(r.Account)
	}
	return b.String()
}

// Check decides whether the history is linearizable with respect to the
// model, one universe at a time (package doc).
func Check(h *History, opts Options) *Report {
	start := time.Now()
	rep := &Report{Target: h.Target, Clients: h.Clients, Calls: h.Calls(), Failures: h.Failures}
	defer func() { rep.Elapsed = time.Since(start) }()
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultCheckTimeout
	}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = DefaultMemoryBudget
	}
	us, err := split(h)
	if err != nil {
		rep.Verdict, rep.Err = InvalidHistory, err
		return rep
	}
	rep.Universes = len(us)
	var ops []porcupine.Operation
	b := newBudget(opts.MemoryBudget)
	for _, u := range us {
		u.budget = b
		ops = append(ops, u.ops...)
	}
	res := porcupine.CheckOperationsTimeout(porcupineModel(true), ops, opts.Timeout)
	switch {
	case b.exhausted():
		rep.Verdict = Undecided
		rep.Err = fmt.Errorf("linearizability: the search outgrew its memory budget of %d MiB (Options.MemoryBudget)", opts.MemoryBudget>>20)
	case res == porcupine.Ok:
		rep.Verdict = Linearizable
		if len(h.Failures) > 0 {
			rep.Verdict = TargetFailed
		}
	case res == porcupine.Unknown:
		rep.Verdict = Undecided
	default:
		rep.Verdict = Violation
		rep.explain(h, opts)
	}
	return rep
}

// explain checks the universes one by one, keeping porcupine's partial
// linearizations, until it finds the one that fails; it writes that
// universe's visualization and the account of where it stops. It works on
// universes of its own: porcupine stops waiting for the other partitions
// of the first check as soon as one fails, and those may still be
// stepping through theirs.
func (r *Report) explain(h *History, opts Options) {
	us, err := split(h)
	if err != nil {
		r.Err = err
		return
	}
	m := porcupineModel(false)
	deadline := time.Now().Add(opts.Timeout)
	for _, u := range us {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		u.budget = newBudget(opts.MemoryBudget)
		res, info := porcupine.CheckOperationsVerbose(m, u.ops, left)
		if res != porcupine.Illegal || u.budget.exhausted() {
			continue
		}
		u.budget = nil // the account replays one linearization: no search
		r.Account = u.account(info)
		r.Visualization, r.Err = visualize(m, info, opts.OutDir, r.Target, u.id)
		return
	}
	r.Account = "the failing universe could not be pinned down again within the time limit"
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// visualize writes porcupine's HTML view to a new file and returns its path.
func visualize(m porcupine.Model, info porcupine.LinearizationInfo, dir, target string, u int) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	name := strings.Trim(unsafeName.ReplaceAllString(target, "-"), "-")
	f, err := os.CreateTemp(dir, fmt.Sprintf("sesslife-lin-%s-universe%d-*.html", name, u))
	if err != nil {
		return "", fmt.Errorf("linearizability: writing the visualization: %w", err)
	}
	path := f.Name()
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("linearizability: writing the visualization: %w", err)
	}
	if err := porcupine.VisualizePath(m, info, path); err != nil {
		return "", fmt.Errorf("linearizability: writing the visualization to %s: %w", path, err)
	}
	return filepath.Clean(path), nil
}
