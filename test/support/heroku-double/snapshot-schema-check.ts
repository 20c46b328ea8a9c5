/**
 * Checks an AppSnapshot's fields against the Platform API schema definitions they were read from
 * (name patterns, enums, uuid formats, the config-var and process-type maps), so a hand-written or
 * bundled snapshot cannot hold what the API would never have served.
 */
import { AppSnapshot } from "../../../components/heroku/snapshot";
import { herokuSchema } from "./schema-validator";

/** Problems found, each naming the snapshot field and the schema definition; empty when valid. */
export function snapshotSchemaProblems(s: AppSnapshot): string[] {
  const schema = herokuSchema();
  const problems: string[] = [];
  const check = (field: string, definition: string, value: unknown) => {
    for (const p of schema.validateDefinition(definition, value))
      problems.push(`${s.app.name}: ${field} (${definition}): ${p}`);
  };
  check("app.id", "app/definitions/id", s.app.id);
  check("app.name", "app/definitions/name", s.app.name);
  check("app.region", "region/definitions/name", s.app.region);
  check("app.stack", "stack/definitions/name", s.app.stack);
  check("app.webUrl", "app/definitions/web_url", s.app.webUrl);
  const plaintext = Object.fromEntries(
    Object.entries(s.configVars)
      .filter(([, v]) => !v.isRedacted)
      .map(([k, v]) => [k, v.reveal(`config var ${k}`)]),
  );
  check("configVars (keys and values)", "config-var/definitions/config_vars", plaintext);
  for (const [k, o] of Object.entries(s.configVarOwners ?? {})) {
    check(`configVarOwners.${k}.attachmentId`, "add-on-attachment/definitions/id", o.attachmentId);
    if (!s.attachments.some((a) => a.id === o.attachmentId))
      problems.push(`${s.app.name}: configVarOwners.${k}: no such attachment`);
  }
  s.formation.forEach((f, i) => {
    check(`formation[${i}].type`, "formation/definitions/type", f.type);
    check(`formation[${i}].quantity`, "formation/definitions/quantity", f.quantity);
    check(`formation[${i}].command`, "formation/definitions/command", f.command);
    if (!s.dynoSizes.some((d) => d.name === f.size))
      problems.push(`${s.app.name}: formation[${i}].size ${f.size} is not a listed dyno size`);
  });
  s.dynoSizes.forEach((d, i) =>
    check(`dynoSizes[${i}].memoryGb`, "dyno-size/definitions/memory", d.memoryGb),
  );
  const attachments = [...s.attachments, ...s.addons.flatMap((a) => a.attachments)];
  s.addons.forEach((a, i) => {
    check(`addons[${i}].id`, "add-on/definitions/id", a.id);
    check(`addons[${i}].name`, "add-on/definitions/name", a.name);
    check(`addons[${i}].service`, "add-on-service/definitions/name", a.service);
    check(`addons[${i}].plan`, "plan/definitions/name", a.plan);
    check(`addons[${i}].state`, "add-on/definitions/state", a.state);
    check(`addons[${i}].billingApp.name`, "app/definitions/name", a.billingApp.name);
  });
  attachments.forEach((a, i) => {
    check(`attachment ${i} id`, "add-on-attachment/definitions/id", a.id);
    check(`attachment ${i} name`, "add-on-attachment/definitions/name", a.name);
    check(`attachment ${i} namespace`, "add-on-attachment/definitions/namespace", a.namespace);
    check(`attachment ${i} app.name`, "app/definitions/name", a.app.name);
  });
  s.domains.forEach((d, i) => {
    check(`domains[${i}].hostname`, "domain/definitions/hostname", d.hostname);
    check(`domains[${i}].kind`, "domain/definitions/kind", d.kind);
    if (d.sniEndpoint !== null)
      check(`domains[${i}].sniEndpoint`, "sni-endpoint/definitions/name", d.sniEndpoint);
  });
  s.sniEndpoints.forEach((e, i) => check(`sniEndpoints[${i}].name`, "sni-endpoint/definitions/name", e.name));
  s.buildpacks.forEach((b, i) =>
    check(`buildpacks[${i}].ordinal`, "buildpack-installation/definitions/ordinal", b.ordinal),
  );
  if (s.release) {
    check("release.id", "release/definitions/id", s.release.id);
    check("release.version", "release/definitions/version", s.release.version);
    check("release.status", "release/definitions/status", s.release.status);
    check("release.description", "release/definitions/description", s.release.description);
  }
  if (s.slug) {
    check("slug.id", "slug/definitions/id", s.slug.id);
    check("slug.processTypes", "slug/definitions/process_types", s.slug.processTypes);
    check("slug.checksum", "slug/definitions/checksum", s.slug.checksum);
    check("slug.commit", "slug/definitions/commit", s.slug.commit);
    check("slug.stack", "stack/definitions/name", s.slug.stack);
  }
  if (s.pipeline) {
    check("pipeline.pipelineId", "pipeline/definitions/id", s.pipeline.pipelineId);
    check("pipeline.pipelineName", "pipeline/definitions/name", s.pipeline.pipelineName);
    check("pipeline.stage", "pipeline-coupling/definitions/stage", s.pipeline.stage);
  }
  s.logDrains.forEach((d, i) => {
    check(`logDrains[${i}].id`, "log-drain/definitions/id", d.id);
    if (!d.url.isRedacted)
      check(`logDrains[${i}].url`, "log-drain/definitions/url", d.url.reveal("log drain URL"));
  });
  s.features.forEach((f, i) => {
    check(`features[${i}].name`, "app-feature/definitions/name", f.name);
    check(`features[${i}].enabled`, "app-feature/definitions/enabled", f.enabled);
  });
  return problems;
}
