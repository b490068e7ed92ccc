//go:build !linux

package subprocess

// runParent is Linux's: elsewhere there is no parent-death signal to test.
func runParent() int { return 2 }
