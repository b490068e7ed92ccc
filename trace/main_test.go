package trace_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// env is what TestMain prepares once: the recorder and the sesslife
// command built into a temporary directory, and a throwaway certificate.
var env struct {
	dir, recorder, sesslife string
	cert, key               string
	buildErr                error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sesslife-trace-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	env.dir = dir
	env.buildErr = setUp(dir)
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func setUp(dir string) error {
	env.recorder = filepath.Join(dir, "libsesslife-trace.so")
	if lib := os.Getenv("SESSLIFE_TRACE_LIB"); lib != "" {
		env.recorder = lib
	} else if out, err := exec.Command("make", "-s", "-C", filepath.Join("recorder"), "BINDIR="+dir).CombinedOutput(); err != nil {
		return fmt.Errorf("building the recorder: %v\n%s", err, out)
	}
	env.sesslife = filepath.Join(dir, "sesslife")
	if out, err := exec.Command("go", "build", "-o", env.sesslife, "../cmd/sesslife").CombinedOutput(); err != nil {
		return fmt.Errorf("building sesslife: %v\n%s", err, out)
	}
	env.cert, env.key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	return writeCert(env.cert, env.key)
}

// writeCert writes a self-signed P-256 certificate for localhost and
// 127.0.0.1, valid for a day.
func writeCert(certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
}

// need fails the test when the set-up failed under CI=true, and skips it
// elsewhere.
func need(t *testing.T) {
	t.Helper()
	if env.buildErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the set-up failed: %v", env.buildErr)
		}
		t.Skipf("no recorder: %v", env.buildErr)
	}
}

// needProgram returns the path of a program the test runs, failing under
// CI=true when it is missing (make deps-trace installs it).
func needProgram(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s is missing (make deps-trace installs it): %v", name, err)
		}
		t.Skipf("no %s: %v", name, err)
	}
	return p
}
