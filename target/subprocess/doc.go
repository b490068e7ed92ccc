// Package subprocess implements [target.Target] for any shim executable
// that speaks sesslife-shim/1 (docs/protocol.md): newline-delimited JSON on
// the shim's stdin and stdout, one reply per request, matched by id.
//
// The harness owns time. A target keeps the virtual clock itself: it starts
// at the profile's StartTime (model.OpenSSL30 unless the shim names another
// known profile), moves forward by Arg on every tick call, goes back to the
// start on Reset, and travels with every request as "now".
//
// # Failures
//
// Failures of the shim are errors, never panics or hangs: a call that is not
// answered within the timeout kills the shim (*TimeoutError); a shim that
// exits or is killed by a signal gives a *CrashError with the calls since
// the last Reset and the tail of its stderr; a malformed line gives a
// *ProtocolError quoting it; the shim's own refusal is a *ShimError. After a
// crash or timeout every call fails until Reset starts a fresh shim. A call
// whose context is cancelled kills the shim as well: its state is unknown.
//
// The first line of each of these errors (up to the first newline) is the
// same on every run of the same failure: it names the call, how the shim
// ended and the configured timeout, never a process id, an address or a
// measured time. Engines compare failures by it; the lines after it (the
// calls since the last Reset, the shim's stderr, the offending line) are
// the details.
//
// # Processes
//
// Every shim runs in a process group of its own, and the harness always
// ends it by killing that group, so whatever the shim forked dies with it:
// on a timeout, a cancelled call, a protocol error, a failed hello, and
// when a shim that exited by itself left something behind. A shim is
// reaped before the error that reports its end is returned.
//
// On Linux a shim also gets SIGKILL from the kernel when the process that
// started it dies, however it dies, SIGKILL included (a parent-death signal;
// the harness keeps the thread that forked each shim alive until the shim
// has been reaped, since the kernel watches that thread, not the process).
// That signal reaches the shim only, not what the shim itself forked: a
// shim that starts helper processes should give them a parent-death signal
// of their own.
//
// # Shutting down
//
// [Target.Close] ends the shim and returns once it has been reaped: it asks
// the shim to quit, waits up to five seconds for it to exit (a shim that
// exits with a failure status, such as a leak report, gives a
// *CrashError), and kills its process group otherwise. Close may be called
// while other goroutines have calls in flight (Apply, Observe, a Pending of
// ApplyAhead, Reset): those return an error wrapping [ErrClosed] at once,
// and every later call does too.
//
// So a program that stops on SIGINT or SIGTERM leaves no process behind if
// it cancels the context of its calls and closes every target it made,
// for example:
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	tg, err := subprocess.New(path)
//	if err != nil { ... }
//	defer tg.Close()
//	// run the engines with ctx
//
// The package keeps no registry of the shims it started: each target owns
// its shim, and closing the targets ends all of them.
//
// # Concurrency
//
// When the shim's hello says "concurrent": true, Apply and Observe may be
// called from several goroutines: each call in flight gets a lane of its
// own, so calls of different goroutines run on different shim threads.
package subprocess
