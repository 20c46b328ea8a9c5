import { DISPOSITION_BEHAVIOUR } from "./dispositions";
import { describeAddonData } from "./addon-data";
import { hasuraReportSection } from "./hasura-report";
import type { HasuraSection } from "./hasura-section";
import { AppPlan, LedgerEntry, MigrationPlan, SecretEntry } from "./types";

/**
 * The migration report: Markdown describing what each Heroku fact becomes and every warning. Built
 * from the plan's plain fields only: it never reveals a SecretString (values are described, e.g.
 * "rewritten → migrated database", never shown).
 */
export function renderReport(plan: MigrationPlan, hasura: HasuraSection | null = null): string {
  const lines: string[] = [];
  const workloads = plan.apps.reduce((n, a) => n + a.workloads.length, 0);
  lines.push(`# Heroku → Kubernetes migration report: stack \`${plan.stack}\``, "");
  lines.push(
    `Namespace \`${plan.namespace}\`: ${count(plan.apps.length, "app")}, ${count(workloads, "workload")}, ` +
      `${count(plan.statefulAddons.length, "in-cluster add-on")}, ${count(plan.databases.length, "database")} to ` +
      `migrate, ${count(plan.warnings.length, "warning")}.`,
    "",
  );

  lines.push("## Warnings", "");
  if (plan.warnings.length === 0) lines.push("None.", "");
  else {
    lines.push(
      ...table(
        ["App", "Code", "Subject", "Message"],
        plan.warnings.map((w) => [w.app ?? "(add-on)", code(w.code), w.subject, w.message]),
      ),
    );
  }

  for (const app of plan.apps)
    lines.push(
      ...appSection(
        app,
        plan.ledger.filter((e) => e.app === app.app),
      ),
    );

  lines.push("## In-cluster add-ons", "");
  if (plan.statefulAddons.length === 0) lines.push("None.", "");
  else {
    lines.push(
      ...table(
        ["Heroku add-on", "Plan", "Kind", "Kubernetes name", "Host", "Image", "Storage", "Used by"],
        plan.statefulAddons.map((s) => [
          s.addon,
          s.plan,
          s.kind,
          code(s.name),
          code(`${s.host}:${s.port}`),
          code(s.image) + (s.imageIsPlaceholder ? " (placeholder: override it)" : ""),
          `${s.storage}${s.storageClass ? ` (${s.storageClass})` : ""}`,
          s.usedBy.join(", "),
        ]),
      ),
    );
  }

  lines.push(...addonDataSection(plan));
  lines.push("## Databases to migrate", "");
  if (plan.databases.length === 0) lines.push("None.", "");
  else {
    lines.push(
      ...table(
        ["Heroku add-on", "Plan", "Owner app", "Target", "Owner role", "Config vars pointed at it"],
        plan.databases.map((d) => [
          d.addon,
          d.plan,
          d.ownerApp,
          code(`${d.targetHost}:${d.targetPort}/${d.database}`),
          code(d.ownerRole),
          d.attachments.map((a) => `${a.app}: ${a.configVar}`).join(", "),
        ]),
      ),
    );
  }
  lines.push("## New credentials", "");
  if (plan.credentials.length === 0) lines.push("None.", "");
  else {
    lines.push(
      "Generated once on the first `pulumi up` and kept only in the stack's state, as Pulumi secrets; " +
        "none is copied from Heroku, so a Heroku password (which apps, add-on dashboards and past " +
        "collaborators have seen) unlocks nothing on the cluster. The rewritten config vars carry them. " +
        "Change `addons.<add-on>.rotation` to generate a new one.",
      "",
      ...table(
        ["Credential", "Unlocks", "Rotation"],
        plan.credentials.map((c) => [code(c.name), c.purpose, c.rotation === "" ? "-" : code(c.rotation)]),
      ),
    );
  }

  if (hasura) lines.push(...hasuraReportSection(hasura, { code, table }));
  return lines.join("\n");
}

/** What happens to each add-on's data: copied and verified, acknowledged empty, imported, or kept. */
function addonDataSection(plan: MigrationPlan): string[] {
  const rows = new Map<string, string[]>();
  for (const app of plan.apps) {
    for (const a of app.addons) {
      if (rows.has(a.addon)) continue;
      const stateful = plan.statefulAddons.find((s) => s.addon === a.addon);
      const fate =
        a.disposition === "keep"
          ? "kept on Heroku: the apps keep using it there, nothing is copied"
          : a.disposition === "migrate"
            ? "copied once and verified by the PostgresImport when `import.enabled` is true (else the target database starts empty)"
            : stateful
              ? describeAddonData(stateful.data, stateful.addon)
              : "in-cluster";
      rows.set(a.addon, [a.addon, a.service, a.disposition, fate]);
    }
  }
  if (rows.size === 0) return ["## Add-on data", "", "No add-ons.", ""];
  return [
    "## Add-on data",
    "",
    ...table(
      ["Heroku add-on", "Service", "Disposition", "Its data"],
      [...rows.values()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)),
    ),
  ];
}

function appSection(app: AppPlan, ledger: LedgerEntry[]): string[] {
  const lines: string[] = [`## App \`${app.app}\``, "", `Kubernetes base name \`${app.baseName}\`.`, ""];

  lines.push("### Process types", "");
  const rows = app.workloads.map((w) => [
    w.processType,
    code(w.command),
    w.dynoSize,
    `Deployment ${code(w.name)}`,
    String(w.replicas),
    `${w.resources.requests.cpu} CPU, ${w.resources.requests.memory} / ${w.resources.limits.memory}`,
  ]);
  if (app.releaseJob) {
    const r = app.releaseJob;
    rows.push([
      "release",
      code(r.command),
      r.dynoSize,
      `Job ${code(r.name)} (before each rollout, deadline ${r.activeDeadlineSeconds} s)`,
      "-",
      `${r.resources.requests.cpu} CPU, ${r.resources.requests.memory} / ${r.resources.limits.memory}`,
    ]);
  }
  if (rows.length === 0) lines.push("None.", "");
  else {
    lines.push(
      ...table(
        ["Process type", "Command", "Dyno size", "Becomes", "Replicas", "Resources (memory request / limit)"],
        rows,
      ),
    );
  }

  if (app.cronJobs.length > 0) {
    lines.push("### Scheduled jobs", "");
    lines.push(
      ...table(
        ["Job", "Schedule (UTC)", "Command", "Becomes"],
        app.cronJobs.map((c) => [c.job, code(c.schedule), code(c.command), `CronJob ${code(c.name)}`]),
      ),
    );
  }

  if (app.service) {
    lines.push("### Routing", "");
    lines.push(
      `Service ${code(app.service.name)}: port ${app.service.port} → container port ${app.service.targetPort}.`,
    );
    if (app.ingress) {
      lines.push(
        "",
        ...table(
          ["Host", "TLS Secret"],
          app.ingress.tls.map((t) => [t.hosts.join(", "), code(t.secretName)]),
        ),
      );
    } else {
      lines.push("", "No custom domains: no Ingress.", "");
    }
  }

  lines.push("### Config vars", "");
  if (app.secretEntries.length === 0) lines.push("None in the Secret.", "");
  else {
    lines.push(
      ...table(
        ["Key", "Origin", "Value in the Secret"],
        app.secretEntries.map((e) => [code(e.key), origin(e), describeValue(e)]),
      ),
    );
  }

  if (app.addons.length > 0) {
    lines.push("### Add-on attachments", "");
    lines.push(
      ...table(
        ["Attachment", "Add-on", "Service", "Plan", "Disposition", "Now points at"],
        app.addons.map((a) => [
          a.attachment + (a.namespace ? ` (${a.namespace})` : ""),
          a.addon,
          a.service,
          a.plan,
          a.disposition,
          a.target ?? "Heroku",
        ]),
      ),
    );
  }

  lines.push("### Every Heroku fact", "");
  lines.push(
    ...table(
      ["Kind", "Subject", "Outcome", "Detail"],
      ledger.map((e) => [e.kind, e.subject, e.outcome, e.detail]),
    ),
  );
  return lines;
}

function origin(e: SecretEntry): string {
  if (e.origin.kind === "user") return "user";
  return `${e.origin.service} ${e.origin.attachment} (${e.origin.disposition})`;
}

function describeValue(e: SecretEntry): string {
  if (e.rewritten && e.origin.kind === "addon") {
    const to = DISPOSITION_BEHAVIOUR[e.origin.disposition].rewrittenTo ?? "elsewhere";
    const credential = e.value.credentials.length > 0 ? " with a new password" : "";
    return `rewritten → ${to}${credential}`;
  }
  return e.value.isRedacted ? "from Heroku (redacted in the snapshot)" : "from Heroku, unchanged";
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function code(s: string): string {
  const fence = s.includes("`") ? "``" : "`";
  return `${fence}${fence === "``" ? " " : ""}${s}${fence === "``" ? " " : ""}${fence}`;
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(headers: string[], rows: string[][]): string[] {
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
  ];
}
