import { promises as fs } from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { checkConfigAgainstApps, selectSnapshots, StackConfig } from "../config";
import { asBeforeFreeze, renderAppsBeforeFreeze } from "../cutover/before-freeze";
import { DEFAULT_RECORD_DIR, journalPath, readJournal } from "../cutover/journal";
import { cutoverReport } from "../cutover/program";
import { findProjectRoot } from "../data/engine-loader";
import { hasuraSection } from "../hasura/deploy";
import { planHasura } from "../hasura/plan";
import { readHerokuApps } from "../heroku/source";
import { assertRenderable, planMigration, readNeeds, renderReport } from "../plan";
import type { HerokuToHasuraArgs } from "./heroku-to-hasura";

/**
 * The I/O the migration needs before any resource exists, and the plan: reads the Heroku apps
 * (snapshot file or Platform API), undoes on paper what this stack's cutover freeze did to them
 * (so frozen apps keep their replicas on the cluster), checks the config against them, plans, checks the plan can be
 * deployed, measures the sources for the report's cutover section, and writes the report. Every
 * mistake in config or input fails here, naming the key, app or add-on at fault.
 */
export async function prepareMigration(config: StackConfig): Promise<HerokuToHasuraArgs> {
  const read = await readHerokuApps(config.heroku, {
    needs: readNeeds(config.plan.addons),
    configKey: `${config.project}:heroku`,
  });
  const journal = readJournal(
    // Where the HerokuFreeze keeps it (relative to the project root, as the freeze resolves it).
    journalPath(findProjectRoot(), config.cutover.recordDir ?? DEFAULT_RECORD_DIR, config.stack),
  );
  const beforeFreeze = asBeforeFreeze(read.apps, journal, config.stack);
  for (const w of beforeFreeze.warnings) void pulumi.log.warn(w);
  const apps = selectSnapshots(config, beforeFreeze.apps, read.source);
  const { images } = checkConfigAgainstApps(config, apps, { requireImages: false });
  const plan = planMigration(apps, config.plan);
  assertRenderable(plan, read.source);
  const hasura = config.hasura.enabled
    ? planHasura(config.hasura, plan, config.plan.postgres, config.plan.ingress)
    : undefined;
  // The cutover section (the freeze, the expected window) closes the report.
  const cutoverSection =
    (await cutoverReport({ ...config.cutover, stack: config.stack }, plan, config.import.enabled)) +
    renderAppsBeforeFreeze(beforeFreeze);
  const report = {
    text: `${renderReport(plan, hasura ? hasuraSection(hasura, null, null) : null)}\n${cutoverSection}`,
    cutoverSection,
    file: reportFile(config),
  };
  await writeReport(report.file, report.text);
  return { config, apps, images, plan, hasura, report };
}

/** The report next to the rendered manifests, else under out/<stack>/. */
function reportFile(config: StackConfig): string {
  const dir =
    config.cluster.target.kind === "render"
      ? config.cluster.target.directory
      : path.join("out", config.stack);
  return path.join(dir, "report.md");
}

export async function writeReport(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}
