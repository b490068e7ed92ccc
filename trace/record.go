package trace

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Record is one line of a trace file (docs/trace.md, "The trace format").
// Kind says which fields are set: "start", "site", "call", "cb", "born",
// "dead", "ctxborn", "ctxdead", "hs", "newsess", "fork", "exit".
// Pointers are numbers; 0 is NULL.
type Record struct {
	Kind string `json:"k"`
	// Seq is the run-wide sequence number (at a call's entry); End the one
	// taken when the call or callback returned.
	Seq uint64 `json:"seq"`
	End uint64 `json:"end"`
	Tid int    `json:"tid"`

	// start
	Pid     int    `json:"pid"`
	PPid    int    `json:"ppid"`
	Fork    uint64 `json:"fork"`
	Exe     string `json:"exe"`
	Cwd     string `json:"cwd"`
	OpenSSL string `json:"openssl"`
	Forward int    `json:"forward"`

	// site
	ID    uint32 `json:"id"`
	PC    uint64 `json:"pc"`
	Entry int    `json:"entry"`
	Obj   string `json:"obj"`
	Base  uint64 `json:"base"`
	Sym   string `json:"sym"`
	SAddr uint64 `json:"saddr"`

	// call, cb, hs, newsess
	Fn     string `json:"fn"`
	Site   uint32 `json:"site"`
	CB     string `json:"cb"`
	FnSite uint32 `json:"fnsite"`
	Via    string `json:"via"`
	SSL    uint64 `json:"ssl"`
	Ctx    uint64 `json:"ctx"`
	SCtx   uint64 `json:"sctx"`
	Sess   uint64 `json:"sess"`
	Old    uint64 `json:"old"`
	From   uint64 `json:"from"`
	Into   uint64 `json:"into"`
	Other  uint64 `json:"other"`
	Ret    int64  `json:"ret"`
	Arg    int64  `json:"arg"`
	Len    int64  `json:"len"`
	Refs   int    `json:"refs"`
	Copy   int    `json:"copy"`

	// What the recorder judged: "dangling", "null", "over-release",
	// "cross-context"; Skipped when it did not forward the call, Repaired
	// when it set a get_session_cb's *copy to 1.
	UB        string `json:"ub"`
	Skipped   int    `json:"skipped"`
	Repaired  int    `json:"repaired"`
	Resumable *int   `json:"resumable"`

	// hs
	OK       int    `json:"ok"`
	Server   int    `json:"server"`
	Offered  uint64 `json:"offered"`
	Version  int    `json:"ver"`
	Reused   int    `json:"reused"`
	Mode     int64  `json:"mode"`
	Err      int    `json:"err"`
	fileLine int
}

// Stream is the trace of one process image: a process from its first
// recorded call (or from fork) to its exit or exec.
type Stream struct {
	File    string
	Start   Record
	Records []Record
	Sites   map[uint32]Record
	Exited  bool
}

// Trace is every stream of one run.
type Trace struct {
	Dir     string
	Streams []*Stream
}

// Load reads every trace file of dir. A line that is not a record is an
// error naming the file and line, except a last line cut short (a process
// killed while writing it), which is dropped.
func Load(dir string) (*Trace, error) {
	files, err := filepath.Glob(filepath.Join(dir, "trace-*.jsonl"))
	if err != nil {
		return nil, err
	}
	t := &Trace{Dir: dir}
	for _, f := range files {
		s, err := loadStream(f)
		if err != nil {
			return nil, err
		}
		if s != nil {
			t.Streams = append(t.Streams, s)
		}
	}
	slices.SortFunc(t.Streams, func(a, b *Stream) int { return cmp.Compare(a.Start.Seq, b.Start.Seq) })
	return t, nil
}

func loadStream(path string) (*Stream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &Stream{File: path, Sites: map[uint32]Record{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for i, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r Record
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Kind == "" {
			if i == len(lines)-1 {
				break // cut short by a kill
			}
			return nil, fmt.Errorf("%s:%d: not a trace record: %q", path, i+1, line)
		}
		r.fileLine = i + 1
		switch r.Kind {
		case "start":
			s.Start = r
		case "site":
			s.Sites[r.ID] = r
		case "exit":
			s.Exited = true
			s.Records = append(s.Records, r)
		default:
			s.Records = append(s.Records, r)
		}
	}
	if s.Start.Kind == "" {
		if len(s.Records) == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: no start record", path)
	}
	return s, nil
}
