package properties

import (
	"context"
	"errors"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// leftBehind is a library whose reset leaves something behind: after
// more than staleAfter resets of its process, or beyond call longAfter of
// a sequence, it stops reporting remove_cb.
type leftBehind struct {
	modelTarget
	resets, calls         int
	staleAfter, longAfter int
}

func (l *leftBehind) Reset(ctx context.Context) error {
	l.resets++
	l.calls = 0
	return l.modelTarget.Reset(ctx)
}

func (l *leftBehind) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	l.calls++
	r, err := l.modelTarget.Apply(ctx, op)
	if l.resets > l.staleAfter || l.calls > l.longAfter {
		var keep []model.Event
		for _, e := range r.Events {
			if e.Kind != model.EvRemove {
				keep = append(keep, e)
			}
		}
		r.Events = keep
	}
	return r, err
}

func leftBehindFactory(staleAfter, longAfter int) target.Factory {
	return func() (target.Target, error) {
		return &leftBehind{modelTarget: modelTarget{s: model.New(model.OpenSSL30())}, staleAfter: staleAfter, longAfter: longAfter}, nil
	}
}

// TestDivergenceOnlyAfterEarlierSequences: a divergence that shows only
// on a target that ran earlier sequences is not a finding (there is no
// reproducer of its own) but is listed as unconfirmed, which fails a
// check (cmd/sesslife); one whose reduction on the used target does not
// confirm, but whose whole sequence diverges on a fresh target, is reduced
// again on fresh targets and reported with a reproducer that diverges
// alone.
func TestDivergenceOnlyAfterEarlierSequences(t *testing.T) {
	t.Run("stale", func(t *testing.T) {
		opts := searchOptions(3)
		opts.Sequences = 60
		rep, err := Search(context.Background(), leftBehindFactory(3, 1<<30), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 0 || len(rep.Unconfirmed) == 0 {
			t.Fatalf("%d findings, %d unconfirmed; want none and some", len(rep.Findings), len(rep.Unconfirmed))
		}
		for _, u := range rep.Unconfirmed {
			fresh, _ := leftBehindFactory(3, 1<<30)()
			if err := RunOps(context.Background(), fresh, model.OpenSSL30(), u.Ops(), 1); err != nil {
				t.Errorf("unconfirmed in sequence %d, but its calls diverge on a fresh target: %v", u.Sequence, err)
			}
		}
	})
	t.Run("capped", func(t *testing.T) {
		// Each fails the run as a finding does, so MaxFindings bounds them
		// too: the search stops instead of reducing every later one.
		opts := searchOptions(3)
		opts.Sequences, opts.MaxFindings = 60, 2
		rep, err := Search(context.Background(), leftBehindFactory(3, 1<<30), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Unconfirmed) != 2 || rep.Sequences >= opts.Sequences {
			t.Fatalf("%d unconfirmed in %d of %d sequences; want the search to stop at 2", len(rep.Unconfirmed), rep.Sequences, opts.Sequences)
		}
	})
	t.Run("long", func(t *testing.T) {
		const longAfter = 25
		opts := searchOptions(3)
		rep, err := Search(context.Background(), leftBehindFactory(3, longAfter), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 1 {
			t.Fatalf("%d findings (%d unconfirmed) in %d sequences, want 1", len(rep.Findings), len(rep.Unconfirmed), rep.Sequences)
		}
		f := rep.Findings[0]
		ops := f.Divergence.Ops()
		if len(ops) <= longAfter {
			t.Errorf("a reproducer of %d calls; the divergence needs more than %d:\n%v", len(ops), longAfter, f.Divergence)
		}
		fresh, _ := leftBehindFactory(3, longAfter)()
		var d *Divergence
		if err := RunOps(context.Background(), fresh, model.OpenSSL30(), ops, 1); !errors.As(err, &d) || d.Rule != f.Rule {
			t.Errorf("the reproducer does not diverge under %s on a fresh target: %v", f.Rule, err)
		}
	})
}
