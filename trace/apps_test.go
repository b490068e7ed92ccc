package trace_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/trace"
)

// The real programs `sesslife trace` is tested on, on loopback only: every
// server is started and stopped by the test. Each trace must show the
// session calls the program is known to make (a clean verdict counts only
// if the recorder saw them) and exactly the findings docs/findings-apps.md
// explains.

// expected is one finding a real program is known to have: its rule, a
// part of the path of the object its line to fix is in and, for a leak, the
// rule that gave the program the reference (none: not checked).
type expected struct {
	rule    model.Rule
	object  string
	because model.Rule
}

// sesslifeTrace runs `sesslife trace --json` on argv and returns the report.
// Its --linger (30 s) waits only for processes that outlive the traced
// program; every program here waits for its children before it exits, so
// that clock decides nothing.
func sesslifeTrace(t *testing.T, stdin string, argv ...string) (*trace.Report, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(env.sesslife, append([]string{"trace", "--json", out, "--"}, argv...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	return readReport(t, out, err, b.String()), b.String()
}

func readReport(t *testing.T, path string, runErr error, output string) *trace.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no report (%v): %v\n%s", runErr, err, output)
	}
	var r trace.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if r.Schema != trace.Schema {
		t.Fatalf("schema %q", r.Schema)
	}
	return &r
}

// verify checks the findings are exactly want and that the recorder saw at
// least the given counts (call names, callback kinds with "cb:", events
// with "ev:").
func verify(t *testing.T, r *trace.Report, output string, want []expected, atLeast map[string]int) {
	t.Helper()
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s (%s) in %s", f.Rule, f.Because, f.Fix))
	}
	match := len(got) == len(want)
	for i := 0; match && i < len(want); i++ {
		f := r.Findings[i]
		match = f.Rule == want[i].rule && strings.Contains(f.Fix.Object+" "+f.Fix.File, want[i].object) &&
			(want[i].because == model.RuleNone || f.Because == want[i].because)
	}
	if !match {
		t.Errorf("findings %v, want %v\n%s", got, want, output)
	}
	for k, n := range atLeast {
		var seen int
		switch {
		case strings.HasPrefix(k, "cb:"):
			seen = r.Counts.Callbacks[strings.TrimPrefix(k, "cb:")]
		case strings.HasPrefix(k, "ev:"):
			seen = r.Counts.Events[strings.TrimPrefix(k, "ev:")]
		default:
			seen = r.Counts.Calls[k]
		}
		if seen < n {
			t.Errorf("the recorder saw %s %d times, want at least %d\n%s", k, seen, n, output)
		}
	}
	t.Logf("%d session calls and callbacks seen: calls %v, callbacks %v, events %v", r.Counts.SessionCalls(), r.Counts.Calls, r.Counts.Callbacks, r.Counts.Events)
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitListening waits until something accepts on port, for as long as
// the server runs: it fails at once when exited is closed (the server
// ended before it listened; output, if not nil, says what it wrote), and
// otherwise only on hangGuard, near the test's own deadline. The dials
// pace the wait and bound nothing: on loopback a port nobody listens on
// refuses at once, so no verdict depends on how soon the server starts.
func waitListening(t *testing.T, port int, exited <-chan struct{}, output func() string) {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	guard := hangGuard(t)
	pace := time.NewTicker(25 * time.Millisecond) // a poll interval, not a deadline
	defer pace.Stop()
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			msg := ""
			if output != nil {
				msg = output()
			}
			t.Fatalf("the server ended before anything listened on %s\n%s", addr, msg)
		case <-guard:
			t.Fatalf("nothing listens on %s before the test's deadline", addr)
		case <-pace.C:
		}
	}
}

// startServer starts a server in its own process group, stopped (with its
// children) when the test ends. exited is closed when it has ended.
func startServer(t *testing.T, name string, args ...string) (exited <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	return done
}

// sServer starts `openssl s_server -www` on a fresh loopback port.
func sServer(t *testing.T) int {
	t.Helper()
	port := freePort(t)
	exited := startServer(t, needProgram(t, "openssl"), "s_server", "-accept", "127.0.0.1:"+strconv.Itoa(port),
		"-cert", env.cert, "-key", env.key, "-www", "-quiet")
	waitListening(t, port, exited, nil) // its output goes to the test's stderr
	return port
}

func urls(port, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("https://127.0.0.1:%d/%d", port, i))
	}
	return out
}

// TestCurl: curl fetches several URLs from openssl s_server, resuming its
// session for each after the first (new_session_cb, SSL_set_session).
func TestCurl(t *testing.T) {
	need(t)
	curl := needProgram(t, "curl")
	port := sServer(t)
	for _, v := range []struct{ name, max string }{{"tls13", "1.3"}, {"tls12", "1.2"}} {
		t.Run(v.name, func(t *testing.T) {
			args := append([]string{curl, "-sk", "--tls-max", v.max, "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null"}, urls(port, 4)...)
			r, out := sesslifeTrace(t, "", args...)
			verify(t, r, out, nil, map[string]int{"SSL_set_session": 3, "SSL_SESSION_free": 1, "cb:new": 1, "ev:hs": 4, "ev:resumed": 3})
		})
	}
}

// pythonClient connects three times, offering each time the session of the
// connection before (SSLSocket.session, wrap_socket(session=)).
const pythonClient = `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if sys.argv[2] == "1.2":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
sess, reused = None, []
for i in range(3):
    with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            while s.recv(4096):
                pass
            reused.append(s.session_reused)
            sess = s.session
print("reused:", reused)
`

// TestPython: Python's ssl module with session= reuse. Debian's Python 3.11
// leaks the copy its SSLSocket.session getter makes (docs/findings-apps.md).
func TestPython(t *testing.T) {
	need(t)
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = needProgram(t, "python3.11")
	}
	port := sServer(t)
	script := filepath.Join(t.TempDir(), "client.py")
	if err := os.WriteFile(script, []byte(pythonClient), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.3", "1.2"} {
		t.Run("tls"+strings.ReplaceAll(v, ".", ""), func(t *testing.T) {
			r, out := sesslifeTrace(t, "", python, script, strconv.Itoa(port), v)
			if !strings.Contains(out, "reused: [False, True, True]") {
				t.Errorf("the client did not resume:\n%s", out)
			}
			verify(t, r, out, []expected{{rule: model.RuleAppLeakRef, object: "_ssl.cpython"}},
				map[string]int{"SSL_set_session": 2, "SSL_get1_session": 3, "d2i_SSL_SESSION": 3, "ev:resumed": 2})
		})
	}
}

// TestOpenSSLSessOut: openssl s_client saves its session with -sess_out,
// then a second s_client resumes it with -sess_in.
func TestOpenSSLSessOut(t *testing.T) {
	need(t)
	openssl := needProgram(t, "openssl")
	port := sServer(t)
	sess := filepath.Join(t.TempDir(), "sess.pem")
	get := "GET / HTTP/1.0\r\n\r\n"
	connect := []string{openssl, "s_client", "-connect", "127.0.0.1:" + strconv.Itoa(port), "-ign_eof"}
	r, out := sesslifeTrace(t, get, append(connect, "-sess_out", sess)...)
	verify(t, r, out, nil, map[string]int{"PEM_write_bio_SSL_SESSION": 1, "cb:new": 1, "ev:hs": 1})
	r, out = sesslifeTrace(t, get, append(connect, "-sess_in", sess)...)
	verify(t, r, out, nil, map[string]int{"PEM_read_bio_SSL_SESSION": 1, "SSL_set_session": 1, "SSL_SESSION_free": 1, "ev:resumed": 1})
}

// nginxConf serves two loopback ports: one with a shared session cache
// and no tickets (TLS 1.2, so that ids resume through get_session_cb),
// one with the shared cache and tickets (TLS 1.3).
const nginxConf = `daemon off;
master_process on;
worker_processes 2;
user root;
pid {{dir}}/nginx.pid;
error_log {{dir}}/error.log notice;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path {{dir}}/tmp; proxy_temp_path {{dir}}/tmp; fastcgi_temp_path {{dir}}/tmp;
  uwsgi_temp_path {{dir}}/tmp; scgi_temp_path {{dir}}/tmp;
  ssl_certificate {{cert}}; ssl_certificate_key {{key}};
  server { listen 127.0.0.1:{{port1}} ssl; ssl_protocols TLSv1.2;
    ssl_session_cache shared:ids:1m; ssl_session_tickets off; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:{{port2}} ssl; ssl_protocols TLSv1.3;
    ssl_session_cache shared:tickets:1m; ssl_session_tickets on; location / { return 200 "ok\n"; } }
}
`

// TestNginx: nginx (a master and two workers, which the recorder follows
// through fork) with ssl_session_cache shared, with and without tickets,
// driven by curl; stopped gracefully with SIGQUIT.
func TestNginx(t *testing.T) {
	need(t)
	nginx := needProgram(t, "nginx")
	curl := needProgram(t, "curl")
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	p1, p2 := freePort(t), freePort(t)
	conf := strings.NewReplacer("{{dir}}", dir, "{{cert}}", env.cert, "{{key}}", env.key,
		"{{port1}}", strconv.Itoa(p1), "{{port2}}", strconv.Itoa(p2)).Replace(nginxConf)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.json")
	var out lockedBuffer
	cmd := exec.Command(env.sesslife, "trace", "--json", report, "--", nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var err error
	go func() {
		err = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	waitListening(t, p1, exited, out.String)
	waitListening(t, p2, exited, out.String)
	for _, port := range []int{p1, p2} {
		args := append([]string{"-sk", "-H", "Connection: close", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null"}, urls(port, 4)...)
		if b, err := exec.Command(curl, args...).CombinedOutput(); err != nil {
			t.Fatalf("curl on port %d: %v\n%s", port, err, b)
		}
	}
	pid, perr := os.ReadFile(filepath.Join(dir, "nginx.pid"))
	if perr != nil {
		t.Fatal(perr)
	}
	master, perr := strconv.Atoi(strings.TrimSpace(string(pid)))
	if perr != nil {
		t.Fatal(perr)
	}
	if err := syscall.Kill(master, syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-hangGuard(t):
		t.Fatalf("nginx did not stop on SIGQUIT before the test's deadline\n%s", out.String())
	}
	r := readReport(t, report, err, out.String())
	verify(t, r, out.String(), nil, map[string]int{"cb:new": 2, "cb:get": 3, "d2i_SSL_SESSION": 3, "i2d_SSL_SESSION": 2, "ev:hs": 8, "ev:resumed": 6})
	forked := 0
	for _, p := range r.Processes {
		if p.Forked {
			forked++
		}
	}
	if forked == 0 || !slices.ContainsFunc(r.Processes, func(p trace.Process) bool { return !p.Forked }) {
		t.Errorf("want the master and forked workers in the trace, got %+v", r.Processes)
	}
}

// tracedServer is a server run under `sesslife trace --json` in its own
// process group (killed with its children when the test ends).
type tracedServer struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when `sesslife trace` has ended
	err    error         // its Wait's error, once exited is closed
	out    lockedBuffer
	report string
}

// lockedBuffer is a program's output, which the test may read while the
// program still writes it (to report a failure).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTraced prepares `sesslife trace --json` on argv, its output in s.out.
func newTraced(t *testing.T, argv ...string) *tracedServer {
	s := &tracedServer{exited: make(chan struct{}), report: filepath.Join(t.TempDir(), "report.json")}
	s.cmd = exec.Command(env.sesslife, append([]string{"trace", "--json", s.report, "--"}, argv...)...)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	return s
}

// start starts it; its process group is killed when the test ends.
func (s *tracedServer) start(t *testing.T) {
	t.Helper()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { _ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) })
}

// waitListening waits until the traced server accepts on port, failing at
// once if it ends first.
func (s *tracedServer) waitListening(t *testing.T, port int) {
	t.Helper()
	waitListening(t, port, s.exited, s.out.String)
}

func startTraced(t *testing.T, argv ...string) *tracedServer {
	t.Helper()
	s := newTraced(t, argv...)
	s.start(t)
	return s
}

// child returns the pid of the process named comm whose parent is
// `sesslife trace` (the traced program; the recorder does not change its
// name). It looks in /proc once: it is called after clients were served
// through the program, which is therefore running.
func (s *tracedServer) child(t *testing.T, comm string) int {
	t.Helper()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		open, closing := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if open < 0 || closing < open {
			continue
		}
		fields := strings.Fields(string(stat[closing+1:]))
		if string(stat[open+1:closing]) == comm && len(fields) > 1 && fields[1] == strconv.Itoa(s.cmd.Process.Pid) {
			return pid
		}
	}
	t.Fatalf("no process %s under sesslife trace (pid %d)\n%s", comm, s.cmd.Process.Pid, s.out.String())
	return 0
}

// stop sends sig to the traced program named comm, waits for `sesslife
// trace` to end (hangGuard catches a program that does not stop) and
// returns its report, which must show every process exiting (an exit
// record: leaks are checked only then).
func (s *tracedServer) stop(t *testing.T, comm string, sig syscall.Signal) *trace.Report {
	t.Helper()
	if err := syscall.Kill(s.child(t, comm), sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-hangGuard(t):
		t.Fatalf("%s did not stop on %v before the test's deadline\n%s", comm, sig, s.out.String())
	}
	r := readReport(t, s.report, s.err, s.out.String())
	if len(r.Processes) == 0 || slices.ContainsFunc(r.Processes, func(p trace.Process) bool { return !p.Exited }) {
		t.Errorf("want every process to have exited, got %+v\n%s", r.Processes, s.out.String())
	}
	return r
}

// curlClose fetches n URLs from port with one curl, a new connection for
// each (Connection: close), so that curl resumes its session on every URL
// after the first; extra selects the TLS version.
func curlClose(t *testing.T, curl string, port, n int, extra ...string) {
	t.Helper()
	args := append([]string{"-sk", "-H", "Connection: close"}, extra...)
	for range n {
		args = append(args, "-o", "/dev/null")
	}
	args = append(args, urls(port, n)...)
	if b, err := exec.Command(curl, args...).CombinedOutput(); err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, b)
	}
}

// haproxyConf terminates TLS on a loopback port (the shared session cache,
// with tickets or without) and connects to openssl s_server with TLS, a
// new server connection for each request (http-reuse never), which
// resumes the session haproxy keeps for the server. Its timeouts, which
// haproxy requires, are an hour: only a hang reaches them, never a slow
// machine (every connection is closed after its one request).
const haproxyConf = `global
    nbthread 2
    tune.ssl.cachesize 1000
defaults
    mode http
    timeout connect 1h
    timeout client 1h
    timeout server 1h
    http-reuse never
frontend fe
    bind 127.0.0.1:{{port}} ssl crt {{pem}} {{tickets}}
    default_backend be
backend be
    server s1 127.0.0.1:{{backend}} ssl verify none {{tickets}}
`

// TestHAProxy: haproxy in the foreground (-db) between curl and openssl
// s_server, TLS on both sides, with tickets and with no-tls-tickets;
// stopped with SIGUSR1 (soft stop: the process exits once its connections
// are done; SIGTERM would kill it by the signal, without an exit record).
func TestHAProxy(t *testing.T) {
	need(t)
	haproxy := needProgram(t, "haproxy")
	curl := needProgram(t, "curl")
	backend := sServer(t)
	dir := t.TempDir()
	pem := filepath.Join(dir, "server.pem")
	var both []byte
	for _, f := range []string{env.cert, env.key} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		both = append(both, b...)
	}
	if err := os.WriteFile(pem, both, 0o600); err != nil {
		t.Fatal(err)
	}
	// Each variant: 6 client and 6 server handshakes. curl resumes 2 of
	// its 3 connections per TLS version; haproxy keeps the server's
	// session per thread, so each server connection after the first on its
	// thread (at least 6-2 of them with 2 threads) decodes it, offers it
	// and resumes. Without tickets, the client's resumptions go through the
	// shared cache's get_session_cb.
	for _, v := range []struct {
		name, tickets string
		atLeast       map[string]int
	}{
		{"tickets", "", nil},
		{"no-tls-tickets", "no-tls-tickets", map[string]int{"cb:get": 4}},
	} {
		t.Run(v.name, func(t *testing.T) {
			port := freePort(t)
			conf := filepath.Join(t.TempDir(), "haproxy.cfg")
			text := strings.NewReplacer("{{port}}", strconv.Itoa(port), "{{pem}}", pem, "{{tickets}}", v.tickets,
				"{{backend}}", strconv.Itoa(backend)).Replace(haproxyConf)
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			s := startTraced(t, haproxy, "-db", "-f", conf)
			s.waitListening(t, port)
			curlClose(t, curl, port, 3, "--tls-max", "1.2")
			curlClose(t, curl, port, 3, "--tlsv1.3")
			r := s.stop(t, "haproxy", syscall.SIGUSR1)
			atLeast := map[string]int{"cb:new": 6, "i2d_SSL_SESSION": 6, "d2i_SSL_SESSION": 4, "SSL_set_session": 4,
				"SSL_SESSION_free": 4, "ev:hs": 12, "ev:resumed": 8}
			for k, n := range v.atLeast {
				atLeast[k] = n
			}
			verify(t, r, s.out.String(), nil, atLeast)
		})
	}
}

// stunnelConf: [srv] accepts TLS and connects in plain text to [cli],
// which connects with TLS to openssl s_server, keeping the server's
// session in its client cache for the next connection.
const stunnelConf = `foreground = yes
pid =
output = {{dir}}/stunnel.log
[srv]
accept = 127.0.0.1:{{port}}
connect = 127.0.0.1:{{cliport}}
cert = {{cert}}
key = {{key}}
[cli]
client = yes
accept = 127.0.0.1:{{cliport}}
connect = 127.0.0.1:{{backend}}
verifyPeer = no
`

// TestStunnel: stunnel 5 in the foreground, a TLS server service feeding
// a TLS client service, driven by curl with TLS 1.2 and TLS 1.3; stopped
// with SIGTERM, on which stunnel leaves through exit(). The client service
// keeps the last session it was given for its destination until exit
// (docs/findings-apps.md, A2).
func TestStunnel(t *testing.T) {
	need(t)
	stunnel := needProgram(t, "stunnel4")
	curl := needProgram(t, "curl")
	backend := sServer(t)
	dir := t.TempDir()
	port, cliPort := freePort(t), freePort(t)
	conf := filepath.Join(dir, "stunnel.conf")
	text := strings.NewReplacer("{{dir}}", dir, "{{port}}", strconv.Itoa(port), "{{cliport}}", strconv.Itoa(cliPort),
		"{{cert}}", env.cert, "{{key}}", env.key, "{{backend}}", strconv.Itoa(backend)).Replace(stunnelConf)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTraced(t, stunnel, conf)
	s.waitListening(t, port) // stunnel listens on both before it accepts
	curlClose(t, curl, port, 3, "--tls-max", "1.2")
	curlClose(t, curl, port, 3, "--tlsv1.3")
	r := s.stop(t, "stunnel4", syscall.SIGTERM)
	// 6 handshakes on each side. curl resumes 2 of its 3 connections per
	// version; [cli] takes a reference on each session its new_session_cb
	// is given (one at least per server connection) and offers the one it
	// keeps on each server connection after the first, which resumes.
	verify(t, r, s.out.String(), []expected{{rule: model.RuleAppLeakRef, object: "stunnel4", because: model.RuleRefUpref}},
		map[string]int{"cb:new": 6, "SSL_SESSION_up_ref": 6, "SSL_set_session": 5, "ev:hs": 12, "ev:resumed": 9})
	// The reference leaked is the one the client service took on the
	// session its new_session_cb was given: the cache's line.
	if len(r.Findings) == 1 {
		h := r.Findings[0].History
		i := slices.IndexFunc(h, func(st trace.Step) bool { return st.Site != nil && *st.Site == r.Findings[0].Fix })
		if i < 1 || !strings.HasPrefix(h[i-1].What, "given to new_session_cb") {
			t.Errorf("want the leaked reference taken in new_session_cb, got history %+v", h)
		}
	}
}

// hangGuard fires shortly before the test's own deadline (go test
// -timeout), never otherwise: a program that does not stop fails the test
// with its output instead of a panic of the whole binary, and no verdict
// depends on how fast the machine is.
func hangGuard(t *testing.T) <-chan time.Time { return testwait.Guard(t) }

// rubySessions runs, for each of tickets on and off, a server and a client
// of Ruby's openssl extension in one process (the server in a thread),
// both limited to the TLS version of argv[2], and makes five connections
// one after the other: a full handshake; the client's SSLSocket#session
// offered with #session=; a copy of it made through DER
// (Session#to_der, Session.new); the previous session again after the
// server removed every session of its cache (session_remove, which calls
// session_remove_cb); and the previous one after the server flushed its
// cache (flush_sessions) and the client added its first session to its own
// cache and removed it (session_add, session_remove). The server keeps its
// sessions in a Hash through session_new_cb, session_get_cb and
// session_remove_cb, with the internal lookup off, so that without tickets
// every resumption goes through session_get_cb. Each offered session is
// the latest of its line: a TLS 1.3 ticket is never offered twice. It
// prints whether each connection resumed, and leaves the sessions of the
// last connection in the server's cache at exit.
const rubySessions = `
require "socket"
require "openssl"

cert = OpenSSL::X509::Certificate.new(File.read(ARGV[0]))
key = OpenSSL::PKey.read(File.read(ARGV[1]))
version = ARGV[2] == "1.2" ? OpenSSL::SSL::TLS1_2_VERSION : OpenSSL::SSL::TLS1_3_VERSION

def connect(port, ctx, offer)
  tcp = TCPSocket.new("127.0.0.1", port)
  ssl = OpenSSL::SSL::SSLSocket.new(tcp, ctx)
  ssl.session = offer if offer
  ssl.connect
  ssl.write("hello\n")
  ssl.gets # after the TLS 1.3 tickets
  reused, sess = ssl.session_reused?, ssl.session
  ssl.close
  tcp.close
  [reused, sess]
end

[true, false].each do |tickets|
  store, calls = {}, Hash.new(0)
  sctx = OpenSSL::SSL::SSLContext.new
  sctx.cert, sctx.key = cert, key
  sctx.min_version = sctx.max_version = version
  sctx.session_id_context = "sesslife"
  sctx.options |= OpenSSL::SSL::OP_NO_TICKET unless tickets
  sctx.session_cache_mode = OpenSSL::SSL::SSLContext::SESSION_CACHE_SERVER |
                            OpenSSL::SSL::SSLContext::SESSION_CACHE_NO_INTERNAL_LOOKUP
  sctx.session_new_cb = lambda { |(_, sess)| calls[:new] += 1; store[sess.id] = sess }
  sctx.session_get_cb = lambda { |(_, id)| calls[:get] += 1; store[id] }
  sctx.session_remove_cb = lambda { |(_, sess)| calls[:remove] += 1; store.delete(sess.id) }

  cctx = OpenSSL::SSL::SSLContext.new
  cctx.verify_mode = OpenSSL::SSL::VERIFY_NONE
  cctx.min_version = cctx.max_version = version
  cctx.session_cache_mode = OpenSSL::SSL::SSLContext::SESSION_CACHE_CLIENT
  cctx.session_new_cb = lambda { |(_, _)| calls[:client_new] += 1 }

  server = TCPServer.new("127.0.0.1", 0)
  port = server.addr[1]
  th = Thread.new do
    5.times do
      tcp = server.accept
      ssl = OpenSSL::SSL::SSLSocket.new(tcp, sctx)
      ssl.accept
      ssl.gets
      ssl.write("ok #{ssl.session.id.bytesize}\n")
      ssl.close
      tcp.close
    end
  end
  reused = []
  r, s = connect(port, cctx, nil); reused << r
  first = s
  r, s = connect(port, cctx, s); reused << r
  r, s = connect(port, cctx, OpenSSL::SSL::Session.new(s.to_der)); reused << r
  store.values.each { |x| sctx.session_remove(x) }
  r, s = connect(port, cctx, s); reused << r
  sctx.flush_sessions(Time.now + 86400)
  cctx.session_add(first)
  cctx.session_remove(first)
  s.timeout = 600
  r, s = connect(port, cctx, s); reused << r
  th.join
  server.close
  puts "tickets=#{tickets} reused=#{reused} get_cb=#{calls[:get] > 0} remove_cb=#{calls[:remove] > 0}"
end
`

// TestRuby: Ruby's openssl extension, server and client in one process,
// with the session API of SSLContext, SSLSocket and Session (rubySessions),
// TLS 1.2 and TLS 1.3. The extension's session_remove_cb wrapper takes a
// reference for every session SSL_CTX_free removes from a cache while Ruby
// finalizes its objects at exit, and that reference is never given back
// (docs/findings-apps.md, A3).
func TestRuby(t *testing.T) {
	need(t)
	ruby := needProgram(t, "ruby")
	script := filepath.Join(t.TempDir(), "sessions.rb")
	if err := os.WriteFile(script, []byte(rubySessions), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		version string
		// the tickets=true line: a ticket resumes without the server's
		// cache, so removing and flushing it change nothing (with TLS
		// 1.2 the server does not even cache a session it gave a
		// ticket for: neither session_get_cb nor session_remove_cb runs)
		tickets string
		atLeast map[string]int
	}{
		{"1.2", "tickets=true reused=[false, true, true, true, true] get_cb=false remove_cb=false",
			map[string]int{"cb:new": 4, "cb:get": 3, "cb:remove": 3}},
		{"1.3", "tickets=true reused=[false, true, true, true, true] get_cb=false remove_cb=true",
			map[string]int{"cb:new": 20, "cb:get": 3, "cb:remove": 10}},
	} {
		t.Run("tls"+strings.ReplaceAll(v.version, ".", ""), func(t *testing.T) {
			r, out := sesslifeTrace(t, "", ruby, script, env.cert, env.key, v.version)
			// Without tickets a removed or flushed session no longer
			// resumes: the cache calls took effect.
			for _, line := range []string{v.tickets, "tickets=false reused=[false, true, true, false, false] get_cb=true remove_cb=true"} {
				if !strings.Contains(out, line) {
					t.Errorf("want %q in the output:\n%s", line, out)
				}
			}
			atLeast := map[string]int{"SSL_set_session": 8, "SSL_get1_session": 20, "SSL_SESSION_up_ref": 4,
				"d2i_SSL_SESSION_bio": 2, "i2d_SSL_SESSION": 2, "SSL_CTX_add_session": 2, "SSL_CTX_remove_session": 3,
				"SSL_CTX_flush_sessions": 2, "SSL_SESSION_free": 20, "ev:hs": 20, "ev:resumed": 10}
			for k, n := range v.atLeast {
				atLeast[k] = n
			}
			verify(t, r, out, []expected{{rule: model.RuleAppLeakRef, object: "/openssl.so", because: model.RuleRefUpref}}, atLeast)
			// The session leaked is one that SSL_CTX_free handed to
			// remove_cb, whose wrapper took a reference then, at exit.
			if len(r.Findings) == 1 {
				h := r.Findings[0].History
				i := slices.IndexFunc(h, func(st trace.Step) bool { return strings.HasPrefix(st.What, "given to remove_cb") })
				if i < 0 || i+1 >= len(h) || h[i+1].What != "passed to SSL_SESSION_up_ref" {
					t.Errorf("want the leaked session given to remove_cb at exit and taken there, got history %+v", h)
				}
			}
		})
	}
}

// apacheConf runs Debian's apache2 with the prefork MPM, two children and
// mod_ssl on one loopback port, everything it writes in dir, its error log
// on its stderr (where the test waits for "resuming normal operations",
// logged once it listens), sessions in the shmcb cache, and tickets on or
// off. The children serve as www-data: apache refuses to serve as root.
const apacheConf = `ServerRoot {{dir}}
ServerName localhost
PidFile {{dir}}/apache2.pid
DefaultRuntimeDir {{dir}}
ErrorLog /dev/stderr
LogLevel notice
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
User www-data
Group www-data
StartServers 2
MinSpareServers 2
MaxSpareServers 2
ServerLimit 2
MaxRequestWorkers 2
Listen 127.0.0.1:{{port}} https
SSLSessionCache shmcb:{{dir}}/ssl_scache(512000)
<VirtualHost 127.0.0.1:{{port}}>
  SSLEngine on
  SSLCertificateFile {{cert}}
  SSLCertificateKeyFile {{key}}
  SSLSessionTickets {{tickets}}
</VirtualHost>
`

// announced is the output of a traced server that says when it is ready:
// all of it goes to the server's buffer, and ready is closed once marker
// has been written. exec.Cmd gives one goroutine the program's stdout and
// stderr when both are the same writer, so Write is never concurrent.
type announced struct {
	to     *lockedBuffer
	marker string
	ready  chan struct{}
	closed bool
}

func (a *announced) Write(p []byte) (int, error) {
	_, _ = a.to.Write(p)
	if !a.closed && strings.Contains(a.to.String(), a.marker) {
		a.closed = true
		close(a.ready)
	}
	return len(p), nil
}

// TestApache: apache2 2.4 with mod_ssl (prefork, a master and two children,
// which the recorder follows through fork) and SSLSessionCache shmcb, with
// SSLSessionTickets on and off; curl makes 3 requests with TLS 1.2 and 3
// with TLS 1.3, each on a new connection, resuming after the first. It is
// stopped gracefully with SIGWINCH: the children exit through exit() once
// idle, then the master. The master ends with SIGTERM to its whole process
// group, which would interrupt `sesslife trace` itself, so apache runs in
// a session of its own (setsid, which execs it without forking: `sesslife
// trace` is a group leader, so its child is not).
func TestApache(t *testing.T) {
	need(t)
	apache := needProgram(t, "apache2")
	setsid := needProgram(t, "setsid")
	curl := needProgram(t, "curl")
	for _, v := range []struct {
		tickets string
		atLeast map[string]int
	}{
		{"on", nil},
		// Without tickets every resumption, TLS 1.3's included (stateful
		// tickets), is a lookup in the shared cache.
		{"off", map[string]int{"cb:get": 4, "d2i_SSL_SESSION": 4}},
	} {
		t.Run("tickets-"+v.tickets, func(t *testing.T) {
			dir := t.TempDir()
			port := freePort(t)
			conf := filepath.Join(dir, "apache2.conf")
			text := strings.NewReplacer("{{dir}}", dir, "{{port}}", strconv.Itoa(port), "{{cert}}", env.cert,
				"{{key}}", env.key, "{{tickets}}", v.tickets).Replace(apacheConf)
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			s := newTraced(t, setsid, apache, "-d", dir, "-f", conf, "-DFOREGROUND")
			w := &announced{to: &s.out, marker: "resuming normal operations", ready: make(chan struct{})}
			s.cmd.Stdout, s.cmd.Stderr = w, w
			s.start(t)
			select {
			case <-w.ready:
			case <-s.exited:
				t.Fatalf("apache2 ended before it listened: %v\n%s", s.err, s.out.String())
			case <-hangGuard(t):
				t.Fatalf("apache2 did not start before the test's deadline")
			}
			// Its own session is out of reach of the cleanup above.
			master := s.child(t, "apache2")
			t.Cleanup(func() { _ = syscall.Kill(-master, syscall.SIGKILL) })
			curlClose(t, curl, port, 3, "--tls-max", "1.2")
			curlClose(t, curl, port, 3, "--tlsv1.3")
			r := s.stop(t, "apache2", syscall.SIGWINCH)
			// 6 handshakes, of which curl resumes 2 per TLS version.
			atLeast := map[string]int{"cb:new": 4, "i2d_SSL_SESSION": 4, "SSL_free": 6, "ev:hs": 6, "ev:resumed": 4}
			for k, n := range v.atLeast {
				atLeast[k] = n
			}
			verify(t, r, s.out.String(), nil, atLeast)
			// A child that served no connection made no session call and
			// left no trace: one of the two may be missing.
			if !slices.ContainsFunc(r.Processes, func(p trace.Process) bool { return !p.Forked }) ||
				!slices.ContainsFunc(r.Processes, func(p trace.Process) bool { return p.Forked }) {
				t.Errorf("want the master and a forked child in the trace, got %+v", r.Processes)
			}
			for _, n := range r.Notes {
				if strings.Contains(n, "interrupted") {
					t.Errorf("sesslife trace was interrupted: %v", r.Notes)
				}
			}
		})
	}
}
