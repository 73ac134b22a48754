package testproc

import "syscall"

// dieWithParent has the kernel kill the child when this process dies, so
// that a test binary killed by a timeout leaves no Collector behind.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
