// Command sesslife-seedcorpus turns a Go fuzz target's seed corpus
// (testdata/fuzz/FuzzName, files in the "go test fuzz v1" format) into the
// seed corpus of the libFuzzer binary that go-118-fuzz-build makes of the
// same target, for the OSS-Fuzz and ClusterFuzzLite build
// (.clusterfuzzlite/build.sh):
//
//	sesslife-seedcorpus -o OUT/NAME_seed_corpus.zip DIR
//	sesslife-seedcorpus -d CORPUSDIR DIR
//
// The libFuzzer build hands the target's arguments out of one byte string,
// in order: a []byte or a string is a 4-byte big-endian length and then
// that many bytes (the last argument's length is its bytes' count exactly),
// a uint8 or byte one byte. Each seed is written that way, so the fuzzer
// starts from the same values `go test` runs as regression tests. A seed
// whose last argument is an empty []byte or string has no such encoding
// (the build's reader refuses it) and is left out, with a note. A value of
// another type, or a file that is not a corpus file, is an error naming the
// file and line.
//
// Exit status: 0, 1 on an error, 2 on a usage error.
package main

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("sesslife-seedcorpus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	zipPath := fs.String("o", "", "write the corpus as this zip file (OSS-Fuzz's NAME_seed_corpus.zip)")
	dirPath := fs.String("d", "", "write the corpus as files in this directory (a libFuzzer corpus directory)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || (*zipPath == "") == (*dirPath == "") {
		fmt.Fprintln(stderr, "usage: sesslife-seedcorpus -o OUT.zip | -d DIR  testdata/fuzz/FuzzName")
		return 2
	}
	seeds, skipped, err := readCorpus(fs.Arg(0))
	if err == nil && len(seeds) == 0 {
		err = fmt.Errorf("%s: no seed has a libFuzzer encoding", fs.Arg(0))
	}
	if err == nil {
		if *zipPath != "" {
			err = writeZip(*zipPath, seeds)
		} else {
			err = writeDir(*dirPath, seeds)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "sesslife-seedcorpus: %v\n", err)
		return 1
	}
	if len(skipped) > 0 {
		fmt.Fprintf(stderr, "sesslife-seedcorpus: %s: %d seeds left out (an empty last argument has no libFuzzer encoding): %s\n",
			fs.Arg(0), len(skipped), strings.Join(skipped, ", "))
	}
	return 0
}

// seed is one corpus file, encoded for the libFuzzer build.
type seed struct {
	name string
	data []byte
}

// readCorpus encodes every file of dir, in name order; skipped names the
// files that have no encoding.
func readCorpus(dir string) (seeds []seed, skipped []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		data, ok, err := encode(string(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%v", path, err)
		}
		if !ok {
			skipped = append(skipped, e.Name())
			continue
		}
		seeds = append(seeds, seed{e.Name(), data})
	}
	return seeds, skipped, nil
}

// header is the first line of every Go corpus file.
const header = "go test fuzz v1"

// encode turns one corpus file's text into the libFuzzer build's bytes;
// ok is false when the last argument is empty. An error starts with the
// line number.
func encode(text string) (data []byte, ok bool, err error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if lines[0] != header {
		return nil, false, fmt.Errorf("1: not a Go fuzz corpus file (want the line %q)", header)
	}
	if len(lines) == 1 {
		return nil, false, errors.New("1: no values")
	}
	for i, line := range lines[1:] {
		last := i == len(lines)-2
		typ, arg, found := strings.Cut(line, "(")
		if !found || !strings.HasSuffix(arg, ")") {
			return nil, false, fmt.Errorf("%d: want TYPE(VALUE), got %q", i+2, line)
		}
		arg = strings.TrimSuffix(arg, ")")
		switch typ {
		case "[]byte", "string":
			s, err := strconv.Unquote(arg)
			if err != nil {
				return nil, false, fmt.Errorf("%d: %s value %s: %v", i+2, typ, arg, err)
			}
			if last && s == "" {
				return nil, false, nil
			}
			data = binary.BigEndian.AppendUint32(data, uint32(len(s)))
			data = append(data, s...)
		case "byte", "uint8":
			v, err := byteValue(arg)
			if err != nil {
				return nil, false, fmt.Errorf("%d: %s value %s: %v", i+2, typ, arg, err)
			}
			data = append(data, v)
		default:
			return nil, false, fmt.Errorf("%d: type %s: only []byte, string, byte and uint8 are encoded", i+2, typ)
		}
	}
	return data, true, nil
}

// byteValue reads a byte as Go's corpus files write it: a number (uint8(3))
// or a quoted character (byte('\x03')).
func byteValue(arg string) (byte, error) {
	if strings.HasPrefix(arg, "'") {
		s, err := strconv.Unquote(arg)
		if err != nil {
			return 0, err
		}
		r := []rune(s)
		if len(r) != 1 || r[0] > 0xff {
			return 0, errors.New("not one byte")
		}
		return byte(r[0]), nil
	}
	v, err := strconv.ParseUint(arg, 0, 8)
	return byte(v), err
}

func writeZip(path string, seeds []seed) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, s := range seeds {
		w, err := zw.Create(s.name)
		if err == nil {
			_, err = w.Write(s.data)
		}
		if err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeDir(dir string, seeds []seed) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range seeds {
		if err := os.WriteFile(filepath.Join(dir, s.name), s.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
