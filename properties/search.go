package properties

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Search is the engine behind `sesslife check`: it draws random legal call
// sequences from a seed, runs each on a target and on the model in
// lockstep, and turns every divergence of a rule not seen before into a
// finding with a minimal reproducer. Everything it reports depends only on
// the seed, the options and the target's behaviour, never on the machine's
// speed: sequence i is drawn from its own generator seeded by (Seed, i),
// with a swarm mix for half of them, or from a corpus entry that earlier
// sequences of the same shard left (corpus.go); reduction is bounded by a
// number of replays, not by time.

// SearchOptions configure Search.
type SearchOptions struct {
	Profile model.Profile
	// Seed picks the sequences; Sequences is how many the whole run draws.
	Seed      uint64
	Sequences int
	// Shard and Shards split the run: this shard draws the sequences whose
	// index i (from 0) has i % Shards == Shard. Shards 0 or 1: all. Each
	// shard keeps its own corpus, so a sequence that starts from a corpus
	// entry may differ from the one an unsharded run draws.
	Shard, Shards int
	// Each sequence draws a length in [MinCalls, MaxCalls].
	MinCalls, MaxCalls int
	Limits             Limits
	// Window is how many calls may be in flight on a pipelining target.
	Window int
	// MaxFindings stops the search after that many findings. A
	// divergence that does not reproduce alone (Unconfirmed, a timeout
	// aside) counts as one: it fails the run too, and each costs a
	// reduction, so a target that diverges that way in every sequence
	// ends the search as soon as one with findings would.
	MaxFindings int
	// ReduceBudget bounds the replays spent reducing one finding;
	// HangBudget bounds those of them that may hang (each costs the
	// target's timeout).
	ReduceBudget, HangBudget int
	// Known, when set, names rules whose divergences are expected (sesslife
	// check --expect): they are counted in SearchReport.Known, not reduced.
	Known func(model.Rule) bool
	// OnProgress, when set, is called as each sequence starts and as
	// reduction goes on.
	OnProgress func(Progress)
	// OnFinding, when set, is called with each finding as soon as it is
	// reduced and verified.
	OnFinding func(Finding)
}

// DefaultSearchOptions checks the openssl-3.0 profile with 1,000 sequences
// of 50 to 100 calls.
func DefaultSearchOptions() SearchOptions {
	return SearchOptions{Profile: model.OpenSSL30(), Seed: 1, Sequences: 1000, MinCalls: 50, MaxCalls: 100,
		Limits: DefaultLimits(), Window: DefaultWindow, MaxFindings: 8, ReduceBudget: 1500, HangBudget: 8}
}

// Phase says what a search is doing.
type Phase string

// The phases of a search.
const (
	Searching Phase = "searching"
	Reducing  Phase = "reducing"
	Verifying Phase = "verifying"
)

// Progress is where a search stands.
type Progress struct {
	Phase Phase
	// Done sequences of Total (this shard's), Calls made while searching.
	Done, Total, Calls int
	// While reducing: the rule, the replays so far and the budget, and the
	// length of the reproducer so far.
	Rule          model.Rule
	Tries, Budget int
	Length        int
}

// Finding is one rule a target broke, with its minimal reproducer.
type Finding struct {
	Rule model.Rule
	// Divergence is the reduced reproducer as a fresh target ran it.
	Divergence *Divergence
	// Sequence is the index of the sequence that found it, Found the length
	// of the sequence when found.
	Sequence, Found int
	// Replays is how many sequences reduction ran; Minimal is false when
	// its budget ran out before a pass changed nothing.
	Replays int
	Minimal bool
	// Corrupting: the target crashed or hung on the reproducer, or while
	// discarding the universe after it. Its memory may be corrupt, so what
	// it does afterwards is not to be trusted: the search stops here.
	Corrupting bool
}

// SearchReport is what a search did and found.
type SearchReport struct {
	// Sequences drawn and calls made while searching (replays not
	// counted), Replays run while reducing and verifying.
	Sequences, Calls, Replays int
	Coverage                  *Coverage
	Findings                  []Finding
	// Known counts the sequences that diverged under an expected rule, or
	// under a rule already found.
	Known map[model.Rule]int
	// Unconfirmed lists divergences that did not reproduce on a fresh
	// target (the consequence of an earlier corruption of the target's
	// state, for instance), with the rule they were seen under.
	Unconfirmed []Unconfirmed
	// Interrupted: the context was cancelled before the search ended.
	Interrupted bool
	// Quit is the target's failure when it was closed at the end of a run
	// without findings: a shim that crashed or exited non-zero after quit
	// (docs/protocol.md §1). Its last sequence was QuitAfter (from 0).
	Quit      error
	QuitAfter int
}

// Unconfirmed is a divergence whose reduced calls, run alone on a fresh
// target, did not diverge again: what the target did there depended on
// the sequences it had run before (a crash after an earlier double free,
// state a reset left behind).
type Unconfirmed struct {
	// Sequence is the index (from 0) of the sequence it was seen in: a
	// run of Sequence+1 sequences with the same seed reaches it again.
	Sequence int
	*Divergence
}

// seqSource is the generator of one sequence: a PCG seeded by the run's
// seed and the sequence's index, so that any sequence can be drawn alone.
type seqSource struct{ r *rand.Rand }

func newSeqSource(seed uint64, i int) seqSource {
	return seqSource{rand.New(rand.NewPCG(seed, uint64(i)*0x9e3779b97f4a7c15+1))}
}

func (s seqSource) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	return s.r.IntN(n)
}

// Search runs a search on targets made by open: one for the search, a
// fresh one to confirm each finding, and a fresh one again after each
// finding (whatever the finding did to the old one's state is gone). It
// returns the report so far and ctx's error when ctx is cancelled, and an
// error when a target cannot be made.
func Search(ctx context.Context, open target.Factory, opts SearchOptions) (*SearchReport, error) {
	s := &searcher{opts: opts, open: open, rep: &SearchReport{Coverage: &Coverage{}, Known: map[model.Rule]int{}},
		found: map[model.Rule]bool{}, marathons: opts.Profile.AutoFlushMask != 0}
	defer s.close()
	err := s.run(ctx)
	if ctx.Err() != nil {
		s.rep.Interrupted = true
		err = ctx.Err()
	}
	if err == nil && len(s.rep.Findings) == 0 && s.tgt != nil {
		// A clean run ends with the target told to quit: how it ends is
		// observed too (a crash in its last frees, a non-zero exit).
		t := s.tgt
		s.tgt = nil
		if qerr := t.Close(); qerr != nil {
			s.rep.Quit, s.rep.QuitAfter = qerr, s.last
		}
	}
	return s.rep, err
}

type searcher struct {
	opts  SearchOptions
	open  target.Factory
	tgt   target.Target
	rep   *SearchReport
	found map[model.Rule]bool
	total int
	// corrupt: a finding crashed or hung the target (Finding.Corrupting).
	corrupt bool
	// corpus keeps sequences that made rare rules fire (corpus.go).
	corpus corpus
	// marathons: the profile flushes its caches every so many handshakes,
	// which only a marathon reaches (AUTO-EVERY-256, BORING-AUTO-FLUSH-255).
	marathons bool
	// drawer draws the calls of every sequence, keeping its memory.
	drawer Drawer
	// last is the index of the last sequence run.
	last int
}

func (s *searcher) close() {
	if s.tgt != nil {
		_ = s.tgt.Close()
		s.tgt = nil
	}
}

func (s *searcher) fresh() error {
	s.close()
	t, err := s.open()
	if err != nil {
		return fmt.Errorf("sesslife: starting the target: %w", err)
	}
	s.tgt = t
	return nil
}

func (s *searcher) progress(p Progress) {
	if s.opts.OnProgress != nil {
		p.Done, p.Total, p.Calls = s.rep.Sequences, s.total, s.rep.Calls
		s.opts.OnProgress(p)
	}
}

func (s *searcher) run(ctx context.Context) error {
	shards, shard := max(s.opts.Shards, 1), s.opts.Shard
	for i := shard; i < s.opts.Sequences; i += shards {
		s.total++
	}
	if err := s.fresh(); err != nil {
		return err
	}
	for i := shard; i < s.opts.Sequences; i += shards {
		if ctx.Err() != nil || s.failures() >= max(s.opts.MaxFindings, 1) || s.corrupt {
			return nil
		}
		s.progress(Progress{Phase: Searching})
		s.last = i
		d, err := s.sequence(ctx, i)
		if err != nil || d == nil {
			if err != nil && ctx.Err() == nil {
				return err
			}
			continue
		}
		if s.diverged(ctx, i, d) && ctx.Err() == nil {
			// Whatever the new finding did to the target's state is gone
			// with a fresh one; a known rule's divergence needs only the
			// next sequence's Reset.
			if err := s.fresh(); err != nil {
				return err
			}
		}
	}
	return nil
}

// plan decides how sequence i draws its calls: its length, its source of
// choices (fresh, or replaying a corpus entry's prefix) and its mix (a
// swarm mix for about half the fresh sequences, a resumption drill for 6 in
// 64, a marathon for 1 in 64, the plain one for the rest).
func (s *searcher) plan(i int) (int, *recorder, *Mix, Limits) {
	src := newSeqSource(s.opts.Seed, i)
	n := s.opts.MinCalls + src.Intn(s.opts.MaxCalls-s.opts.MinCalls+1)
	if live := s.corpus.live(s.rep.Coverage); len(live) > 0 && src.Intn(4) == 0 {
		e := live[src.Intn(len(live))]
		cut := e.cut + src.Intn(len(e.choices)-e.cut+1)
		return max(n, e.calls), &recorder{src: &replayer{prefix: e.choices[:cut], rest: src}}, e.mix, e.limits
	}
	switch r := src.Intn(64); {
	case r == 0 && s.marathons:
		// A marathon now and then: the rules that need hundreds of
		// handshakes on one SSL_CTX.
		return marathonCalls, &recorder{src: src}, MarathonMix(src), marathonLimits
	case r < 32:
		return n, &recorder{src: src}, DrawMix(src), s.opts.Limits
	case r < 38:
		// A resumption drill now and then: the rare stateful TLS 1.3
		// resumption paths.
		return n, &recorder{src: src}, DrillMix(src), drillLimits
	}
	return n, &recorder{src: src}, &defaultMix, s.opts.Limits
}

// sequence draws and runs sequence i; it returns its divergence, if any.
func (s *searcher) sequence(ctx context.Context, i int) (*Divergence, error) {
	n, rec, mix, lim := s.plan(i)
	ls, err := NewLockstep(ctx, s.tgt, s.opts.Profile)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A target that cannot even start a sequence is a finding of the
		// previous one's kind only if it reproduces; start afresh.
		if err := s.fresh(); err != nil {
			return nil, err
		}
		if ls, err = NewLockstep(ctx, s.tgt, s.opts.Profile); err != nil {
			return nil, err
		}
	}
	ls.SetWindow(s.opts.Window)
	s.rep.Sequences++
	cov := s.rep.Coverage
	cov.StartSequence()
	keep := corpusEntry{mix: mix, limits: lim, calls: n}
	for k := 0; k < n; k++ {
		op := s.drawer.Draw(rec, ls.Model(), ls.Supports, lim, mix)
		err = ls.Do(ctx, op)
		var d *Divergence
		if err != nil && !errors.As(err, &d) {
			break // the model refused the call: nothing was applied
		}
		s.rep.Calls++
		cov.Add(ls.Model(), op, ls.Last().Want)
		if err != nil {
			break
		}
		for _, r := range ls.Model().Fired().Rules() {
			if cov.Fires[r] <= rareFires && (keep.rule == model.RuleNone || cov.Fires[r] < cov.Fires[keep.rule]) {
				keep.rule, keep.cut = r, len(rec.choices)
			}
		}
	}
	if err == nil {
		err = ls.Finish(ctx)
	}
	if err == nil && keep.rule != model.RuleNone {
		keep.choices = rec.choices
		s.corpus.add(keep)
	}
	var d *Divergence
	switch {
	case err == nil:
		return nil, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.As(err, &d):
		return d, nil
	}
	return nil, err
}

// failures counts what fails the run so far: the findings and the
// divergences that did not reproduce alone, timeouts aside (a loaded
// machine can cause those).
func (s *searcher) failures() int {
	n := len(s.rep.Findings)
	for _, u := range s.rep.Unconfirmed {
		if u.Rule != model.RuleHang {
			n++
		}
	}
	return n
}

// diverged handles sequence i's divergence d: a known rule is counted; a
// new one is reduced, confirmed on a fresh target and reported. It reports
// whether d was a new rule (the target has been used for reduction since).
func (s *searcher) diverged(ctx context.Context, i int, d *Divergence) bool {
	r := d.Rule
	if s.found[r] || (s.opts.Known != nil && s.opts.Known(r)) {
		s.rep.Known[r]++
		return false
	}
	red := s.reduce(ctx, d)
	if ctx.Err() != nil {
		return true
	}
	s.progress(Progress{Phase: Verifying, Rule: r, Length: len(red.Ops)})
	final, corrupting := s.confirm(ctx, red.Ops, r)
	s.rep.Replays++
	if final == nil && ctx.Err() == nil {
		// The reduction ran on the search's target, which had run
		// earlier sequences: it may have kept calls that diverge only
		// after them. If the whole sequence diverges on a fresh target,
		// reduce it again on fresh targets alone.
		red, final, corrupting = s.reduceFresh(ctx, d)
	}
	if final == nil {
		if ctx.Err() == nil {
			s.rep.Unconfirmed = append(s.rep.Unconfirmed, Unconfirmed{Sequence: i, Divergence: d})
		}
		return true
	}
	s.found[r] = true
	s.corrupt = corrupting
	f := Finding{Rule: r, Divergence: final, Sequence: i, Found: len(d.Trail), Replays: red.Tries, Minimal: red.Minimal,
		Corrupting: corrupting}
	s.rep.Findings = append(s.rep.Findings, f)
	if s.opts.OnFinding != nil {
		s.opts.OnFinding(f)
	}
	return true
}

// reduce shrinks d's calls while they still diverge under d's rule on the
// search's target.
func (s *searcher) reduce(ctx context.Context, d *Divergence) Reduction {
	return s.reduceOn(ctx, d, func(ops []model.Op) *Divergence { return s.runOn(ctx, s.tgt, ops) })
}

// reduceOn shrinks d's calls while run, which runs calls on a target,
// still diverges under d's rule, with the search's budgets and progress.
func (s *searcher) reduceOn(ctx context.Context, d *Divergence, run func([]model.Op) *Divergence) Reduction {
	r, hangs := d.Rule, 0
	budget, tried := s.opts.ReduceBudget, 0
	fails := func(ops []model.Op) bool {
		tried++
		s.progress(Progress{Phase: Reducing, Rule: r, Tries: tried, Budget: budget, Length: len(ops)})
		if ctx.Err() != nil || (r == model.RuleHang && hangs >= s.opts.HangBudget) {
			return false
		}
		s.rep.Replays++
		got := run(ops)
		if got != nil && got.Rule == model.RuleHang {
			hangs++
		}
		return got != nil && got.Rule == r
	}
	return Reduce(d.Ops(), s.opts.Profile, fails, budget)
}

// reduceFresh is the reduction of d when its reduction on the search's
// target did not confirm: d's whole sequence runs on a fresh target, and
// if it diverges there under d's rule, it is reduced with a fresh target
// for every try (dearer, and rare) and confirmed again. It returns nil
// when the whole sequence does not diverge alone either.
func (s *searcher) reduceFresh(ctx context.Context, d *Divergence) (Reduction, *Divergence, bool) {
	r := d.Rule
	if r == model.RuleHang {
		// A timeout that did not recur is most likely the machine's
		// load; reducing it with a fresh target a try could take a
		// timeout a try.
		return Reduction{}, nil, false
	}
	s.rep.Replays++
	if whole, _ := s.confirm(ctx, d.Ops(), r); whole == nil {
		return Reduction{}, nil, false
	}
	red := s.reduceOn(ctx, d, func(ops []model.Op) *Divergence {
		t, err := s.open()
		if err != nil {
			return nil
		}
		defer t.Close()
		return s.runOn(ctx, t, ops)
	})
	s.rep.Replays++
	final, corrupting := s.confirm(ctx, red.Ops, r)
	return red, final, corrupting
}

// confirm runs ops on a fresh target and returns its divergence when it is
// one under rule r, and whether the target crashed or hung on it or while
// discarding the universe after it.
func (s *searcher) confirm(ctx context.Context, ops []model.Op, r model.Rule) (*Divergence, bool) {
	t, err := s.open()
	if err != nil {
		return nil, false
	}
	defer t.Close()
	d := s.runOn(ctx, t, ops)
	if d == nil || d.Rule != r {
		return nil, false
	}
	if d.Rule == model.RuleCrash || d.Rule == model.RuleHang {
		return d, true
	}
	err = t.Reset(ctx)
	return d, errors.Is(err, target.ErrCrashed) || errors.Is(err, target.ErrHung)
}

// runOn runs ops on t in lockstep and returns the divergence, if any.
func (s *searcher) runOn(ctx context.Context, t target.Target, ops []model.Op) *Divergence {
	err := RunOps(ctx, t, s.opts.Profile, ops, s.opts.Window)
	var d *Divergence
	if errors.As(err, &d) {
		return d
	}
	return nil
}
