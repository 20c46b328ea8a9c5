//go:build tools

// Package tools pins KWOK's command so that `go mod tidy` keeps its requirements; the file is
// never compiled (scripts/cluster/ensure.sh builds it).
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
