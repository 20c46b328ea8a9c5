import { AppSnapshot } from "../heroku/snapshot";
import { LedgerKind, MigrationPlan } from "./types";

/** A Heroku fact of a snapshot: something the plan must map, warn about, or call not needed. */
export interface HerokuFact {
  app: string;
  kind: LedgerKind;
  subject: string;
}

/**
 * Every fact of `snapshot` the ledger must account for, enumerated independently of the planner so
 * that {@link unaccountedFacts} can catch a fact the planner forgot.
 */
export function snapshotFacts(snapshot: AppSnapshot): HerokuFact[] {
  const app = snapshot.app.name;
  const facts: HerokuFact[] = [];
  const add = (kind: LedgerKind, subject: string): void => {
    facts.push({ app, kind, subject });
  };
  add("app", "region");
  add("app", "stack");
  if (snapshot.app.generation === "fir") add("app", "generation");
  if (snapshot.app.space) add("app", "space");
  if (snapshot.app.internalRouting) add("app", "internal-routing");
  if (snapshot.app.maintenance) add("app", "maintenance");
  if (snapshot.app.acm) add("app", "acm");
  for (const key of Object.keys(snapshot.configVars)) add("config-var", key);
  const types = new Set([
    ...snapshot.formation.map((f) => f.type),
    ...Object.keys(snapshot.slug?.processTypes ?? {}),
  ]);
  for (const type of types) add("process-type", type);
  for (const addon of snapshot.addons) add("addon", addon.name);
  for (const attachment of snapshot.attachments) add("attachment", attachment.name);
  for (const domain of snapshot.domains) add("domain", domain.hostname);
  for (const sni of snapshot.sniEndpoints) add("sni-endpoint", sni.name);
  for (const drain of snapshot.logDrains) add("log-drain", drain.id);
  for (const feature of snapshot.features) add("feature", feature.name);
  for (const buildpack of snapshot.buildpacks) add("buildpack", buildpack.url);
  if (snapshot.pipeline) add("pipeline", snapshot.pipeline.pipelineName);
  if (snapshot.release) add("release", `v${snapshot.release.version}`);
  else add("app", "release");
  if (snapshot.slug) add("slug", snapshot.slug.id);
  return facts;
}

/**
 * The facts of `snapshot` with no ledger entry (or one with an empty detail) in `plan`: each means
 * something was dropped silently. Empty for a correct plan.
 */
export function unaccountedFacts(snapshot: AppSnapshot, plan: MigrationPlan): HerokuFact[] {
  const entries = new Map(plan.ledger.map((e) => [JSON.stringify([e.app, e.kind, e.subject]), e]));
  return snapshotFacts(snapshot).filter((f) => {
    const entry = entries.get(JSON.stringify([f.app, f.kind, f.subject]));
    if (!entry) return true;
    return entry.detail.trim() === "";
  });
}
