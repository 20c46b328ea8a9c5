//go:build tools

// Package tools pins etcd's server (its main package is the module root) so that `go mod tidy`
// keeps its requirements; the file is never compiled (scripts/cluster/ensure.sh builds it).
package tools

import _ "go.etcd.io/etcd/server/v3"
