//go:build tools

// Package tools pins the control plane's main packages so that `go mod tidy` keeps their module
// requirements; the file is never compiled (scripts/cluster/ensure.sh builds each command).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
