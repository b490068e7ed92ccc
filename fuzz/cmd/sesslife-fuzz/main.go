// Command sesslife-fuzz runs Go fuzz targets one after another, each for a
// bounded time, as `make fuzz` does:
//
//	sesslife-fuzz [--fuzztime 20s] [--minimize-time 10s] PKG:FuzzName...
//
// PKG is a package directory relative to the working directory (fuzz,
// scenario). Each target runs as
// `go test -run='^$' -fuzz='^FuzzName$' -fuzztime=T -fuzzminimizetime=M ./PKG`
// with its output passed through.
//
// One failure of Go 1.26 itself is told apart from a finding: the fuzz
// coordinator can report its own -fuzztime deadline as the failure
// "context deadline exceeded" (golang/go#75804, fixed in Go 1.27). When that
// is the only failure and no failing input was written, the target fuzzed for
// its whole budget and found nothing; sesslife-fuzz says so and goes on.
//
// Exit status: 0 when every target passed; 1 at the first target that
// failed (a finding, with go test's own replay instructions above it); 2 on
// a usage error.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sesslife-fuzz", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fuzztime := fs.String("fuzztime", "20s", "budget per target: a duration or a count such as 5000x (go test -fuzztime)")
	minimize := fs.String("minimize-time", "10s", "how long to minimise each new input (go test -fuzzminimizetime)")
	goTool := fs.String("go", "go", "the go command")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "sesslife-fuzz: no targets; give PKG:FuzzName operands, e.g. scenario:FuzzParse")
		return 2
	}
	var targets []fuzzTarget
	for _, a := range fs.Args() {
		t, err := parseTarget(a)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		targets = append(targets, t)
	}
	for _, t := range targets {
		fmt.Fprintf(stdout, "sesslife: fuzzing %s (./%s) for %s\n", t.name, t.pkg, *fuzztime)
		v, err := t.fuzz(*goTool, *fuzztime, *minimize, stdout)
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "sesslife-fuzz: %s: %v\n", t.name, err)
			return 2
		case v == coordinatorRace:
			fmt.Fprintf(stdout, "sesslife-fuzz: %s fuzzed for its whole budget and wrote no failing input; its %q is Go 1.26's "+
				"fuzz-coordinator race at the -fuzztime deadline (golang/go#75804, fixed in Go 1.27), not a finding\n", t.name, raceMessage)
		case v == failed:
			fmt.Fprintf(stderr, "sesslife-fuzz: %s failed; replay with: go test -run='^%s$' ./%s (a failing input is kept in %s)\n",
				t.name, t.name, t.pkg, t.corpusDir())
			return 1
		}
	}
	return 0
}

// fuzzTarget is one fuzz test in one package.
type fuzzTarget struct{ pkg, name string }

func parseTarget(s string) (fuzzTarget, error) {
	pkg, name, ok := strings.Cut(s, ":")
	pkg = strings.TrimPrefix(filepath.ToSlash(pkg), "./")
	if !ok || pkg == "" || !strings.HasPrefix(name, "Fuzz") || strings.ContainsAny(name, "/^$ ") {
		return fuzzTarget{}, fmt.Errorf("sesslife-fuzz: target %q: want PKG:FuzzName, e.g. scenario:FuzzParse", s)
	}
	return fuzzTarget{pkg: pkg, name: name}, nil
}

// corpusDir is where go test keeps the target's seeds and failing inputs.
func (t fuzzTarget) corpusDir() string {
	return filepath.Join(filepath.FromSlash(t.pkg), "testdata", "fuzz", t.name)
}

// fuzz runs the target once and judges the run. err reports only a run
// that could not start.
func (t fuzzTarget) fuzz(goTool, fuzztime, minimize string, out io.Writer) (verdict, error) {
	before, err := listFiles(t.corpusDir())
	if err != nil {
		return failed, err
	}
	var log bytes.Buffer
	cmd := exec.Command(goTool, "test", "-run=^$", "-fuzz=^"+t.name+"$", "-fuzztime="+fuzztime,
		"-fuzzminimizetime="+minimize, "./"+t.pkg)
	cmd.Stdout = io.MultiWriter(out, &log)
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	runErr := cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return failed, runErr
	}
	after, err := listFiles(t.corpusDir())
	if err != nil {
		return failed, err
	}
	var added []string
	for f := range after {
		if !before[f] {
			added = append(added, f)
		}
	}
	v := judge(runErr == nil, log.Bytes(), t.name, added)
	if v == coordinatorRace {
		// The race happens at the deadline; a run that ended early is
		// something else.
		if d, perr := time.ParseDuration(fuzztime); perr != nil || time.Since(start) < d {
			v = failed
		}
	}
	return v, nil
}

// listFiles returns the names of the files in dir (none if it is absent).
func listFiles(dir string) (map[string]bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		names[e.Name()] = true
	}
	return names, nil
}
