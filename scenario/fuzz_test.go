package scenario

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// misnamed matches a label that puts a handle-shaped name on an object:
// "sess2=sess1", "p,ssl1=ssl3". It lives in this file, which OSS-Fuzz's
// build compiles alone (docs/fuzzing.md); names_test.go uses it too.
var misnamed = regexp.MustCompile(`\b(ctx|ssl|sess)[0-9]+(,[A-Za-z_][A-Za-z0-9_]*)*=`)

// FuzzParse: no input makes the parser panic or hang; every problem is
// reported as FILE:LINE:COL inside the input; a script that parses prints
// in a normal form that parses back to itself, and runs deterministically
// without panicking (or stops at a handle-named variable bound to another
// object, with an error naming the place), never labelling an object with
// another handle's name. The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("c = SSL_new(ctx1); SSL_free(c)\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.sim", src)
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 || len(list) > maxErrors {
				t.Fatalf("error %T with %d problems", err, len(list))
			}
			lines := bytes.Count(src, []byte("\n")) + 1
			for _, e := range list {
				if e.File != "fuzz.sim" || e.Pos.Line < 1 || e.Pos.Line > lines || e.Pos.Col < 1 || e.Msg == "" {
					t.Fatalf("problem out of place: %v (input has %d lines)", e, lines)
				}
			}
			return
		}
		var norm []string
		for _, st := range s.Stmts {
			norm = append(norm, st.Text)
		}
		again, err := Parse("fuzz.sim", []byte(strings.Join(norm, "\n")))
		if err != nil {
			t.Fatalf("the normal form does not parse: %v\n%s", err, strings.Join(norm, "\n"))
		}
		for i, st := range again.Stmts {
			if st.Text != norm[i] || st.Kind != s.Stmts[i].Kind || st.Config != s.Stmts[i].Config || st.Bind != s.Stmts[i].Bind {
				t.Fatalf("statement %d: %q parsed back as %q", i, norm[i], st.Text)
			}
		}
		if len(src) > 4096 {
			return
		}
		var a, b bytes.Buffer
		_, errA := Run(context.Background(), s, Options{}, &a)
		_, errB := Run(context.Background(), s, Options{}, &b)
		if !bytes.Equal(a.Bytes(), b.Bytes()) || fmt.Sprint(errA) != fmt.Sprint(errB) {
			t.Fatalf("two runs printed different output")
		}
		if m := misnamed.Find(a.Bytes()); m != nil {
			t.Fatalf("a label puts a handle under another handle's name: %q\n%s", m, a.Bytes())
		}
		// The one input error only a run finds: a handle-named variable
		// bound to another object.
		if errA != nil {
			e, ok := errA.(*Error)
			if !ok || e.File != "fuzz.sim" || e.Pos.Line < 1 || !strings.Contains(e.Msg, "a variable named like a handle must be that handle") {
				t.Fatalf("run failed: %v", errA)
			}
		}
	})
}
