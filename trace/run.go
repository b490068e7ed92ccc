package trace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// RecorderName is the file make trace builds into bin/.
const RecorderName = "libsesslife-trace.so"

// Options say how Run runs a program.
type Options struct {
	// Recorder is the path of libsesslife-trace.so.
	Recorder string
	// Dir receives the trace files; a temporary directory, removed after
	// the check, when empty.
	Dir string
	// Forward makes the recorder forward every call, even those it would
	// skip as undefined behaviour (SESSLIFE_TRACE_FORWARD=1).
	Forward bool
	// Linger bounds how long Run waits, once the program has exited, for
	// processes it left behind to end (default 30 s); their traces are read
	// as far as they go after that.
	Linger time.Duration
	// Stdin, Stdout and Stderr are the program's (nil: /dev/null, and
	// os.Stdout/os.Stderr).
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Run runs argv with the recorder preloaded, waits for it and every
// process it started that loaded the recorder, and checks the trace. The
// report carries the program's exit status. ctx's cancellation sends the
// program SIGTERM (then SIGKILL after 5 s).
func Run(ctx context.Context, argv []string, o Options) (*Report, error) {
	if len(argv) == 0 {
		return nil, errors.New("trace: no program to run")
	}
	if _, err := os.Stat(o.Recorder); err != nil {
		return nil, fmt.Errorf("trace: the recorder: %v (run `make trace`)", err)
	}
	rec, err := filepath.Abs(o.Recorder)
	if err != nil {
		return nil, err
	}
	dir := o.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "sesslife-trace-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		// Programs that drop privileges (nginx's workers) write here too.
		if err := os.Chmod(dir, 0o1777); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.Stdin, o.Stdout, o.Stderr
	if cmd.Stdout == nil {
		cmd.Stdout = os.Stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	preload := rec
	if old := os.Getenv("LD_PRELOAD"); old != "" {
		preload += ":" + old
	}
	forward := "0"
	if o.Forward {
		forward = "1"
	}
	cmd.Env = append(os.Environ(), "LD_PRELOAD="+preload, "SESSLIFE_TRACE_DIR="+dir, "SESSLIFE_TRACE_FORWARD="+forward)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("trace: starting %s: %v", argv[0], err)
	}
	werr := cmd.Wait()
	status := cmd.ProcessState.ExitCode()
	var ee *exec.ExitError
	// An interrupted program that exits 0 on SIGTERM (haproxy -W's master)
	// makes Wait return ctx's error, and one whose children keep its
	// output open past WaitDelay, ErrWaitDelay: the program ended all the
	// same, and its trace is checked.
	interrupted := ctx.Err() != nil && errors.Is(werr, ctx.Err())
	if werr != nil && !errors.As(werr, &ee) && !interrupted && !errors.Is(werr, exec.ErrWaitDelay) {
		return nil, fmt.Errorf("trace: %s: %v", argv[0], werr)
	}
	linger := o.Linger
	if linger == 0 {
		linger = 30 * time.Second
	}
	still := waitDone(ctx, dir, linger)
	tr, err := Load(dir)
	if err != nil {
		return nil, err
	}
	r := Check(tr)
	r.Command = argv
	r.Status = &status
	if len(still) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("still running %s after the program exited: %s (read as far as written)", linger, strings.Join(still, ", ")))
	}
	return r, nil
}

// waitDone waits until no process holds its trace file's lock any more
// (each holds a shared flock while it lives), scanning again for files
// that appeared meanwhile; it returns the files still held when linger or
// ctx ran out.
func waitDone(ctx context.Context, dir string, linger time.Duration) []string {
	deadline := time.Now().Add(linger)
	done := map[string]bool{}
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "trace-*.jsonl"))
		var held []string
		for _, f := range files {
			if done[f] {
				continue
			}
			if free(f) {
				done[f] = true
			} else {
				held = append(held, filepath.Base(f))
			}
		}
		if len(held) == 0 || ctx.Err() != nil || time.Now().After(deadline) {
			return held
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// free reports whether nobody holds a lock on path.
func free(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return true
}
