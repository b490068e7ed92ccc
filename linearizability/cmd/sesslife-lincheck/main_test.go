package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestExitStatus: a pass exits 0, a mutant's violation 1, bad usage 2.
func TestExitStatus(t *testing.T) {
	small := []string{"--target", "impl", "--clients", "4", "--epochs", "3", "--rounds", "1", "--calls", "20", "--out", t.TempDir()}
	for _, tc := range []struct {
		args []string
		want int
		say  string
	}{
		{small, 0, "linearizable"},
		{append(small, "--mutant", "flush-release-early", "--runs", "5"), 1, "violation"},
		{[]string{"--target", "nonsense"}, 2, "unknown target"},
		{[]string{"--runs", "0"}, 2, "want at least 1"},
		{[]string{"--mutant", "no-such-mutant"}, 2, "unknown mutant"},
	} {
		var out, errs bytes.Buffer
		if got := run(tc.args, &out, &errs); got != tc.want || !strings.Contains(out.String()+errs.String(), tc.say) {
			t.Errorf("%q: exit %d, want %d and output mentioning %q:\n%s%s", tc.args, got, tc.want, tc.say, out.String(), errs.String())
		}
	}
}
