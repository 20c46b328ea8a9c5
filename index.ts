// The Pulumi program: read and validate the stack config, read the Heroku apps and plan
// (prepareMigration), then declare the migration (components/migration). Its outputs are the stack's.
import { version as pulumiSdkVersion } from "@pulumi/pulumi/version";
import { readStackConfig } from "./components/config";
import { HerokuToHasura, prepareMigration } from "./components/migration";
import { withPlainErrors } from "./components/program-errors";

export = withPlainErrors(async () => {
  const prepared = await prepareMigration(readStackConfig());
  // Stacks created before the component existed keep their resources: aliased, never replaced.
  const migration = new HerokuToHasura("migration", { ...prepared, adoptRootResources: true });
  // What ran the program (the supported range is Node.js 22 and 24: scripts/node/ensure.sh).
  return { ...migration.outputs, runtime: { node: process.version, pulumiSdk: pulumiSdkVersion } };
});
