// Package clocktest tests libsesslife-clock.so (shim/clock/clock.c), the
// preloadable virtual clock for shims that are not C programs
// (docs/protocol.md, "The virtual clock"). It has no code of its own; it
// lives in a directory below the C file because the go tool refuses a
// package whose directory holds C sources without cgo.
package clocktest
