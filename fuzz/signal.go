package fuzz

import "github.com/sesslife/sesslife/model"

//go:generate go run ./internal/gensignal/cmd signal_gen.go

// RuleHits counts, per rule of docs/spec.md, the inputs that made the
// model apply it. Its Signal turns those rules into code coverage the
// fuzzer sees: each rule has its own case in a generated switch
// (signal_gen.go), so an input that reaches a rule no earlier input
// reached covers a new block, and `go test -fuzz` (or libFuzzer) keeps it
// in its corpus. Rare rules, such as resumption after the cache was
// disturbed, are kept that way even when they run code that common rules
// also run. Each fuzz target owns one.
type RuleHits [1024]uint32

// Signal records the rules one input made the model apply.
func (h *RuleHits) Signal(rules model.RuleSet) {
	for _, r := range rules.Rules() {
		h.touch(r)
	}
}
