package trace

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/sesslife/sesslife/model"
)

// Schema names the JSON report's format (docs/trace.md).
const Schema = "sesslife-trace/1"

// Counts is what the recorder saw the application do: a clean verdict is a
// verdict only when these are not zero.
type Counts struct {
	// Calls counts the application's session calls by function.
	Calls map[string]int `json:"calls"`
	// Callbacks counts the cache callbacks run, by kind (new, remove, get).
	Callbacks map[string]int `json:"callbacks"`
	// Events counts the other records: born and dead sessions, hs
	// (handshakes completed or failed; resumed counts those that resumed),
	// newsess (tickets read), fork, exit.
	Events map[string]int `json:"events"`
	// Unknown lists functions the checker knows only as taking a session.
	Unknown []string `json:"unknown,omitempty"`
	// NoExit lists processes whose trace ends without an exit (killed or
	// exec'd): their leaks are not checked.
	NoExit []int `json:"no_exit,omitempty"`
	// CutUnchecked counts the uses, in those processes, of an address that
	// holds a session the trace never showed the application: not
	// reported, since a lost record may have shown it.
	CutUnchecked int `json:"cut_unchecked,omitempty"`
}

func (c *Counts) unknownSeen(fn string) bool { return slices.Contains(c.Unknown, fn) }

// SessionCalls is the number of session calls and callbacks the
// application made.
func (c Counts) SessionCalls() int {
	n := 0
	for _, v := range c.Calls {
		n += v
	}
	for _, v := range c.Callbacks {
		n += v
	}
	return n
}

// Step is one line of a session's history.
type Step struct {
	Seq  uint64 `json:"seq"`
	Pid  int    `json:"pid"`
	Tid  int    `json:"tid"`
	What string `json:"what"`
	Site *Site  `json:"site,omitempty"`
}

// Finding is one broken rule, with the line to fix and the history of the
// session it concerns.
type Finding struct {
	Rule model.Rule `json:"rule"`
	// Because names the rule that gave the application the reference a
	// leak is about (SEED-GET1-REF, CB-NEW-RET1, REF-UPREF), when there is one.
	Because model.Rule `json:"because,omitempty"`
	Kind    string     `json:"kind"`
	Message string     `json:"message"`
	Pid     int        `json:"pid"`
	Program string     `json:"program"`
	Seq     uint64     `json:"seq"`
	// Fix is the line to change.
	Fix Site `json:"fix"`
	// Skipped: the recorder did not forward the call (or repaired *copy),
	// so that the program could go on safely.
	Skipped bool `json:"skipped,omitempty"`
	// Session names the session (#N in the order the checker met them).
	Session string `json:"session,omitempty"`
	History []Step `json:"history,omitempty"`
	// More counts further findings of the same rule at the same line
	// (the same bug in a loop or in several processes).
	More int `json:"more,omitempty"`
}

// Process summarizes one traced process image.
type Process struct {
	Pid     int    `json:"pid"`
	PPid    int    `json:"ppid"`
	Forked  bool   `json:"forked,omitempty"`
	Program string `json:"program"`
	Records int    `json:"records"`
	Exited  bool   `json:"exited"`
	OpenSSL string `json:"openssl,omitempty"`
}

// Report is the outcome of checking one trace.
type Report struct {
	Schema    string    `json:"schema"`
	Command   []string  `json:"command,omitempty"`
	Status    *int      `json:"exit_status,omitempty"`
	Processes []Process `json:"processes"`
	Counts    Counts    `json:"counts"`
	Findings  []Finding `json:"findings"`
	Notes     []string  `json:"notes,omitempty"`
}

// Verdicts.
const (
	VerdictPass    = "PASS"
	VerdictFail    = "FAIL"
	VerdictNothing = "NOTHING SEEN"
)

// Verdict is FAIL with findings, NOTHING SEEN when the recorder saw no
// session call (a clean trace of nothing proves nothing), else PASS.
func (r *Report) Verdict() string {
	switch {
	case len(r.Findings) > 0:
		return VerdictFail
	case r.Counts.SessionCalls() == 0:
		return VerdictNothing
	}
	return VerdictPass
}

// Rules returns the rules of the findings, in order.
func (r *Report) Rules() []model.Rule {
	var out []model.Rule
	for _, f := range r.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func (c *checker) report() *Report {
	res := newResolver()
	rep := &Report{Schema: Schema, Counts: c.counts, Findings: []Finding{}}
	for _, s := range c.tr.Streams {
		rep.Processes = append(rep.Processes, Process{Pid: s.Start.Pid, PPid: s.Start.PPid, Forked: s.Start.Fork != 0,
			Program: s.Start.Exe, Records: len(s.Records), Exited: s.Exited, OpenSSL: s.Start.OpenSSL})
	}
	site := func(s *Stream, id uint32) *Site {
		rec, ok := s.Sites[id]
		if !ok {
			return nil
		}
		st := res.resolve(s, rec)
		return &st
	}
	slices.SortStableFunc(c.findings, func(a, b *finding) int { return cmp.Compare(a.seq, b.seq) })
	index := map[string]int{}
	for _, f := range c.findings {
		out := Finding{Rule: f.rule, Because: f.because, Kind: f.kind, Message: f.msg, Pid: f.s.Start.Pid,
			Program: f.s.Start.Exe, Seq: f.seq, Skipped: f.skipped}
		if fx := site(f.s, f.fix); fx != nil {
			out.Fix = *fx
		}
		key := fmt.Sprintf("%s|%s|%s", f.rule, out.Fix, f.kind)
		if i, ok := index[key]; ok {
			rep.Findings[i].More++
			continue
		}
		if f.sess != nil {
			out.Session = fmt.Sprintf("#%d (%#x)", f.sess.id, f.sess.ptr)
			hist := slices.Clone(f.sess.history)
			slices.SortStableFunc(hist, func(a, b step) int { return cmp.Compare(a.Seq, b.Seq) })
			for _, st := range hist {
				out.History = append(out.History, Step{Seq: st.Seq, Pid: f.s.Start.Pid, Tid: st.Tid, What: st.What, Site: site(f.s, st.site)})
			}
		}
		index[key] = len(rep.Findings)
		rep.Findings = append(rep.Findings, out)
	}
	if len(c.counts.NoExit) > 0 {
		note := fmt.Sprintf("processes %v ended without exit (killed, or replaced by exec): their leaks are not checked", c.counts.NoExit)
		if n := c.counts.CutUnchecked; n > 0 {
			note += fmt.Sprintf(", nor %d use(s) of an address holding a session their trace never showed them (the records of calls and callbacks still open when a process is killed are lost, and one may have handed it over)", n)
		}
		rep.Notes = append(rep.Notes, note)
	}
	return rep
}

// WriteText prints the report for a person: the counts, each finding with
// its rule, line to fix and history, and the verdict line last.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "sesslife trace: %d process(es), %d session calls and callbacks of the application\n", len(r.Processes), r.Counts.SessionCalls())
	for _, p := range r.Processes {
		how := "exited"
		if !p.Exited {
			how = "no exit recorded"
		}
		fmt.Fprintf(w, "  pid %d (parent %d) %s: %d records, %s\n", p.Pid, p.PPid, p.Program, p.Records, how)
	}
	fmt.Fprintf(w, "  calls: %s\n", countLine(r.Counts.Calls))
	if len(r.Counts.Callbacks) > 0 {
		fmt.Fprintf(w, "  callbacks: %s\n", countLine(r.Counts.Callbacks))
	}
	fmt.Fprintf(w, "  events: %s\n", countLine(r.Counts.Events))
	if len(r.Counts.Unknown) > 0 {
		fmt.Fprintf(w, "  calls known only as taking a session: %s\n", strings.Join(r.Counts.Unknown, ", "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for i, f := range r.Findings {
		fmt.Fprintf(w, "\nFINDING %d: %s (%s)\n", i+1, f.Rule, f.Kind)
		fmt.Fprintf(w, "  %s\n", f.Message)
		fmt.Fprintf(w, "  fix: %s  [pid %d, %s]\n", f.Fix, f.Pid, f.Program)
		if f.Because != model.RuleNone {
			fmt.Fprintf(w, "  the reference came with %s: %s\n", f.Because, f.Because.Info().Statement)
		}
		fmt.Fprintf(w, "  rule %s: %s\n", f.Rule, f.Rule.Info().Statement)
		if f.Skipped {
			fmt.Fprintf(w, "  the recorder did not forward this call, so that the program could go on (docs/trace.md)\n")
		}
		if f.More > 0 {
			fmt.Fprintf(w, "  and %d more time(s) at the same line\n", f.More)
		}
		if len(f.History) > 0 {
			fmt.Fprintf(w, "  history of session %s:\n", f.Session)
			for _, st := range f.History {
				at := ""
				if st.Site != nil {
					at = "  at " + st.Site.String()
				}
				fmt.Fprintf(w, "    seq %-6d tid %-7d %s%s\n", st.Seq, st.Tid, st.What, at)
			}
		}
	}
	cut := ""
	if n := len(r.Counts.NoExit); n > 0 {
		cut = fmt.Sprintf("; %d process(es) without an exit, whose traces may be incomplete (see the note)", n)
	}
	fmt.Fprintf(w, "\nsesslife: %s: %d finding(s) in %d session calls and callbacks (%d handshakes, %d sessions created%s)\n",
		r.Verdict(), len(r.Findings), r.Counts.SessionCalls(), r.Counts.Events["hs"], r.Counts.Events["born"], cut)
}

func countLine(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
