package fuzz

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// readSeed parses a corpus file holding one []byte value ("go test fuzz
// v1", then []byte("...")).
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) < 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") || !strings.HasSuffix(lines[1], ")") {
		t.Fatalf("%s: not a go fuzz corpus file starting with a []byte", path)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}

// TestDecoderCorpus: the decoder targets' seeds decode to legal sequences
// that, together, make every call kind, and the two targets share them.
// (The directories are found by prefix: a target's name may appear in its
// own file only, see docs/fuzzing.md.)
func TestDecoderCorpus(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode*"))
	if len(dirs) != 2 {
		t.Fatalf("want the two decoder corpora, found %v", dirs)
	}
	var names [2][]string
	for i, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[model.Kind]bool{}
		for _, e := range entries {
			names[i] = append(names[i], e.Name())
			ops, err := Decode(readSeed(t, filepath.Join(dir, e.Name())), DefaultConfig())
			if err != nil {
				t.Fatalf("%s/%s: %v", dir, e.Name(), err)
			}
			for _, op := range ops {
				kinds[op.Kind] = true
			}
		}
		for _, k := range model.Kinds() {
			if !kinds[k] {
				t.Errorf("%s: no seed makes a %v call", dir, k)
			}
		}
	}
	if strings.Join(names[0], ",") != strings.Join(names[1], ",") {
		t.Errorf("the decoder corpora differ:\n%v\n%v", names[0], names[1])
	}
}
