package main

import (
	"html/template"
	"os"
	"path/filepath"
)

// writeHTML writes the report as dir/index.html, for every run, failing or
// not: the verdict, the coverage, and each finding.
func writeHTML(dir string, rep *checkReport) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return err
	}
	if err := reportPage.Execute(f, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var reportPage = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sesslife: {{.Run.Target}} against {{.Run.Profile}}</title>
<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em;overflow:auto}.pass{color:#070}.fail{color:#a00}</style>
</head><body>
<h1 id="verdict" class="{{.Verdict}}">{{.Verdict}}: {{.Run.Target}} against {{.Run.Profile}}</h1>
<p>seed {{.Run.Seed}}, {{.Run.Sequences}} sequences, {{.Run.Calls}} calls, rules exercised {{.Coverage.RulesExercised}}/{{.Coverage.RulesTotal}}</p>
{{range .Findings}}<section class="finding" id="finding-{{.N}}"><h2>Finding {{.N}}: rule {{.Rule}}</h2>
<p>{{.Statement}}</p><pre>{{.Text}}</pre><p>Replay: <code>{{.Replay}}</code></p></section>
{{end}}</body></html>
`))
