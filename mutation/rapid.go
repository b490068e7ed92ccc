package mutation

// RapidSeed and RapidChecks are the seed and the budget (sequences of
// 50..100 calls) with which TestRapidKillsSequentialMutants runs rapid on
// every sequential mutant; docs/mutants.md's rapid column states them.
const (
	RapidSeed   = 20261124
	RapidChecks = 3000
)
