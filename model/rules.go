package model

//go:generate go run ./internal/genrules/cmd ../docs/spec.md rules_gen.go
//go:generate go run ./internal/genfindings/cmd ../docs/findings.md ../docs/scenarios/findings

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// Rule names one rule of docs/spec.md. Every rule id is written once, in
// its row of the spec; rules_gen.go turns the rows into constants
// (RuleHS12ResumeID for HS12-RESUME-ID). The zero value, RuleNone, names
// no rule.
type Rule uint16

// RuleInfo is a rule's row of docs/spec.md: its id, the section it is in,
// and its statement (markdown).
type RuleInfo struct {
	ID        string
	Family    string
	Statement string
	// Unreachable, when set, says why random generation cannot make the
	// rule fire (docs/spec.md, "Rules generation cannot reach").
	Unreachable string
}

// String returns the rule's id as docs/spec.md writes it, e.g.
// "EVICT-EVENTS".
func (r Rule) String() string {
	if r == RuleNone {
		return "none"
	}
	if r < ruleCount {
		return ruleTable[r].ID
	}
	return fmt.Sprintf("Rule(%d)", uint16(r))
}

// Info returns the rule's row of docs/spec.md.
func (r Rule) Info() RuleInfo {
	if r > RuleNone && r < ruleCount {
		return ruleTable[r]
	}
	return RuleInfo{ID: r.String()}
}

// profileOwn reports whether r is one of a profile's own rules (its
// section of docs/spec.md is a profile's, e.g. "wolfSSL 5.5 profile").
func (r Rule) profileOwn() bool { return strings.Contains(r.Info().Family, " profile (") }

// MarshalText writes the rule id, so that JSON reports carry "EVICT-EVENTS".
func (r Rule) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a rule id of docs/spec.md.
func (r *Rule) UnmarshalText(b []byte) error {
	v, ok := ParseRule(string(b))
	if !ok {
		return fmt.Errorf("model: %q is not a rule id of docs/spec.md", b)
	}
	*r = v
	return nil
}

// ParseRule returns the rule with the given id ("none" is RuleNone).
func ParseRule(id string) (Rule, bool) {
	if id == "none" {
		return RuleNone, true
	}
	for r := RuleNone + 1; r < ruleCount; r++ {
		if ruleTable[r].ID == id {
			return r, true
		}
	}
	return RuleNone, false
}

// Rules returns every rule of docs/spec.md, in the spec's order.
func Rules() []Rule {
	out := make([]Rule, 0, ruleCount-1)
	for r := RuleNone + 1; r < ruleCount; r++ {
		out = append(out, r)
	}
	return out
}

// GenerableRules returns the rules a random sequence of legal calls can
// make the model apply under profile p: every rule of the model's step
// semantics that p applies (its own and the OpenSSL rules it keeps; see
// Profile.Status), without the undefined-behaviour rules (generators never
// make such calls), the concurrency rules, the harness outcomes and the
// rules docs/spec.md marks as unreachable by generation.
func GenerableRules(p Profile) []Rule {
	var out []Rule
	differs := p.differing()
	for r := RuleNone + 1; r < ruleCount; r++ {
		info := ruleTable[r]
		if info.Unreachable != "" || !p.covers(info.Family) || differs.Has(r) || !p.reaches(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// covers reports whether rules of family apply to random sequences of a
// universe of profile p.
func (p Profile) covers(family string) bool {
	for _, prefix := range []string{"Undefined behaviour", "Concurrency", "Harness outcomes"} {
		if strings.HasPrefix(family, prefix) {
			return false
		}
	}
	return true
}

// RuleSet is a set of rules, cheap to fill on every call.
type RuleSet struct{ w [(ruleCount + 63) / 64]uint64 }

// Add puts r in the set.
func (s *RuleSet) Add(r Rule) { s.w[r/64] |= 1 << (r % 64) }

// Has reports whether r is in the set.
func (s RuleSet) Has(r Rule) bool { return s.w[r/64]&(1<<(r%64)) != 0 }

// Union adds every rule of o.
func (s *RuleSet) Union(o RuleSet) {
	for i := range s.w {
		s.w[i] |= o.w[i]
	}
}

// Len returns how many rules the set holds.
func (s RuleSet) Len() int {
	n := 0
	for _, w := range s.w {
		n += bits.OnesCount64(w)
	}
	return n
}

// Rules returns the set's rules in the spec's order.
func (s RuleSet) Rules() []Rule {
	var out []Rule
	for i, w := range s.w {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, Rule(i*64+b))
			w &^= 1 << b
		}
	}
	return out
}

// Violation is the error Step returns for a call that is undefined
// behaviour. The state is unchanged. Rule is one of the UB rules of
// docs/spec.md.
type Violation struct {
	Rule   Rule
	Op     Op
	Detail string
}

// Error names the rule, the call and why.
func (v *Violation) Error() string {
	return fmt.Sprintf("%s: %s: %s", v.Rule, v.Op, v.Detail)
}

// ErrUnmodelled is wrapped by the error Step returns for a legal call that
// the model does not claim to know the outcome of (for example a second
// handshake on an SSL without SSL_clear). Generators avoid such calls.
var ErrUnmodelled = errors.New("not modelled")

func violation(rule Rule, op Op, format string, args ...any) error {
	return &Violation{Rule: rule, Op: op, Detail: fmt.Sprintf(format, args...)}
}

func unmodelled(op Op, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", op, ErrUnmodelled, fmt.Sprintf(format, args...))
}
