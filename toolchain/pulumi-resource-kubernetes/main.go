// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes provider
// from the upstream Go module. Upstream's own main package go:embeds
// schema-embed.json / terraform-mapping-embed.json, which its build generates
// and which are therefore not in the module zip; build.sh generates them here
// (in a staging copy of this directory outside the repository) from
// cmd/pulumi-resource-kubernetes/{schema,terraform-mapping}.json of the
// module, with the schema's "version" set to the version we install under.
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
