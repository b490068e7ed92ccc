module github.com/sesslife/sesslife

go 1.26

require (
	github.com/anishathalye/porcupine v1.3.1 // indirect
	github.com/leanovate/gopter v0.2.11 // indirect
	pgregory.net/rapid v1.3.0 // indirect
)
