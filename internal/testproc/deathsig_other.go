//go:build !linux

package testproc

import "syscall"

// dieWithParent has nothing to ask for outside Linux.
func dieWithParent() *syscall.SysProcAttr { return nil }
