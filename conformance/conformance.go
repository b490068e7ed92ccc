// Package conformance is the one-call entry point for Go implementers and
// binding authors: it checks any [target.Target] against the sesslife model
// from inside their own tests, in the style of testing/fstest and
// nettest.TestConn.
//
// Typical usage:
//
//	func TestSessionLifetimes(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) target.Target { return mylib.NewTarget() })
//	}
//
// Run reports each check as a subtest named after what it checks
// (lockstep/openssl-3.0/rapid-random-sequences, ...), so the subtest names
// are the checklist (see [Run]). Failures read as got/want lines after the shrunk call
// sequence that reproduces them. Like nettest, the checks have no false
// positives against a correct implementation of the profile, and may miss
// bugs that random sequences do not reach: run them under the race
// detector, and with more checks (-rapid.checks) in CI.
package conformance

import (
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"
	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// Option adjusts a Run.
type Option func(*config)

type config struct {
	profile  model.Profile
	minCalls int
	maxCalls int
	runs     int
	seed     int64
}

// WithProfile checks against another model profile than openssl-3.0.
func WithProfile(p model.Profile) Option { return func(c *config) { c.profile = p } }

// WithCalls sets the length range of each random sequence.
func WithCalls(min, max int) Option {
	return func(c *config) { c.minCalls, c.maxCalls = min, max }
}

// WithCommandRuns sets how many sequences the gopter engine runs (rapid's
// count comes from -rapid.checks).
func WithCommandRuns(n int) Option { return func(c *config) { c.runs = n } }

// WithSeed fixes the gopter engine's seed (rapid's comes from -rapid.seed).
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// Run checks the targets newTarget makes against the model. Each check is
// a subtest named after what it checks; each gets a fresh target and closes
// it at the end. PROFILE is the model profile (openssl-3.0 unless
// WithProfile says otherwise). The checklist:
//
//   - lockstep/PROFILE/rapid-random-sequences: rapid draws legal call
//     sequences and runs each on the model and the target in lockstep; every
//     result, event and observation must agree. A failure is shrunk call by
//     call and saved for replay (-rapid.checks sequences).
//   - lockstep/PROFILE/gopter-command-sequences: the same agreement on
//     sequences drawn and shrunk by gopter's commands engine, which removes
//     whole calls (WithCommandRuns sequences, WithSeed). Its report goes
//     through t.Log.
func Run(t *testing.T, newTarget func(t *testing.T) target.Target, opts ...Option) {
	t.Helper()
	c := config{profile: model.OpenSSL30(), minCalls: 20, maxCalls: 80, runs: 100, seed: 1}
	for _, o := range opts {
		o(&c)
	}
	popts := properties.DefaultOptions()
	popts.Profile, popts.MinCalls, popts.MaxCalls = c.profile, c.minCalls, c.maxCalls

	t.Run("lockstep", func(t *testing.T) {
		t.Run(c.profile.Name, func(t *testing.T) {
			t.Run("rapid-random-sequences", func(t *testing.T) {
				tgt := newTarget(t)
				defer tgt.Close()
				rapid.Check(t, properties.RapidProp(tgt, popts))
			})
			t.Run("gopter-command-sequences", func(t *testing.T) {
				tgt := newTarget(t)
				defer tgt.Close()
				params := gopter.DefaultTestParametersWithSeed(c.seed)
				params.MinSuccessfulTests = c.runs
				params.MaxSize = c.maxCalls
				props := gopter.NewProperties(params)
				props.Property("model and "+tgt.Info().Name+" agree", commands.Prop(properties.GopterCommands(tgt, popts)))
				props.TestingRun(t, properties.GopterReporter(t))
			})
		})
	})
}
