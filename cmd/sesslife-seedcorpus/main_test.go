package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEncode: each argument is written the way go-118-fuzz-build's reader
// takes it back (length-prefixed bytes, one byte for a uint8), an empty last
// argument has no encoding, and bad files are errors naming the line.
func TestEncode(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []byte
		ok         bool
		err        string
	}{
		{"bytes", header + "\n[]byte(\"ab\\n\")\n", []byte{0, 0, 0, 3, 'a', 'b', '\n'}, true, ""},
		{"bytes and uint8", header + "\n[]byte(\"x\")\nuint8(5)\n", []byte{0, 0, 0, 1, 'x', 5}, true, ""},
		{"empty bytes then byte", header + "\n[]byte(\"\")\nbyte('\\x02')\n", []byte{0, 0, 0, 0, 2}, true, ""},
		{"string", header + "\nstring(\"hi\")", []byte{0, 0, 0, 2, 'h', 'i'}, true, ""},
		{"empty last", header + "\n[]byte(\"\")\n", nil, false, ""},
		{"no header", "[]byte(\"x\")\n", nil, false, "1: not a Go fuzz corpus file"},
		{"no values", header + "\n", nil, false, "1: no values"},
		{"other type", header + "\nint(3)\n", nil, false, "2: type int"},
		{"bad quote", header + "\n[]byte(\"x)\n", nil, false, "2: []byte value"},
		{"big byte", header + "\nuint8(300)\n", nil, false, "2: uint8 value"},
		{"not a call", header + "\nhello\n", nil, false, "2: want TYPE(VALUE)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok, err := encode(c.text)
			if c.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.err) {
					t.Fatalf("error %v, want one starting %q", err, c.err)
				}
				return
			}
			if err != nil || ok != c.ok || !bytes.Equal(got, c.want) {
				t.Fatalf("encode = %v, %v, %v; want %v, %v", got, ok, err, c.want, c.ok)
			}
		})
	}
}

// TestRepositoryCorpora: every seed corpus the OSS-Fuzz build packages
// converts, and only seeds with an empty last argument are left out.
func TestRepositoryCorpora(t *testing.T) {
	for _, dir := range []string{
		"../../fuzz/testdata/fuzz/FuzzDecodeImpl",
		"../../fuzz/testdata/fuzz/FuzzDecodeOpenSSL",
		"../../target/subprocess/shimfuzz/testdata/fuzz/FuzzShimReply",
		"../../target/subprocess/shimfuzz/testdata/fuzz/FuzzShimHello",
		"../../scenario/testdata/fuzz/FuzzParse",
	} {
		seeds, skipped, err := readCorpus(dir)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if len(seeds) == 0 {
			t.Errorf("%s: no seeds", dir)
		}
		for _, name := range skipped {
			b, _ := os.ReadFile(filepath.Join(dir, name))
			if !strings.HasSuffix(strings.TrimRight(string(b), "\n"), `("")`) {
				t.Errorf("%s: %s left out, but its last argument is not empty", dir, name)
			}
		}
	}
}

// TestRun writes a zip and a directory with the same seeds.
func TestRun(t *testing.T) {
	src := t.TempDir()
	for name, text := range map[string]string{
		"a":     header + "\n[]byte(\"one\")\n",
		"b":     header + "\n[]byte(\"two\")\nuint8(1)\n",
		"empty": header + "\n[]byte(\"\")\n",
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	var stderr bytes.Buffer
	zipPath := filepath.Join(out, "x_seed_corpus.zip")
	if code := run([]string{"-o", zipPath, src}, &stderr); code != 0 {
		t.Fatalf("-o: status %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "1 seeds left out") || !strings.Contains(stderr.String(), "empty") {
		t.Errorf("no note of the seed left out: %q", stderr.String())
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got []string
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got = append(got, f.Name+"="+string(b))
	}
	want := []string{"a=\x00\x00\x00\x03one", "b=\x00\x00\x00\x03two\x01"}
	if !slices.Equal(got, want) {
		t.Errorf("zip holds %q, want %q", got, want)
	}
	dir := filepath.Join(out, "corpus")
	if code := run([]string{"-d", dir, src}, &stderr); code != 0 {
		t.Fatalf("-d: status %d: %s", code, stderr.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "b")); err != nil || string(b) != "\x00\x00\x00\x03two\x01" {
		t.Errorf("corpus file b: %q, %v", b, err)
	}
	for _, args := range [][]string{{src}, {"-o", zipPath, "-d", dir, src}, {"-o", zipPath}} {
		if code := run(args, io.Discard); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
	}
	if code := run([]string{"-d", dir, filepath.Join(src, "missing")}, io.Discard); code != 1 {
		t.Errorf("a missing corpus: status %d, want 1", code)
	}
}
