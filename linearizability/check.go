package linearizability

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
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
	// Undecided: the search of a universe outgrew its budget of steps or
	// memory (or reached the optional time guard). Never a pass.
	Undecided Verdict = "unknown"
	// TargetFailed: the calls that came back are linearizable, but a call
	// failed or hung (a finding; see Report.Failures).
	TargetFailed Verdict = "target failure"
	// InvalidHistory: the history breaks a condition the checker relies on
	// (see Report.Err); a harness bug, or universes that share objects.
	InvalidHistory Verdict = "invalid history"
)

// Options tunes Check. Every bound of the search is a count, so that a
// verdict is the same on a slow machine as on a fast one.
type Options struct {
	// StepBudget bounds the model steps the search of one universe may
	// try (default DefaultStepBudget); a search that needs more leaves the
	// check undecided.
	StepBudget int64
	// MemoryBudget bounds, in bytes (estimated from the states' keys, the
	// same on every machine), the states the search of one universe keeps
	// (default DefaultMemoryBudget); a search that needs more leaves the
	// check undecided. Parallel universes are searched at once, so the
	// check may keep up to Parallel times this much.
	MemoryBudget int64
	// Parallel is how many universes are searched at once (default: the
	// number of CPUs, at most 4). It changes no verdict: each universe has
	// budgets of its own.
	Parallel int
	// Timeout, when positive, guards against a search that hangs: a check
	// that reaches it is undecided. The budgets end every search long
	// before any sensible guard; the default is none.
	Timeout time.Duration
	// OutDir is where the visualization of a violation is written
	// (default: the system's temporary directory).
	OutDir string
}

func (o Options) withDefaults() Options {
	if o.StepBudget <= 0 {
		o.StepBudget = DefaultStepBudget
	}
	if o.MemoryBudget <= 0 {
		o.MemoryBudget = DefaultMemoryBudget
	}
	if o.Parallel <= 0 {
		o.Parallel = min(runtime.GOMAXPROCS(0), 4)
	}
	return o
}

// Report is what Check found.
type Report struct {
	Target    string
	Verdict   Verdict
	Clients   int
	Universes int
	Calls     int
	Elapsed   time.Duration // the check, not the run
	// Steps counts the model steps the search tried, over every universe
	// it searched (after a violation, the universes after the failing one
	// may be cut short: the count then varies from run to run).
	Steps    int64
	Failures []string // the target's failures, from the history
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
	fmt.Fprintf(&b, "linearizability: %s: %s (%d clients, %d universes, %d calls, checked in %v, %d steps)",
		r.Target, r.Verdict, r.Clients, r.Universes, r.Calls, r.Elapsed.Round(time.Millisecond), r.Steps)
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
// model, one universe at a time (package doc). Universes are searched in
// parallel, each within budgets of its own; the verdict is that of the
// first universe, in universe order, that is not linearizable, so it does
// not depend on which search ends first: a violation once found stops the
// searches of later universes only.
func Check(h *History, opts Options) *Report {
	start := time.Now()
	rep := &Report{Target: h.Target, Clients: h.Clients, Calls: h.Calls(), Failures: h.Failures}
	defer func() { rep.Elapsed = time.Since(start) }()
	opts = opts.withDefaults()
	us, err := split(h)
	if err != nil {
		rep.Verdict, rep.Err = InvalidHistory, err
		return rep
	}
	rep.Universes = len(us)
	outs := searchAll(us, opts)
	firstUndecided := -1
	for i, o := range outs {
		rep.Steps += o.steps
		switch {
		case o.result == violated:
			rep.Verdict = Violation
			rep.explain(h, i, opts)
			return rep
		case o.result == undecided && firstUndecided < 0:
			firstUndecided = i
		}
	}
	switch {
	case firstUndecided >= 0:
		rep.Verdict = Undecided
		rep.Err = fmt.Errorf("linearizability: universe %d: %s", us[firstUndecided].id, outs[firstUndecided].why)
	case len(h.Failures) > 0:
		rep.Verdict = TargetFailed
	default:
		rep.Verdict = Linearizable
	}
	return rep
}

// result is what the search of one universe found.
type result uint8

const (
	passed    result = iota
	violated         // no linearization
	undecided        // out of budget, or the guard
	cancelled        // stopped: an earlier universe failed
)

type outcome struct {
	result result
	steps  int64
	why    string // for undecided
}

// searchAll searches the universes, opts.Parallel at once, taking them in
// order. When universe i fails, the searches of universes after i stop
// (their budgets say so) and those not begun are skipped: the verdict is
// the first failing universe's, which nothing stops.
func searchAll(us []*universe, opts Options) []outcome {
	for _, u := range us {
		u.budget = newBudget(opts.MemoryBudget, opts.StepBudget)
	}
	outs := make([]outcome, len(us))
	var mu sync.Mutex
	next, failed := 0, len(us) // the next universe to search; the first that failed so far
	var wg sync.WaitGroup
	for range min(opts.Parallel, len(us)) {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				if i >= len(us) || i > failed {
					mu.Unlock()
					return
				}
				mu.Unlock()
				outs[i] = us[i].check(opts)
				if outs[i].result != violated {
					continue
				}
				mu.Lock()
				if i < failed {
					failed = i
					for _, u := range us[i+1:] {
						u.budget.stop.Store(true)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for i := range outs {
		if i > failed {
			outs[i].result = cancelled
		}
	}
	return outs
}

// check runs porcupine on the universe within its budget.
func (u *universe) check(opts Options) outcome {
	res := porcupine.CheckOperationsTimeout(porcupineModel(), u.ops, opts.Timeout)
	if u.search.restart && !u.budget.exhausted() && !u.budget.stop.Load() {
		// The search compared too many states without hashes: start
		// over with them (see search.hashing).
		u.search = search{seed: u.search.seed, maxCompares: u.search.maxCompares, hashing: true}
		u.budget.again(opts.MemoryBudget)
		res = porcupine.CheckOperationsTimeout(porcupineModel(), u.ops, opts.Timeout)
	}
	o := outcome{steps: opts.StepBudget - max(u.budget.steps, 0)}
	switch {
	case u.budget.stop.Load():
		o.result = cancelled
	case u.budget.exhausted() && u.budget.steps < 0:
		o.result, o.why = undecided, fmt.Sprintf("the search outgrew its budget of %d steps (Options.StepBudget)", opts.StepBudget)
	case u.budget.exhausted():
		o.result, o.why = undecided, fmt.Sprintf("the search outgrew its memory budget of %d MiB (Options.MemoryBudget)", opts.MemoryBudget>>20)
	case res == porcupine.Unknown:
		o.result, o.why = undecided, fmt.Sprintf("the search reached the time guard of %v (Options.Timeout)", opts.Timeout)
	case res == porcupine.Ok:
		o.result = passed
	default:
		o.result = violated
	}
	return o
}

// explain searches universe i of the history again, keeping porcupine's
// partial linearizations, writes its visualization and the account of
// where it stops. It works on a universe of its own: the first search's
// states are gone, and the budgets are the same, so it fails again.
func (r *Report) explain(h *History, i int, opts Options) {
	us, err := split(h)
	if err != nil {
		r.Err = err
		return
	}
	u := us[i]
	u.budget = newBudget(opts.MemoryBudget, opts.StepBudget)
	u.search.hashing = true // as the first search ended, if it started over
	m := porcupineModel()
	res, info := porcupine.CheckOperationsVerbose(m, u.ops, opts.Timeout)
	if res != porcupine.Illegal || u.budget.exhausted() {
		r.Account = fmt.Sprintf("universe %d failed, but its search with partial linearizations did not fail again", u.id)
		return
	}
	u.budget = nil // the account replays one linearization: no search
	r.Account = u.account(info)
	r.Visualization, r.Err = visualize(m, info, opts.OutDir, r.Target, u.id)
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
