// Package mutation is the mutant kill table: it runs checking engines
// against the mutants of the reference simulator (package impl/mutants) and
// says which engine kills which, with a markdown rendering (docs/mutants.md)
// and a staleness check for it. `sesslife mutants` is a thin command over
// it.
//
// Everything the table says depends only on the seed and the budgets, never
// on the machine's speed: every budget is a count (sequences, inputs, runs,
// replays), never a duration, and nothing is abandoned on a deadline. The
// sequential engines are deterministic, so their rows are the same on every
// run. The concurrent engines are not (goroutines interleave as the
// scheduler pleases), so each concurrent mutant runs only under the engine
// that is meant to catch it, until that engine kills it or its budget of
// runs is spent; a linearizability check that cannot decide (its memory
// budget ran out) is not a verdict and is retried on a fresh history
// (docs/mutants.md says how often that was needed: never, in our runs).
//
// The engines: the search (properties.Search, the engine of `sesslife
// check`), on several seeds, reporting the sequences each needed; gopter's
// command sequences; the fuzz decoder (fuzz.Decode on seeded random bytes,
// shrunk with fuzz.ShrinkBytes and properties.Reduce); the linearizability
// runner and checker; and the race detector, in a child process built with
// -race. rapid needs a *testing.T and reads its settings from the standard
// flag set, so its column comes from a test (TestRapidKillsSequentialMutants)
// rather than from a run of the table.
package mutation
