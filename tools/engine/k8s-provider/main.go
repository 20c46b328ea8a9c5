// Command pulumi-resource-kubernetes is the Kubernetes resource provider plugin, built from the
// pulumi-kubernetes provider module at the version the npm SDK pins (see go.mod).
//
// Upstream's own main package embeds two generated, gitignored JSON files that its module zip
// lacks; tools/engine/ensure.sh generates them here from the module's committed sources.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
