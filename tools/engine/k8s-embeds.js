// Writes the two files pulumi-resource-kubernetes embeds (gitignored upstream, so absent from its
// module zip), as upstream's `go generate` does: schema.json with `version` set, and the Terraform
// mapping re-serialised compactly.
// Usage: node k8s-embeds.js <module cmd/pulumi-resource-kubernetes dir> <output dir> <version>
"use strict";
const fs = require("fs");
const path = require("path");

const [srcDir, outDir, version] = process.argv.slice(2);
if (!srcDir || !outDir || !version) {
  console.error("usage: node k8s-embeds.js <src dir> <out dir> <version>");
  process.exit(2);
}
const read = (name) => JSON.parse(fs.readFileSync(path.join(srcDir, name), "utf8"));
const schema = read("schema.json");
schema.version = version;
fs.writeFileSync(path.join(outDir, "schema-embed.json"), JSON.stringify(schema));
fs.writeFileSync(
  path.join(outDir, "terraform-mapping-embed.json"),
  JSON.stringify(read("terraform-mapping.json")),
);
