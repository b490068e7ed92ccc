package subprocess

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// The example transcript of docs/protocol.md §11 is checked both ways, so
// that it cannot drift from what the harness sends or from what the
// reference shim answers:
//
//   - TestTranscriptRequests runs its calls through a Target, as `sesslife
//     check` does (properties.RunOps with the default window), against a
//     fake shim that answers with the transcript's replies and stops at the
//     first request that differs from the transcript's, byte for byte (the
//     start-up reset, every observe, the final quit included); the model
//     must agree with those replies;
//   - TestTranscriptReplies sends the transcript's requests to the OpenSSL
//     shim and compares every reply with the transcript's.

// transcriptEnv names the file of transcript lines the fake shim in mode
// "transcript" plays (runTranscript).
const transcriptEnv = "SESSLIFE_FAKE_TRANSCRIPT"

// docTranscript returns the lines of docs/protocol.md §11's example, each
// starting with "> " (a request) or "< " (a reply); the first is the hello.
func docTranscript(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(doc), "\n## 11. Example transcript\n")
	if !ok {
		t.Fatal("docs/protocol.md has no section \"## 11. Example transcript\"")
	}
	_, block, ok := strings.Cut(sec, "\n```\n")
	block, _, ok2 := strings.Cut(block, "\n```\n")
	if !ok || !ok2 {
		t.Fatal("docs/protocol.md §11 has no code block")
	}
	lines := strings.Split(block, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "> ") && !strings.HasPrefix(l, "< ") {
			t.Fatalf("§11 line %d is neither a request nor a reply: %q", i+1, l)
		}
	}
	if !strings.HasPrefix(lines[0], `< {"hello":`) {
		t.Fatalf("§11 does not start with the hello: %q", lines[0])
	}
	return lines
}

// shortCalls matches the hello's shortened call list: its first two names,
// "...", and its last.
var shortCalls = regexp.MustCompile(`"calls":\["SSL_CTX_new","SSL_CTX_free",\.\.\.,"([A-Za-z0-9_]+)"\]`)

// fullHello is the transcript's hello with the call list written out: every
// call, in the order of model.Kinds() (the C shims' order, calls.h), which
// must end with the name the transcript shows last.
func fullHello(t *testing.T, hello string) string {
	t.Helper()
	m := shortCalls.FindStringSubmatchIndex(hello)
	names := kindNames()
	if m == nil || hello[m[2]:m[3]] != names[len(names)-1] {
		t.Fatalf("the hello of §11 does not shorten its calls as \"calls\":[\"SSL_CTX_new\",\"SSL_CTX_free\",...,\"%s\"]: %s", names[len(names)-1], hello)
	}
	list, _ := json.Marshal(names)
	return hello[:m[0]] + `"calls":` + string(list) + hello[m[1]:]
}

// transcriptOps decodes the calls among the transcript's requests.
func transcriptOps(t *testing.T, lines []string) []model.Op {
	t.Helper()
	var ops []model.Op
	for _, l := range lines {
		line, ok := strings.CutPrefix(l, "> ")
		if !ok {
			continue
		}
		var r request
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("§11 request %s: %v", line, err)
		}
		k, ok := model.ParseKind(r.Op)
		if !ok {
			continue // a control operation
		}
		op := model.Op{Kind: k, Ctx: model.Handle(r.Ctx), SSL: model.Handle(r.SSL), Peer: model.Handle(r.Peer),
			Sess: model.Handle(r.Sess), Arg: r.Arg}
		if c := r.Config; c != nil {
			side := model.Client
			if c.Side == "server" {
				side = model.Server
			}
			op.Config = model.CtxConfig{Side: side, DefaultMode: c.DefaultMode, CacheMode: model.CacheMode(c.Mode),
				CacheSize: c.Size, Timeout: c.Timeout, NumTickets: c.Tickets, NoTicket: c.NoTicket,
				NewCB: model.NewSessionCB(c.NewCB), RemoveCB: c.RemoveCB, GetCB: model.GetSessionCB(c.GetCB)}
		}
		ops = append(ops, op)
	}
	return ops
}

// runTranscript is the fake shim of mode "transcript": it plays the lines
// of the file transcriptEnv names, writing each reply and checking that
// each request is the transcript's, byte for byte. A request that differs,
// or one too many, ends it with status 3; input ending before the
// transcript does, with status 4.
func runTranscript() int {
	src, err := os.ReadFile(os.Getenv(transcriptEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "transcript:", err)
		return 2
	}
	lines := strings.Split(strings.TrimSuffix(string(src), "\n"), "\n")
	out := bufio.NewWriter(os.Stdout)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(nil, 1<<20)
	i := 0
	for {
		for ; i < len(lines) && strings.HasPrefix(lines[i], "< "); i++ {
			out.WriteString(lines[i][2:] + "\n")
		}
		_ = out.Flush()
		if !in.Scan() {
			if i < len(lines) {
				fmt.Fprintf(os.Stderr, "transcript: input ended before line %d: %s\n", i+1, lines[i])
				return 4
			}
			return 0
		}
		got := in.Text()
		if i == len(lines) {
			fmt.Fprintf(os.Stderr, "transcript: request after the end of the transcript: %s\n", got)
			return 3
		}
		if want := lines[i][2:]; got != want {
			fmt.Fprintf(os.Stderr, "transcript: line %d:\n got  %s\n want %s\n", i+1, got, want)
			return 3
		}
		i++
	}
}

func TestTranscriptRequests(t *testing.T) {
	t.Parallel()
	lines := docTranscript(t)
	lines[0] = "< " + fullHello(t, lines[0][2:])
	file := t.TempDir() + "/transcript"
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, opts := fakeShim("transcript", WithEnv(transcriptEnv+"="+file))
	tg, err := New(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	prof, ok := model.Profiles()[tg.Info().Profile]
	if !ok {
		t.Fatalf("the hello of §11 names the profile %q, which the model does not know", tg.Info().Profile)
	}
	runErr := properties.RunOps(context.Background(), tg, prof, transcriptOps(t, lines), properties.DefaultWindow)
	closeErr := tg.Close()
	if runErr != nil {
		t.Errorf("the calls of §11 against its own replies: %v", runErr)
	}
	if closeErr != nil {
		t.Errorf("the harness's requests are not those of §11 (the fake shim exits at the first that differs): %v", closeErr)
	}
}

func TestTranscriptReplies(t *testing.T) {
	t.Parallel()
	shim := needShim(t, "sesslife-shim-openssl")
	lines := docTranscript(t)
	cmd := exec.Command(shim)
	cmd.Env = append(os.Environ(), ProtocolEnv+"="+Protocol)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	replies := bufio.NewScanner(stdout)
	replies.Buffer(nil, 1<<20)
	read := func() string {
		if !replies.Scan() {
			t.Fatalf("the shim stopped answering; stderr:\n%s", stderr.String())
		}
		return replies.Text()
	}
	var h hello
	first := read()
	if err := json.Unmarshal([]byte(first), &h); err != nil || h.Profile != "openssl-3.0" || h.Library != "OpenSSL" {
		t.Skipf("the shim's hello is not OpenSSL's under openssl-3.0, as §11's is: %s", first)
	}
	// The hello differs only in the version and the shortened call list.
	want := fullHello(t, lines[0][2:])
	want = strings.Replace(want, `"version":"3.0.19"`, fmt.Sprintf(`"version":%q`, h.Version), 1)
	if first != want {
		t.Errorf("hello:\n got  %s\n want %s", first, want)
	}
	for i, l := range lines[1:] {
		if req, ok := strings.CutPrefix(l, "> "); ok {
			if _, err := stdin.Write([]byte(req + "\n")); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got := read(); got != l[2:] {
			t.Errorf("§11 line %d, the reply:\n got  %s\n want %s", i+2, got, l[2:])
		}
	}
}

// TestProtocolDocProfiles checks the table of profiles in docs/protocol.md
// §2 against model.Profiles(): every profile a hello may name, and the
// clock's start under it, once each.
func TestProtocolDocProfiles(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "\n| `profile` | the library it describes | clock start (§5) |\n|---|---|---|\n")
	if !ok {
		t.Fatal("docs/protocol.md §2 has no table of profiles")
	}
	row := regexp.MustCompile("^\\| `([^`]+)` \\| .* \\| ([0-9]+) \\|$")
	seen := map[string]bool{}
	for _, l := range strings.Split(table, "\n") {
		if !strings.HasPrefix(l, "|") {
			break
		}
		m := row.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("a row of the profiles table does not read | `name` | library | start |: %s", l)
		}
		p, known := model.Profiles()[m[1]]
		switch {
		case !known:
			t.Errorf("the table names %q, which model.Profiles() does not know", m[1])
		case seen[m[1]]:
			t.Errorf("the table names %q twice", m[1])
		case m[2] != fmt.Sprint(p.StartTime):
			t.Errorf("the table starts the clock of %s at %s, the profile at %d", m[1], m[2], p.StartTime)
		}
		seen[m[1]] = true
	}
	for _, n := range model.ProfileNames() {
		if !seen[n] {
			t.Errorf("the table leaves out the profile %q", n)
		}
	}
}

// TestProtocolDocQuotesOutdated checks that docs/protocol.md §9 quotes the
// message of an OutdatedError as the harness writes it, with every way it
// ends.
func TestProtocolDocQuotesOutdated(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	// The doc wraps its prose: compare with every run of spaces and
	// newlines as one space.
	text := strings.Join(strings.Fields(string(doc)), " ")
	e := &OutdatedError{Op: "CALL", What: "config", Field: "NAME", Rebuild: "WHAT TO DO"}
	quotes := []string{e.Error(), "`the request field \"NAME\"`", "`the value V of the config field \"NAME\"`"}
	for _, lib := range []string{"OpenSSL", "wolfSSL", "BoringSSL"} {
		quotes = append(quotes, "`"+rebuildCommand(lib, "/bin/sesslife-shim-x")+"`")
	}
	quotes = append(quotes, "`"+rebuildCommand("OpenSSL", "PATH")+"`")
	for _, q := range quotes {
		if !strings.Contains(text, q) {
			t.Errorf("docs/protocol.md does not quote %s", q)
		}
	}
	e.What, e.Value = "request", ""
	if !strings.Contains(e.Error(), `the request field "NAME"`) {
		t.Errorf("an unknown request field reads %q", e.Error())
	}
	e.What, e.Value = "config", "V"
	if !strings.Contains(e.Error(), `the value V of the config field "NAME"`) {
		t.Errorf("an unknown value reads %q", e.Error())
	}
}
