//go:build !linux

package subprocess

import "syscall"

// Elsewhere than on Linux there is neither a parent-death signal nor a
// portable way to wait for an exit without reaping: the shim is killed
// alone, and the end of its output stands for its exit.

func sysProcAttr() *syscall.SysProcAttr { return nil }

// awaitExit waits for the shim's output to end and then kills the shim,
// which can answer nothing more.
func awaitExit(p *process) {
	p.drain()
	<-p.errDone
	_ = p.cmd.Process.Kill()
}

func killGroup(p *process) { _ = p.cmd.Process.Kill() }
