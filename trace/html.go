package trace

import (
	"bytes"
	"html/template"
	"os"
	"path/filepath"
)

// page is a self-contained report page: inline CSS, no script.
var page = template.Must(template.New("trace").Funcs(template.FuncMap{
	"statement":  func(f Finding) string { return f.Rule.Info().Statement },
	"because":    func(f Finding) string { return f.Because.Info().Statement },
	"hasBecause": func(f Finding) bool { return f.Because != 0 },
	"ordinal":    func(i int) int { return i + 1 },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sesslife trace: {{.R.Verdict}}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:70em}
h1 .PASS{color:#17692f}h1 .FAIL{color:#a4161a}h1 .NOTHING{color:#8a5a00}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
.finding{border:1px solid #bbb;border-radius:4px;padding:.5em 1em;margin:1em 0}
.rule{font-family:monospace;font-weight:bold}.fix{font-family:monospace;background:#fff3c4;padding:.1em .3em}
code,.mono{font-family:monospace}
</style></head><body>
<h1>sesslife trace: <span class="{{.Class}}">{{.R.Verdict}}</span></h1>
{{with .R.Command}}<p>Program: <code>{{range .}}{{.}} {{end}}</code>{{with $.R.Status}} (exit status {{.}}){{end}}</p>{{end}}
<p>{{len .R.Findings}} finding(s) in {{.R.Counts.SessionCalls}} session calls and callbacks of the application.</p>
<h2>What the recorder saw</h2>
<table><tr><th>pid</th><th>parent</th><th>program</th><th>records</th><th>exit</th></tr>
{{range .R.Processes}}<tr><td>{{.Pid}}</td><td>{{.PPid}}</td><td class="mono">{{.Program}}</td><td>{{.Records}}</td><td>{{if .Exited}}exited{{else}}no exit recorded{{end}}</td></tr>{{end}}
</table>
<table><tr><th>application call</th><th>count</th></tr>
{{range $k, $v := .R.Counts.Calls}}<tr><td class="mono">{{$k}}</td><td>{{$v}}</td></tr>{{end}}
{{range $k, $v := .R.Counts.Callbacks}}<tr><td class="mono">{{$k}}_session_cb</td><td>{{$v}}</td></tr>{{end}}
{{range $k, $v := .R.Counts.Events}}<tr><td class="mono">event {{$k}}</td><td>{{$v}}</td></tr>{{end}}
</table>
{{range .R.Notes}}<p>Note: {{.}}</p>{{end}}
{{range $i, $f := .R.Findings}}<div class="finding" id="f{{$i}}">
<h3>Finding {{ordinal $i}}: <span class="rule">{{$f.Rule}}</span> ({{$f.Kind}})</h3>
<p>{{$f.Message}}</p>
<p>Line to fix: <span class="fix">{{$f.Fix}}</span> — pid {{$f.Pid}}, <code>{{$f.Program}}</code>{{if $f.More}}; and {{$f.More}} more time(s) at the same line{{end}}</p>
<p>Rule <span class="rule">{{$f.Rule}}</span>: {{statement $f}}</p>
{{if hasBecause $f}}<p>The reference came with <span class="rule">{{$f.Because}}</span>: {{because $f}}</p>{{end}}
{{if $f.Skipped}}<p>The recorder did not forward this call, so that the program could go on.</p>{{end}}
{{with $f.History}}<table><tr><th>seq</th><th>tid</th><th>what</th><th>where</th></tr>
{{range .}}<tr><td>{{.Seq}}</td><td>{{.Tid}}</td><td>{{.What}}</td><td class="mono">{{with .Site}}{{.}}{{end}}</td></tr>{{end}}
</table>{{end}}
</div>{{end}}
</body></html>
`))

// WriteHTML writes the report as dir/index.html.
func WriteHTML(dir string, r *Report) error {
	class := map[string]string{VerdictPass: "PASS", VerdictFail: "FAIL", VerdictNothing: "NOTHING"}[r.Verdict()]
	var b bytes.Buffer
	if err := page.Execute(&b, struct {
		R     *Report
		Class string
	}{r, class}); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "index.html"), b.Bytes(), 0o644)
}
