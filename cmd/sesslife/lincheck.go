package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/linearizability"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/targets"
)

// checkLinearizable records a concurrent history with c.clients clients
// and checks it against the model with porcupine. A violation or an
// undecided check fails the run; a target that does not declare
// concurrency is reported as not checked.
func checkLinearizable(ctx context.Context, c checkConfig, open target.Factory, stdout io.Writer) (*linReport, error) {
	rep := &linReport{Clients: c.clients}
	o := c.shim.options()
	if c.target == "impl" {
		o.Impl = append(o.Impl, mutants.Yields()) // let calls overlap
	}
	tgt, err := targets.Open(c.target, o)
	if err != nil {
		return nil, err
	}
	defer tgt.Close()
	if !tgt.Info().Concurrent {
		rep.Verdict = "not checked"
		rep.Summary = fmt.Sprintf("%s does not declare concurrent use: linearizability not checked", tgt.Info().Name)
		return rep, nil
	}
	cfg := linearizability.Config{Clients: c.clients, Seed: c.seed, CallTimeout: callTimeout}
	h, err := linearizability.Run(ctx, tgt, cfg)
	if err != nil {
		return nil, err
	}
	res := linearizability.Check(h, linearizability.Options{OutDir: c.htmlDir})
	rep.Checked, rep.Calls, rep.Summary = true, res.Calls, res.String()
	rep.Verdict = string(res.Verdict)
	if res.Visualization != "" {
		rep.Visualization = res.Visualization
	}
	return rep, nil
}
