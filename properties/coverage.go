package properties

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Coverage counts what a run exercised: sequences, calls by kind, how often
// each rule of docs/spec.md fired (in how many calls the model applied it)
// and in which sequence it fired first, and the outcomes the calls had
// (each return value class and each event kind, per call kind).
type Coverage struct {
	Sequences int
	Calls     int
	ByKind    map[model.Kind]int
	// Fires counts, per rule, the calls in which the model applied it.
	Fires map[model.Rule]int
	// First holds, per rule, the sequence (counted from 1) in which it
	// first fired.
	First map[model.Rule]int
	// Outcomes counts what calls did, keyed "KIND -> CLASS" (for example
	// "SSL_CTX_add_session -> 0", "handshake -> remove_cb").
	Outcomes map[string]int
}

// StartSequence counts a new sequence.
func (c *Coverage) StartSequence() { c.Sequences++ }

// AddKind counts a call of kind k (for engines that do not step the model
// themselves).
func (c *Coverage) AddKind(k model.Kind) {
	if c.ByKind == nil {
		c.ByKind = map[model.Kind]int{}
	}
	c.Calls++
	c.ByKind[k]++
}

// Add counts op, which the model st has just applied with result res: the
// call, the rules it fired and its outcome.
func (c *Coverage) Add(st *model.State, op model.Op, res model.Result) {
	c.AddKind(op.Kind)
	if c.Fires == nil {
		c.Fires, c.First, c.Outcomes = map[model.Rule]int{}, map[model.Rule]int{}, map[string]int{}
	}
	for _, r := range st.Fired().Rules() {
		c.Fires[r]++
		if _, ok := c.First[r]; !ok {
			c.First[r] = c.Sequences
		}
	}
	c.Outcomes[op.Kind.String()+" -> "+retClass(op.Kind, res.Ret)]++
	for _, e := range res.Events {
		c.Outcomes[op.Kind.String()+" -> "+e.Kind.String()]++
	}
}

// retClass buckets a return value: a session or NULL, the sign of a number.
func retClass(k model.Kind, ret int64) string {
	switch k {
	case model.Get0, model.Get1:
		if ret == 0 {
			return "NULL"
		}
		return "session"
	case model.GetTime, model.GetTimeout, model.SetTime, model.CtxSetTimeout, model.SetCacheSize,
		model.SessNumber, model.SessHits, model.SessMisses, model.SessTimeouts, model.SessCacheFull,
		model.SessConnect, model.SessConnectGood, model.SessAccept, model.SessAcceptGood, model.SessCbHits:
		if ret > 0 {
			return ">0"
		}
	}
	return model.FormatRet(k, ret)
}

// Merge adds the counts of o (another shard of the same run); First keeps
// the earlier sequence.
func (c *Coverage) Merge(o *Coverage) {
	c.Sequences += o.Sequences
	for k, n := range o.ByKind {
		if c.ByKind == nil {
			c.ByKind = map[model.Kind]int{}
		}
		c.ByKind[k] += n
		c.Calls += n
	}
	if c.Fires == nil {
		c.Fires, c.First, c.Outcomes = map[model.Rule]int{}, map[model.Rule]int{}, map[string]int{}
	}
	for r, n := range o.Fires {
		c.Fires[r] += n
	}
	for r, s := range o.First {
		if f, ok := c.First[r]; !ok || s < f {
			c.First[r] = s
		}
	}
	for k, n := range o.Outcomes {
		c.Outcomes[k] += n
	}
}

// Exercised returns how many of the rules in set fired at least once.
func (c *Coverage) Exercised(set []model.Rule) int {
	n := 0
	for _, r := range set {
		if c.Fires[r] > 0 {
			n++
		}
	}
	return n
}

// Rare returns the rules of set that fired fewer than min times, in the
// spec's order.
func (c *Coverage) Rare(set []model.Rule, min int) []model.Rule {
	var out []model.Rule
	for _, r := range set {
		if c.Fires[r] < min {
			out = append(out, r)
		}
	}
	return out
}

// Checkable says which calls a run against a target under a profile can
// make: those the target supports and the profile does not leave out.
func Checkable(info target.Info, p model.Profile) func(model.Kind) bool {
	return func(k model.Kind) bool { return info.Supports(k) && !p.LeavesOut(k) }
}

// Missing returns the supported call kinds never made, by name.
func (c *Coverage) Missing(supports func(model.Kind) bool) []string {
	var out []string
	for _, k := range model.Kinds() {
		if supports(k) && c.ByKind[k] == 0 {
			out = append(out, k.String())
		}
	}
	return out
}

// String summarises the run in one paragraph.
func (c *Coverage) String() string {
	var parts []string
	for k, n := range c.ByKind {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(parts)
	s := fmt.Sprintf("%d sequences, %d calls (%s)", c.Sequences, c.Calls, strings.Join(parts, " "))
	if len(c.Fires) > 0 {
		s += fmt.Sprintf(", %d rules fired", len(c.Fires))
	}
	return s
}
