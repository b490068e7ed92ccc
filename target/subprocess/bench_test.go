package subprocess

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// The shim's performance figures (docs/perf.md): what one protocol call
// costs, and how many checked calls per second the harness gets out of
// OpenSSL compared with the shim's own raw rate for the same calls.
//
//	make bench-shim

// mixIterations is how many connection rounds one pass of the mix has.
const mixIterations = 16

// mix is the handshake-heavy call sequence every rate here is measured on,
// with what the model says each call does.
type mix struct {
	profile model.Profile // the model the results come from
	ops     []model.Op
	results []model.Result
	obs     []model.Observation // after each call
}

// handshakeMix builds the mix from an empty universe: two SSL_CTXs and a
// TLS 1.2 session kept for resumption, then n rounds of a TLS 1.3
// connection (handshake, both tickets read, SSL_get1_session and its free,
// three SSL_shutdown calls, two SSL_free), every other round also a TLS 1.2
// connection resumed with SSL_set_session, then everything freed. The model
// names the sessions, so the handles are the ones the shim will give.
// With fresh, each resumed TLS 1.2 connection resumes a session made just
// before it instead of the first one: wolfSSL's cache places entries by
// their random ids, so the model cannot know whether an entry 16 rounds old
// is still there (WOLF-EVICT-UNKNOWN).
func handshakeMix(p model.Profile, n int, fresh bool) (mix, error) {
	st := model.New(p)
	m := mix{profile: p}
	var ssls model.Handle
	do := func(op model.Op) (int64, error) {
		r, err := st.Step(op)
		if err != nil {
			return 0, fmt.Errorf("mix call %d %s: %w", len(m.ops)+1, op, err)
		}
		m.ops = append(m.ops, op)
		m.results = append(m.results, r)
		m.obs = append(m.obs, st.Observe())
		return r.Ret, nil
	}
	// conn runs one connection between new SSLs on ctx1 and ctx2; resume,
	// when not 0, is set on the client first.
	conn := func(v model.Version, resume model.Handle, tickets int, keep bool) (model.Handle, error) {
		c, s := ssls+1, ssls+2
		ssls += 2
		ops := []model.Op{sslNew(c, 1), sslNew(s, 2)}
		if resume != 0 {
			ops = append(ops, setSession(c, resume))
		}
		ops = append(ops, hs(c, s, v))
		for range tickets {
			ops = append(ops, onSSL(model.ReadTicket, c))
		}
		if resume != 0 {
			ops = append(ops, onSSL(model.SessionReused, c))
		}
		for _, op := range ops {
			if _, err := do(op); err != nil {
				return 0, err
			}
		}
		sess, err := do(onSSL(model.Get1, c))
		if err != nil {
			return 0, err
		}
		if !keep {
			if _, err := do(onSess(model.SessFree, model.Handle(sess))); err != nil {
				return 0, err
			}
		}
		for _, op := range closeBoth(c, s) {
			if _, err := do(op); err != nil {
				return 0, err
			}
		}
		return model.Handle(sess), nil
	}
	for _, op := range []model.Op{ctxNewOp(1, client(nil)), ctxNewOp(2, server(nil))} {
		if _, err := do(op); err != nil {
			return mix{}, err
		}
	}
	sess12, err := conn(model.TLS12, 0, 0, true)
	if err != nil {
		return mix{}, err
	}
	for i := range n {
		if _, err := conn(model.TLS13, 0, 2, false); err != nil {
			return mix{}, err
		}
		if i%2 == 1 {
			resume := sess12
			if fresh {
				if resume, err = conn(model.TLS12, 0, 0, true); err != nil {
					return mix{}, err
				}
			}
			if _, err := conn(model.TLS12, resume, 0, false); err != nil {
				return mix{}, err
			}
			if fresh {
				if _, err := do(onSess(model.SessFree, resume)); err != nil {
					return mix{}, err
				}
			}
		}
	}
	for _, op := range []model.Op{onSess(model.SessFree, sess12), onCtx(model.CtxFree, 1), onCtx(model.CtxFree, 2)} {
		if _, err := do(op); err != nil {
			return mix{}, err
		}
	}
	return m, nil
}

// handshakes counts the mix's handshakes.
func (m mix) handshakes() int {
	n := 0
	for _, op := range m.ops {
		if op.Kind == model.Handshake {
			n++
		}
	}
	return n
}

// requests renders the mix as the protocol request lines the harness would
// send (same encoder, same clock), the input of the shim's --bench-raw.
func (m mix) requests() ([]byte, error) {
	var buf bytes.Buffer
	now := m.profile.StartTime
	for i, op := range m.ops {
		if op.Kind == model.Tick {
			now += op.Arg
		}
		req := requestFor(op)
		req.ID, req.Now = uint64(i+1), now
		line, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		buf.Write(append(line, '\n'))
	}
	return buf.Bytes(), nil
}

// resultHash is the FNV-1a hash the shim's --bench-raw prints: every
// call's value and events, as little-endian int64s.
func resultHash(rs []model.Result) uint64 {
	h := fnv.New64a()
	var b [8]byte
	put := func(v int64) {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	for _, r := range rs {
		put(r.Ret)
		put(int64(len(r.Events)))
		for _, e := range r.Events {
			put(int64(e.Kind))
			put(int64(e.Ctx))
			put(int64(e.Sess))
		}
	}
	return h.Sum64()
}

// rawRun is what one --bench-raw run printed.
type rawRun struct {
	passes, calls int64
	seconds, cpu  float64
	hash          uint64
}

// runRaw runs the shim's raw mode on the request file for passes passes.
func runRaw(shim, file string, passes int) (rawRun, error) {
	cmd := exec.Command(shim, "--bench-raw", strconv.Itoa(passes), file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return rawRun{}, fmt.Errorf("%s --bench-raw: %v\n%s", shim, err, stderr.String())
	}
	var r rawRun
	var rate, ns float64
	if _, err := fmt.Sscanf(string(out), "bench-raw: passes %d calls %d seconds %g cpu-seconds %g calls/s %g ns/call %g fnv64a %x\n",
		&r.passes, &r.calls, &r.seconds, &r.cpu, &rate, &ns, &r.hash); err != nil {
		return rawRun{}, fmt.Errorf("%s --bench-raw printed %q: %v", shim, out, err)
	}
	return r, nil
}

// writeMix writes the mix's requests to a file in a temporary directory.
func writeMix(tb testing.TB, m mix) string {
	tb.Helper()
	reqs, err := m.requests()
	if err != nil {
		tb.Fatal(err)
	}
	file := filepath.Join(tb.TempDir(), "mix.jsonl")
	if err := os.WriteFile(file, reqs, 0o644); err != nil {
		tb.Fatal(err)
	}
	return file
}

// runTarget runs the mix on tg alone (no model, no Observe) and checks
// each result against the model's.
func runTarget(ctx context.Context, tg target.Target, m mix) error {
	if err := tg.Reset(ctx); err != nil {
		return err
	}
	for i, op := range m.ops {
		r, err := tg.Apply(ctx, op)
		if err != nil {
			return fmt.Errorf("call %d: %v", i+1, err)
		}
		if !r.Equal(m.results[i]) {
			return fmt.Errorf("call %d %s = %s, want %s", i+1, op, r.Format(op), m.results[i].Format(op))
		}
	}
	return nil
}

// TestHandshakeMix checks the mix itself: OpenSSL through the shim agrees
// with the model on it call by call, it resumes where it means to, and the
// raw mode does the same calls with the same results on every pass.
func TestHandshakeMix(t *testing.T) {
	t.Parallel()
	m, err := handshakeMix(model.OpenSSL30(), 4, false)
	if err != nil {
		t.Fatal(err)
	}
	reused := 0
	for i, op := range m.ops {
		if op.Kind == model.SessionReused {
			reused += int(m.results[i].Ret)
		}
	}
	if reused != 2 || m.handshakes() != 7 {
		t.Errorf("the mix of 4 rounds resumes %d times in %d handshakes, want 2 in 7", reused, m.handshakes())
	}
	tg := newOpenSSL(t, "sesslife-shim-openssl")
	for _, window := range []int{1, properties.DefaultWindow} {
		if d, err := lockstep(context.Background(), tg, m.ops, window); err != nil || d != nil {
			t.Fatalf("lockstep, window %d: %v %v", window, err, d)
		}
	}
	raw, err := runRaw(needShim(t, "sesslife-shim-openssl"), writeMix(t, m), 3)
	if err != nil {
		t.Fatal(err)
	}
	if raw.passes != 3 || raw.calls != int64(3*len(m.ops)) {
		t.Errorf("raw run: %d passes, %d calls; want 3, %d", raw.passes, raw.calls, 3*len(m.ops))
	}
	if want := resultHash(m.results); raw.hash != want {
		t.Errorf("raw run results hash %016x, the model's %016x: the raw mode did other calls or got other results",
			raw.hash, want)
	}
}

// TestBenchRawRejectsBadInput: the raw mode names the line it cannot use.
func TestBenchRawRejectsBadInput(t *testing.T) {
	t.Parallel()
	shim := needShim(t, "sesslife-shim-openssl")
	dir := t.TempDir()
	for i, c := range []struct {
		args  []string
		lines string
		want  string
	}{
		{[]string{"0"}, `{"id":1,"now":1,"op":"tick"}`, "PASSES 0 must be"},
		{[]string{"1"}, "{\"id\":1,\"now\":1,\"op\":\"tick\"}\n{\"id\":2,\"op\":\"observe\"}", `:2: "observe" is not a call`},
		{[]string{"1"}, `{"id":1,"op":"tick"}`, `:1: "now" is missing`},
		{[]string{"1"}, `{"id":1,"now":1,"op":"SSL_free","ssl":3}`, ":1: SSL_free: ssl 3 is not a live SSL"},
		{[]string{"1"}, `{"id":1,"now":1,"op":`, ":1: byte 21: unexpected end of input"},
		{[]string{"1"}, "\n", "holds no calls"},
		{nil, "", "usage:"},
	} {
		file := filepath.Join(dir, fmt.Sprintf("bad%d.jsonl", i))
		if err := os.WriteFile(file, []byte(c.lines), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"--bench-raw"}
		if c.args != nil {
			args = append(args, append(c.args, file)...)
		}
		out, err := exec.Command(shim, args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("--bench-raw %v on %q: %v, %q; want a failure saying %q", c.args, c.lines, err, out, c.want)
		}
	}
}

// reportRate reports calls/s and ns/call, and returns the rate.
func reportRate(b *testing.B, calls int64, seconds float64) float64 {
	rate := float64(calls) / seconds
	b.ReportMetric(rate, "calls/s")
	b.ReportMetric(seconds*1e9/float64(calls), "ns/call")
	return rate
}

// cpuMeter measures the CPU time this process and a shim spend, which the
// machine's other load disturbs less than the wall clock.
type cpuMeter struct {
	pid       int
	self, sub time.Duration
}

func startCPU(b *testing.B, tg target.Target) *cpuMeter {
	m := &cpuMeter{pid: tg.(*Target).proc.cmd.Process.Pid}
	// The shim's first: reading /proc costs this process CPU time, which
	// is the meter's, not the harness's (since reads its own first).
	m.sub = taskCPU(b, m.pid)
	m.self = selfCPU(b)
	return m
}

// since returns the CPU time this process and the shim spent since the
// start.
func (m *cpuMeter) since(b *testing.B) (self, shim time.Duration) {
	return selfCPU(b) - m.self, taskCPU(b, m.pid) - m.sub
}

// stop reports the CPU time per call of this process and of both.
func (m *cpuMeter) stop(b *testing.B, calls int64) {
	self, shim := m.since(b)
	b.ReportMetric(float64(self.Nanoseconds())/float64(calls), "go-cpu-ns/call")
	b.ReportMetric(float64((self+shim).Nanoseconds())/float64(calls), "cpu-ns/call")
}

// selfCPU is the user and system time of this process.
func selfCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// taskCPU is the CPU time of process pid and its descendants: the run time
// of every live thread (the first field of /proc/PID/task/TID/schedstat, in
// nanoseconds) and the user and system time of the children it has waited
// for (/proc/PID/stat). The wolfSSL shim serves each universe from a
// forked child (shim/wolfssl/fresh.c).
func taskCPU(b *testing.B, pid int) time.Duration {
	files, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(files) == 0 {
		b.Fatalf("no schedstat for shim %d: %v", pid, err)
	}
	return treeCPU(b, pid)
}

// userHZ is the unit of the times in /proc/PID/stat (proc(5)).
const userHZ = 100

func treeCPU(b *testing.B, pid int) time.Duration {
	var sum time.Duration
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // a thread that just ended
		}
		ns, err := strconv.ParseInt(strings.Fields(string(data))[0], 10, 64)
		if err != nil {
			b.Fatalf("%s: %v", f, err)
		}
		sum += time.Duration(ns)
	}
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		for _, i := range []int{13, 14} { // cutime, cstime: fields 16 and 17 of proc(5)
			if len(f) > i {
				ticks, _ := strconv.ParseInt(f[i], 10, 64)
				sum += time.Duration(ticks) * time.Second / userHZ
			}
		}
	}
	kids, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, k := range kids {
		data, _ := os.ReadFile(k)
		for _, c := range strings.Fields(string(data)) {
			if child, err := strconv.Atoi(c); err == nil {
				sum += treeCPU(b, child)
			}
		}
	}
	return sum
}

// rawEvery is how many passes the harness benchmarks run between two raw
// runs of as many passes (see BenchmarkShimMix).
const rawEvery = 4

// BenchmarkShimMix measures the handshake-heavy mix four ways, one pass
// of the mix per op: raw (the shim's C loop, no protocol), target (through
// the protocol, no model, no Observe), lockstep (the whole check:
// model, target, comparison, Observe after every call, each call compared
// before the next is sent) and pipelined (the same checks as the engines
// run them, properties.DefaultWindow calls in flight).
//
// The last three also report their speed as a percentage of raw's
// (%raw; %raw-cpu for CPU time per call). Other load on the machine moves
// both rates a lot, so those ratios come from raw runs interleaved with
// the harness's own: after every rawEvery passes the timer stops and raw
// runs as many, and each side's time is summed over the whole run.
func BenchmarkShimMix(b *testing.B) {
	for _, lib := range benchLibraries {
		b.Run(lib.name, func(b *testing.B) { benchmarkShimMix(b, lib) })
	}
}

// benchLibrary is a shim BenchmarkShimMix measures, with the profile
// whose model gives the mix's results on it.
type benchLibrary struct {
	name, shim  string
	profile     func() model.Profile
	freshResume bool // see handshakeMix
}

// benchLibraries are the shims with a raw mode (shim/common/bench.c).
var benchLibraries = []benchLibrary{
	{"openssl", "sesslife-shim-openssl", model.OpenSSL30, false},
	{"wolfssl", "sesslife-shim-wolfssl", model.WolfSSL55, true},
}

func benchmarkShimMix(b *testing.B, lib benchLibrary) {
	m, err := handshakeMix(lib.profile(), mixIterations, lib.freshResume)
	if err != nil {
		b.Fatal(err)
	}
	shim := needShim(b, lib.shim)
	file := writeMix(b, m)
	ctx := context.Background()
	b.Logf("%s mix: %d calls, %d handshakes per pass", lib.name, len(m.ops), m.handshakes())
	raw := func(b *testing.B, passes int) rawRun {
		r, err := runRaw(shim, file, passes)
		if err != nil {
			b.Fatal(err)
		}
		if want := resultHash(m.results); r.hash != want {
			b.Fatalf("raw results hash %016x, want %016x", r.hash, want)
		}
		return r
	}
	harness := func(pass func(target.Target) error) func(*testing.B) {
		return func(b *testing.B) {
			tg, err := New(shim)
			if err != nil {
				b.Fatal(err)
			}
			defer tg.Close()
			var wall, rawWall, goCPU, shimCPU time.Duration
			var rawCPU float64
			for done := 0; done < b.N; {
				n := min(rawEvery, b.N-done)
				meter := startCPU(b, tg)
				start := time.Now()
				for range n {
					if err := pass(tg); err != nil {
						b.Fatal(err)
					}
				}
				wall += time.Since(start)
				self, sub := meter.since(b)
				goCPU, shimCPU = goCPU+self, shimCPU+sub
				b.StopTimer()
				r := raw(b, n)
				rawWall += time.Duration(r.seconds * float64(time.Second))
				rawCPU += r.cpu
				b.StartTimer()
				done += n
			}
			calls := int64(b.N * len(m.ops))
			reportRate(b, calls, wall.Seconds())
			cpu := goCPU + shimCPU
			b.ReportMetric(float64(goCPU.Nanoseconds())/float64(calls), "go-cpu-ns/call")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(calls), "cpu-ns/call")
			b.ReportMetric(100*rawWall.Seconds()/wall.Seconds(), "%raw")
			b.ReportMetric(100*rawCPU/cpu.Seconds(), "%raw-cpu")
		}
	}

	b.Run("raw", func(b *testing.B) {
		r := raw(b, b.N)
		b.ReportMetric(r.seconds*1e9/float64(r.passes), "ns/op")
		reportRate(b, r.calls, r.seconds)
		b.ReportMetric(r.cpu*1e9/float64(r.calls), "cpu-ns/call")
	})
	b.Run("target", harness(func(tg target.Target) error { return runTarget(ctx, tg, m) }))
	checked := func(window int) func(target.Target) error {
		return func(tg target.Target) error {
			d, err := lockstepWith(ctx, tg, m.profile, m.ops, window)
			if err == nil && d != nil {
				err = d
			}
			return err
		}
	}
	b.Run("lockstep", harness(checked(1)))
	b.Run("pipelined", harness(checked(properties.DefaultWindow)))
}

// BenchmarkProtocolCost is the price of one protocol round trip on cheap
// calls, through the real shim and through the do-nothing fake shim (this
// test binary answering from Go), which separates pipe and JSON cost from
// OpenSSL's. One op is one call (or one Observe).
func BenchmarkProtocolCost(b *testing.B) {
	ctx := context.Background()
	apply := func(op model.Op) func(target.Target) error {
		return func(tg target.Target) error { _, err := tg.Apply(ctx, op); return err }
	}
	calls := []struct {
		name string
		run  func(target.Target) error
	}{
		{"SSL_CTX_sess_number", apply(onCtx(model.SessNumber, 1))},
		{"tick", apply(tick(1))},
		{"observe", func(tg target.Target) error { _, err := tg.Observe(ctx); return err }},
	}
	for _, shim := range []string{"openssl", "fake"} {
		for _, c := range calls {
			b.Run(shim+"/"+c.name, func(b *testing.B) {
				path, opts := fakeShim("echo")
				if shim == "openssl" {
					path, opts = needShim(b, "sesslife-shim-openssl"), nil
				}
				tg, err := New(path, opts...)
				if err != nil {
					b.Fatal(err)
				}
				defer tg.Close()
				if _, err := tg.Apply(ctx, ctxNewOp(1, server(nil))); err != nil {
					b.Fatal(err)
				}
				cpu := startCPU(b, tg)
				for b.Loop() {
					if err := c.run(tg); err != nil {
						b.Fatal(err)
					}
				}
				reportRate(b, int64(b.N), b.Elapsed().Seconds())
				cpu.stop(b, int64(b.N))
			})
		}
	}
}
