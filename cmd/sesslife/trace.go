package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sesslife/sesslife/target/targets"
	"github.com/sesslife/sesslife/trace"
)

// traceConfig holds the flags of `sesslife trace`.
type traceConfig struct {
	jsonPath, htmlDir, recorder, traceDir, from string
	forward                                     bool
	linger                                      time.Duration
}

func traceFlags(c *traceConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("sesslife trace", flag.ContinueOnError)
	fs.StringVar(&c.jsonPath, "json", "", "write the report as JSON (sesslife-trace/1) to `FILE`")
	fs.StringVar(&c.htmlDir, "html", "", "write the report as a page, DIR/index.html")
	fs.StringVar(&c.recorder, "recorder", "", "the recorder to preload (default: $SESSLIFE_TRACE_LIB, else "+trace.RecorderName+" in bin/, as make trace builds it)")
	fs.StringVar(&c.traceDir, "trace-dir", "", "keep the raw trace files in `DIR` (default: a temporary directory, removed)")
	fs.StringVar(&c.from, "from", "", "check the trace files already in `DIR` (recorded with LD_PRELOAD and SESSLIFE_TRACE_DIR set by hand) instead of running a program")
	fs.BoolVar(&c.forward, "forward", false, "let the recorder forward every call, even a use of a destroyed session (the program may then crash)")
	fs.DurationVar(&c.linger, "linger", 30*time.Second, "how long to wait, after the program exits, for the processes it left behind")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: sesslife trace [--json FILE] [--html DIR] [--trace-dir DIR] -- PROGRAM ARGS...\n       sesslife trace [--json FILE] [--html DIR] --from DIR")
		fs.PrintDefaults()
	}
	return fs
}

// runTrace implements `sesslife trace`: run a program with the session-call
// recorder preloaded and check what it did with its sessions. Exit status:
// 0 no finding (and session calls were seen), 1 findings, 2 usage or
// infrastructure error, or no session call seen at all (a statically linked
// libssl, or no TLS), 130 interrupted.
func runTrace(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c traceConfig
	fs := traceFlags(&c)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return exitOK
		}
		fmt.Fprintf(stderr, "sesslife trace: %v\n", err)
		fs.SetOutput(stderr)
		fs.Usage()
		return exitUsage
	}
	fs.SetOutput(stderr)
	program := fs.Args() // flag stops at "--" or at the program's name
	if (c.from == "") == (len(program) == 0) {
		fmt.Fprintln(stderr, "sesslife trace: give either -- PROGRAM ARGS... or --from DIR")
		fs.Usage()
		return exitUsage
	}
	var rep *trace.Report
	var err error
	if c.from != "" {
		var tr *trace.Trace
		if tr, err = trace.Load(c.from); err == nil {
			rep = trace.Check(tr)
		}
	} else {
		rec := c.recorder
		if rec == "" {
			rec = os.Getenv("SESSLIFE_TRACE_LIB")
		}
		if rec == "" {
			if rec, err = targets.FindShim(trace.RecorderName); err != nil {
				fmt.Fprintf(stderr, "sesslife trace: %v\n", err)
				return exitUsage
			}
		}
		rep, err = trace.Run(ctx, program, trace.Options{Recorder: rec, Dir: c.traceDir, Forward: c.forward,
			Linger: c.linger, Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
	}
	if err != nil {
		fmt.Fprintf(stderr, "sesslife trace: %v\n", err)
		return exitUsage
	}
	if ctx.Err() != nil {
		rep.Notes = append(rep.Notes, "interrupted: the program was stopped")
	}
	rep.WriteText(stdout)
	if c.jsonPath != "" {
		err = errors.Join(err, writeJSON(c.jsonPath, rep))
	}
	if c.htmlDir != "" {
		err = errors.Join(err, trace.WriteHTML(c.htmlDir, rep))
	}
	if err != nil {
		fmt.Fprintf(stderr, "sesslife trace: %v\n", err)
		return exitUsage
	}
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case rep.Verdict() == trace.VerdictFail:
		return exitDivergence
	case rep.Verdict() == trace.VerdictNothing:
		return exitUsage
	}
	return exitOK
}
