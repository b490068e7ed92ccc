package clocktest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sesslife/sesslife/internal/testwait"
)

// The tests start python3 with the library preloaded and let it call the
// C functions through ctypes, as a shim written in Python would.

// ci reports whether a missing tool must fail the test rather than skip it.
func ci() bool { return os.Getenv("CI") == "true" }

// missing skips the test, or fails it under CI=true.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if ci() {
		t.Fatalf("CI=true and "+format, args...)
	}
	t.Skipf(format, args...)
}

// buildLib builds libsesslife-clock.so with its own Makefile into a
// temporary directory and returns its absolute path.
func buildLib(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("make", "-s", "-C", "..", "BINDIR="+dir, "all").CombinedOutput()
	if err != nil {
		missing(t, "libsesslife-clock.so cannot be built (make, cc): %v\n%s", err, out)
	}
	return filepath.Join(dir, "libsesslife-clock.so")
}

// python runs script with the library preloaded and decodes the one JSON
// line it prints into v.
func python(t *testing.T, lib, script string, v any, args ...string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		missing(t, "python3 is missing: %v", err)
	}
	// Only a hang reaches this: it ends near the test's own deadline.
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Budget(t))
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{"-c", script}, args...)...)
	cmd.Env = append(os.Environ(), "LD_PRELOAD="+lib)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\nstderr:\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("python3 printed %q: %v\nstderr:\n%s", out, err, stderr.String())
	}
}

// clockScript reads libc's time() and gettimeofday() before and after
// sesslife_clock_set, and Python's own time.time() after it.
const clockScript = `
import ctypes, json, time

class timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]

lib = ctypes.CDLL(None)  # the global scope, where the preloaded library comes first
lib.sesslife_clock_set.argtypes = [ctypes.c_longlong]
lib.sesslife_clock_set.restype = None
lib.time.argtypes = [ctypes.c_void_p]
lib.time.restype = ctypes.c_longlong

def gettimeofday():
    tv = timeval()
    if lib.gettimeofday(ctypes.byref(tv), None) != 0:
        raise SystemExit("gettimeofday failed")
    return [tv.tv_sec, tv.tv_usec]

before = lib.time(None)
lib.sesslife_clock_set(1700000000)
first = lib.time(None)
lib.sesslife_clock_set(1700000000 + 123456)
out = ctypes.c_longlong(0)
second = lib.time(ctypes.byref(out))
print(json.dumps({"before": before, "first": first, "second": second, "out": out.value,
                  "gettimeofday": gettimeofday(), "python": time.time()}))
`

// TestTimeFollowsClock checks that libc's time() and gettimeofday() in a
// process with the library preloaded report what sesslife_clock_set set,
// the real time before the first set, and that Python's own clock is left
// alone.
func TestTimeFollowsClock(t *testing.T) {
	lib := buildLib(t)
	var got struct {
		Before, First, Second, Out int64
		Gettimeofday               [2]int64
		Python                     float64
	}
	python(t, lib, clockScript, &got)
	const start = 1700000000
	if got.First != start || got.Second != start+123456 || got.Out != start+123456 {
		t.Errorf("time() after sesslife_clock_set = %d, %d (stored %d), want %d, %d", got.First, got.Second, got.Out,
			start, start+123456)
	}
	if got.Gettimeofday != [2]int64{start + 123456, 0} {
		t.Errorf("gettimeofday() = %v, want [%d 0]", got.Gettimeofday, start+123456)
	}
	// Both real-time readings are compared with the test's own clock with
	// a day's slack: a slow machine cannot make them fail.
	wall := time.Now().Unix()
	for name, v := range map[string]int64{"time() before the first set": got.Before, "Python's time.time()": int64(got.Python)} {
		if d := wall - v; d < -86400 || d > 86400 {
			t.Errorf("%s = %d, want the real time (about %d)", name, v, wall)
		}
	}
}

// sslScript runs two TLS 1.2 handshakes with Python's ssl module over
// memory BIOs, pumped in lockstep as the shims do, with the clock set to
// a different time before each, and prints each session's time as the
// client and the server see it.
const sslScript = `
import ctypes, json, ssl, sys

lib = ctypes.CDLL(None)
lib.sesslife_clock_set.argtypes = [ctypes.c_longlong]
lib.sesslife_clock_set.restype = None

client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
client.check_hostname = False
client.verify_mode = ssl.CERT_NONE  # self-signed, as the C shims' certificates
server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server.load_cert_chain(sys.argv[1], sys.argv[2])
for c in (client, server):
    c.minimum_version = c.maximum_version = ssl.TLSVersion.TLSv1_2

def step(obj):
    try:
        obj.do_handshake()
        return True
    except ssl.SSLWantReadError:
        return False

def handshake(now):
    lib.sesslife_clock_set(now)
    cin, cout, sin, sout = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = client.wrap_bio(cin, cout)
    s = server.wrap_bio(sin, sout, server_side=True)
    cdone = sdone = False
    for _ in range(64):
        cdone = cdone or step(c)
        moved = cout.pending
        sin.write(cout.read())
        sdone = sdone or step(s)
        moved += sout.pending
        cin.write(sout.read())
        if cdone and sdone:
            return [c.session.time, s.session.time]
        if moved == 0:
            break
    raise SystemExit("the handshake stopped making progress")

print(json.dumps([handshake(1700000000), handshake(1700000000 + 123456)]))
`

// TestPythonSSLSeesClock checks that Python's own ssl module, which calls
// libssl, takes session times from the preloaded clock.
func TestPythonSSLSeesClock(t *testing.T) {
	lib := buildLib(t)
	if py, err := exec.LookPath("python3"); err == nil {
		if out, err := exec.Command(py, "-c", "import ssl").CombinedOutput(); err != nil {
			missing(t, "python3 has no ssl module: %v\n%s", err, out)
		}
	}
	cert, key := selfSigned(t)
	var got [][2]int64
	python(t, lib, sslScript, &got, cert, key)
	want := [][2]int64{{1700000000, 1700000000}, {1700123456, 1700123456}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("session times (client, server) = %v, want %v", got, want)
	}
}

// selfSigned writes a throwaway self-signed P-256 certificate and its key
// as PEM files and returns their paths. Go makes it, so the test needs no
// openssl command; it is valid around every time the test sets.
func selfSigned(t *testing.T) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sesslife"},
		NotBefore: time.Unix(1600000000, 0), NotAfter: time.Unix(1900000000, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for path, block := range map[string]*pem.Block{cert: {Type: "CERTIFICATE", Bytes: der},
		key: {Type: "PRIVATE KEY", Bytes: kder}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cert, key
}
