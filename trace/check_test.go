package trace_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/trace"
)

// These tests check the checker on hand-written traces: the cases the
// planted programs cannot show on their own (an address reused by another
// session, fork, a get_session_cb that hands over a reference it lacks,
// bad input).

// write puts files (name -> JSON lines) into a fresh directory.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.TrimLeft(body, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func check(t *testing.T, files map[string]string) *trace.Report {
	t.Helper()
	tr, err := trace.Load(write(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return trace.Check(tr)
}

const start = `{"k":"start","seq":1,"tid":7,"pid":7,"ppid":1,"exe":"/bin/app","cwd":"/"}` + "\n"

func TestStalePointer(t *testing.T) {
	// The application is given session 100 by get0; it dies; a new session
	// is born at the same address; the application offers the old pointer.
	r := check(t, map[string]string{"trace-7-1.jsonl": start + `
{"k":"born","seq":2,"tid":7,"sess":100}
{"k":"call","seq":3,"end":4,"tid":7,"fn":"SSL_get0_session","ssl":5,"ret":100}
{"k":"dead","seq":6,"tid":7,"sess":100}
{"k":"born","seq":7,"tid":7,"sess":100}
{"k":"call","seq":8,"end":9,"tid":7,"fn":"SSL_set_session","ssl":6,"sess":100,"resumable":1,"ret":1}
{"k":"exit","seq":10,"tid":7}
`})
	if got := r.Rules(); !slices.Equal(got, []model.Rule{model.RuleUBDanglingSession}) {
		t.Fatalf("rules %v", got)
	}
	if !strings.Contains(r.Findings[0].Message, "never given") {
		t.Errorf("message %q", r.Findings[0].Message)
	}
}

// TestCutTraceNeverGiven: a process killed inside a callback loses the
// callback's record (written when it returns) while the calls made inside
// it were already written. A use of an address whose session the trace
// never showed is then no finding: only a process that exited has a whole
// trace.
func TestCutTraceNeverGiven(t *testing.T) {
	records := start + `
{"k":"born","seq":2,"tid":7,"sess":100}
{"k":"call","seq":3,"end":4,"tid":7,"fn":"SSL_get0_session","ssl":5,"ret":100}
{"k":"dead","seq":6,"tid":7,"sess":100}
{"k":"born","seq":7,"tid":7,"sess":100}
{"k":"call","seq":9,"end":10,"tid":7,"fn":"i2d_SSL_SESSION","sess":100,"ret":700}
`
	cut := check(t, map[string]string{"trace-7-1.jsonl": records})
	if len(cut.Findings) != 0 || cut.Counts.CutUnchecked != 1 || len(cut.Notes) != 1 || !strings.Contains(cut.Notes[0], "nor 1 use(s)") {
		t.Errorf("cut trace: findings %v, cut_unchecked %d, notes %q", cut.Rules(), cut.Counts.CutUnchecked, cut.Notes)
	}
	whole := check(t, map[string]string{"trace-7-1.jsonl": records + `{"k":"exit","seq":11,"tid":7}` + "\n"})
	if got := whole.Rules(); !slices.Equal(got, []model.Rule{model.RuleUBDanglingSession}) || whole.Counts.CutUnchecked != 0 {
		t.Errorf("whole trace: rules %v, cut_unchecked %d", got, whole.Counts.CutUnchecked)
	}
}

func TestForkInheritsReferences(t *testing.T) {
	// The parent owns a get1 reference when it forks; the child exits
	// without freeing it (a leak in the child), the parent frees it.
	r := check(t, map[string]string{
		"trace-7-1.jsonl": start + `
{"k":"born","seq":2,"tid":7,"sess":100}
{"k":"call","seq":3,"end":4,"tid":7,"fn":"SSL_get1_session","ssl":5,"ret":100}
{"k":"fork","seq":5,"tid":7}
{"k":"call","seq":9,"end":10,"tid":7,"fn":"SSL_SESSION_free","sess":100,"refs":1}
{"k":"exit","seq":11,"tid":7}
`,
		"trace-8-6.jsonl": `{"k":"start","seq":6,"tid":8,"pid":8,"ppid":7,"fork":5,"exe":"/bin/app"}
{"k":"call","seq":7,"end":8,"tid":8,"fn":"SSL_get0_session","ssl":5,"ret":100}
{"k":"exit","seq":12,"tid":8}
`})
	if len(r.Findings) != 1 || r.Findings[0].Rule != model.RuleAppLeakRef || r.Findings[0].Pid != 8 || r.Findings[0].Because != model.RuleSeedGet1Ref {
		t.Fatalf("findings %+v", r.Findings)
	}
	if len(r.Processes) != 2 || !r.Processes[1].Forked {
		t.Errorf("processes %+v", r.Processes)
	}
}

func TestGetCallbackHandsOverNothing(t *testing.T) {
	// get_session_cb returns a borrowed session with *copy = 0.
	r := check(t, map[string]string{"trace-7-1.jsonl": start + `
{"k":"born","seq":2,"tid":7,"sess":100}
{"k":"cb","seq":3,"end":6,"tid":7,"cb":"new","ssl":5,"ctx":4,"sess":100,"ret":0}
{"k":"cb","seq":7,"end":8,"tid":7,"cb":"get","ssl":9,"ctx":4,"ret":100,"copy":0,"ub":"over-release","repaired":1}
{"k":"exit","seq":10,"tid":7}
`})
	if got := r.Rules(); !slices.Equal(got, []model.Rule{model.RuleCBGetCopy}) || !r.Findings[0].Skipped {
		t.Fatalf("findings %+v", r.Findings)
	}
}

func TestNullAndUnknownCalls(t *testing.T) {
	// A NULL session where one is dereferenced; a function the checker
	// knows only as taking a session is shown, not a reason to stop.
	r := check(t, map[string]string{"trace-7-1.jsonl": start + `
{"k":"call","seq":2,"end":3,"tid":7,"fn":"SSL_SESSION_up_ref","sess":0,"ub":"null","skipped":1}
{"k":"born","seq":4,"tid":7,"sess":100}
{"k":"call","seq":5,"end":6,"tid":7,"fn":"SSL_SESSION_get0_ticket_appdata","sess":100}
{"k":"exit","seq":7,"tid":7}
`})
	if got := r.Rules(); !slices.Equal(got, []model.Rule{model.RuleUBNULLSession}) {
		t.Fatalf("rules %v", got)
	}
	if !slices.Contains(r.Counts.Unknown, "SSL_SESSION_get0_ticket_appdata") {
		t.Errorf("unknown %v", r.Counts.Unknown)
	}
}

func TestModelDisagrees(t *testing.T) {
	// A client offers a session that is not resumable, and the handshake
	// says it resumed.
	r := check(t, map[string]string{"trace-7-1.jsonl": start + `
{"k":"born","seq":2,"tid":7,"sess":100}
{"k":"call","seq":3,"end":4,"tid":7,"fn":"SSL_get1_session","ssl":5,"ret":100}
{"k":"call","seq":5,"end":6,"tid":7,"fn":"SSL_set_session","ssl":9,"sess":100,"resumable":0,"ret":1}
{"k":"hs","seq":7,"tid":7,"via":"SSL_connect","ssl":9,"ok":1,"server":0,"offered":100,"ver":771,"reused":1,"sess":100,"resumable":1,"mode":2}
{"k":"call","seq":8,"end":9,"tid":7,"fn":"SSL_SESSION_free","sess":100,"refs":1}
{"k":"exit","seq":10,"tid":7}
`})
	want := []model.Rule{model.RuleResumableWhen, model.RuleResumableWhen}
	if got := r.Rules(); !slices.Equal(got, want) || r.Findings[0].Kind != trace.KindNoResume || r.Findings[1].Kind != trace.KindDisagree {
		t.Fatalf("findings %+v", r.Findings)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := write(t, map[string]string{"trace-7-1.jsonl": start + "not json\n" + `{"k":"exit","seq":3,"tid":7}` + "\n"})
	if _, err := trace.Load(dir); err == nil || !strings.Contains(err.Error(), "trace-7-1.jsonl:2") {
		t.Errorf("want an error naming line 2, got %v", err)
	}
	// A last line cut short by a kill is dropped; the process has no exit.
	tr, err := trace.Load(write(t, map[string]string{"trace-7-1.jsonl": start + `{"k":"born","seq":2,"tid":7,"sess":100}` + "\n" + `{"k":"call","se`}))
	if err != nil {
		t.Fatal(err)
	}
	r := trace.Check(tr)
	if len(r.Counts.NoExit) != 1 || len(r.Notes) != 1 || r.Verdict() != trace.VerdictNothing {
		t.Errorf("no_exit %v, notes %v, verdict %s", r.Counts.NoExit, r.Notes, r.Verdict())
	}
}
