package properties

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// GopterCommands returns gopter's commands.Commands that check tgt against
// the model: a second engine, independent of rapid in how it generates
// sequences and shrinks them (gopter removes whole commands and re-checks
// their preconditions). Check it with commands.Prop.
func GopterCommands(tgt target.Target, opts Options) commands.Commands {
	return &commands.ProtoCommands{
		NewSystemUnderTestFunc: func(commands.State) commands.SystemUnderTest {
			if err := tgt.Reset(context.Background()); err != nil {
				return &resetFailure{err}
			}
			return tgt
		},
		InitialStateGen: func(*gopter.GenParameters) *gopter.GenResult {
			return gopter.NewGenResult(&gopterState{m: model.New(opts.Profile)}, gopter.NoShrinker)
		},
		InitialPreConditionFunc: func(commands.State) bool { return true },
		GenCommandFunc: func(s commands.State) gopter.Gen {
			st := s.(*gopterState)
			supports := tgt.Info().Supports
			return func(p *gopter.GenParameters) *gopter.GenResult {
				op := DrawOp(rngSource{p.Rng}, st.m, supports, opts.Limits)
				if opts.Coverage != nil {
					opts.Coverage.AddKind(op.Kind)
				}
				return gopter.NewGenResult(gopterCommand{op}, gopter.NoShrinker)
			}
		},
	}
}

// gopterState is the model after the commands so far, with the result the
// model gave for the last one (gopter's NextState returns only a state).
type gopterState struct {
	m    *model.State
	last model.Result
}

// gopterOutcome is what a command observed on the target.
type gopterOutcome struct {
	res model.Result
	obs model.Observation
	err error
}

type resetFailure struct{ err error }

type gopterCommand struct{ op model.Op }

func (c gopterCommand) Run(sut commands.SystemUnderTest) commands.Result {
	tgt, ok := sut.(target.Target)
	if !ok {
		return gopterOutcome{err: sut.(*resetFailure).err}
	}
	ctx := context.Background()
	res, err := tgt.Apply(ctx, c.op)
	if err != nil {
		return gopterOutcome{err: err}
	}
	obs, err := tgt.Observe(ctx)
	return gopterOutcome{res: res, obs: obs, err: err}
}

func (c gopterCommand) NextState(s commands.State) commands.State {
	st := s.(*gopterState)
	next := &gopterState{m: st.m.Clone()}
	next.last, _ = next.m.Step(c.op) // PreCondition has checked it is legal
	return next
}

// PreCondition keeps shrunk sequences legal: removing a command can make a
// later one refer to an object that no longer exists.
func (c gopterCommand) PreCondition(s commands.State) bool {
	return s.(*gopterState).m.Check(c.op) == nil
}

func (c gopterCommand) PostCondition(s commands.State, r commands.Result) *gopter.PropResult {
	st, out := s.(*gopterState), r.(gopterOutcome)
	switch {
	case out.err != nil:
		return &gopter.PropResult{Status: gopter.PropError, Error: out.err}
	case len(model.CompareResult(c.op, st.last, out.res)) > 0:
		return gopter.NewPropResult(false, "got "+out.res.Format(c.op)+", want "+st.last.Format(c.op))
	}
	if diffs := model.CompareObservation(st.m.Observe(), out.obs); len(diffs) > 0 {
		var lines []string
		for _, d := range diffs {
			lines = append(lines, d.String())
		}
		return gopter.NewPropResult(false, strings.Join(lines, "\n"))
	}
	return &gopter.PropResult{Status: gopter.PropTrue}
}

func (c gopterCommand) String() string { return c.op.String() }

// rngSource draws choices from gopter's random source.
type rngSource struct{ r *rand.Rand }

func (s rngSource) Intn(n int) int { return s.r.Intn(n) }

// GopterReporter returns a gopter reporter for Properties.TestingRun that
// writes each property's result through tb.Log: gopter's default reporter
// prints to standard output, where it mixes with the test binary's own
// output and shows even for a passing test run without -v.
func GopterReporter(tb testing.TB) gopter.Reporter {
	return gopter.NewFormatedReporter(true, 100, tbWriter{tb})
}

// tbWriter turns each write (gopter writes one result at a time) into one
// tb.Log call.
type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
