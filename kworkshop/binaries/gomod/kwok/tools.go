//go:build tools

// Package tools pins the commands this wrapper module builds, so go mod tidy keeps their
// dependencies in go.sum.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
	_ "sigs.k8s.io/kwok/cmd/kwokctl"
)
