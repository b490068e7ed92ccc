//go:build linux

package subprocess

import (
	"syscall"
	"unsafe"
)

// sysProcAttr puts the shim in a process group of its own, so that one
// signal ends it and everything it forked, and asks the kernel to kill it
// when its parent thread ends (see process.run for why that thread lives
// as long as the shim).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// awaitExit blocks until the shim has exited, without reaping it: until it
// is reaped its pid, which is also its process group's id, stays its own.
func awaitExit(p *process) {
	const pPID = 1     // waitid's P_PID
	var info [128]byte // a siginfo_t, not read
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(p.cmd.Process.Pid),
			uintptr(unsafe.Pointer(&info)), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		switch errno {
		case 0:
			return
		case syscall.EINTR:
			continue
		}
		// No waitid (some emulated kernels): the end of the output
		// stands for the exit, as on other systems.
		p.drain()
		<-p.errDone
		return
	}
}

// killGroup sends SIGKILL to the shim's process group. The caller makes
// sure the shim has not been reaped.
func killGroup(p *process) {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
}
