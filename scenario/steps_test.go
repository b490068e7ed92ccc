package scenario

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStepsAreWhatSimPrints runs every worked example and checks that
// Report.Steps says what the text output says: under each statement, its
// result, its events, the simulator's messages, and exactly the rows it
// marks as made, changed or gone.
func TestStepsAreWhatSimPrints(t *testing.T) {
	files, err := filepath.Glob("../docs/scenarios/*.sim")
	if err != nil || len(files) == 0 {
		t.Fatalf("no worked examples: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(file)
			s, err := Parse(name, src)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			rep, err := Run(context.Background(), s, Options{}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Steps) != len(s.Stmts) {
				t.Fatalf("%d steps for %d statements", len(rep.Steps), len(s.Stmts))
			}
			blocks := strings.Split(out.String(), "\n\n")
			for i, st := range rep.Steps {
				head := name + ":" + strconv.Itoa(st.Pos.Line) + "  " + st.Stmt + "\n"
				var block string
				for _, b := range blocks {
					if strings.HasPrefix(b, head) {
						block = b
					}
				}
				if block == "" {
					t.Fatalf("step %d (%s) has no block in the output", i, head)
				}
				checkStep(t, st, block)
			}
		})
	}
}

// checkStep compares one step with the lines printed under it, spaces
// collapsed (the text table pads labels to one width).
func checkStep(t *testing.T, st Step, block string) {
	t.Helper()
	lines := map[string]bool{}
	marked, events, results := 0, 0, 0
	for _, l := range strings.Split(block, "\n")[1:] {
		l = strings.Join(strings.Fields(l), " ")
		lines[l] = true
		switch {
		case len(l) > 2 && strings.Contains("+-~", l[:1]) && l[1] == ' ':
			marked++
		case strings.HasPrefix(l, "event "):
			events++
		case strings.HasPrefix(l, "=> "):
			results++
		}
	}
	if events != len(st.Events) || (results == 1) != (st.Result != "") {
		t.Errorf("line %d: Steps has result %q and %d events, the output %d results and %d events:\n%s", st.Pos.Line, st.Result, len(st.Events), results, events, block)
	}
	has := func(what, l string) {
		if !lines[strings.Join(strings.Fields(l), " ")] {
			t.Errorf("line %d: %s %q is not printed:\n%s", st.Pos.Line, what, l, block)
		}
	}
	if st.Result != "" {
		found := false
		for l := range lines {
			if strings.HasPrefix(l, "=> "+st.Result) {
				found = true
			}
		}
		if !found {
			t.Errorf("line %d: result %q is not printed:\n%s", st.Pos.Line, st.Result, block)
		}
	}
	for _, e := range st.Events {
		has("event", "event "+e)
	}
	for _, m := range st.Messages {
		if !strings.Contains(strings.Join(strings.Fields(block), " "), strings.Join(strings.Fields(m), " ")) {
			t.Errorf("line %d: message %q is not printed:\n%s", st.Pos.Line, m, block)
		}
	}
	changed := 0
	for _, row := range st.State {
		if row.Change != "" {
			changed++
			has("row", row.Change+" "+row.Label+" "+row.Text)
		}
	}
	if changed != marked {
		t.Errorf("line %d: %d rows marked in Steps, %d in the output:\n%s", st.Pos.Line, changed, marked, block)
	}
	if len(st.State) == 0 || st.State[0].Key != "clock" {
		t.Errorf("line %d: the state does not start with the clock: %+v", st.Pos.Line, st.State)
	}
}
