import { AppSnapshot } from "../heroku/snapshot";
import { geographyName, geographyOf } from "./regions";
import { IngressSettings } from "./settings";
import { compareStrings, Findings } from "./warnings";

/** App features the plan maps; every other enabled feature is warned about. */
const MAPPED_FEATURES: Record<string, string> = {
  preboot: "web Deployment rolls with maxUnavailable 0, maxSurge 100%",
};

const FEATURE_ADVICE: Record<string, string> = {
  "runtime-dyno-metadata": "set HEROKU_APP_NAME, HEROKU_RELEASE_VERSION… yourself if the app reads them",
  "runtime-dyno-build-metadata": "set HEROKU_SLUG_COMMIT and friends yourself if the app reads them",
  "http-session-affinity":
    "enable cookie affinity on the ingress controller if the app needs sticky sessions",
  "log-runtime-metrics": "use the cluster's metrics (e.g. kubectl top, Prometheus) instead",
};

/**
 * The app-level facts no other module maps: app settings, features, log drains, buildpacks, the
 * pipeline coupling, the release and the slug.
 */
export interface AppFactsContext {
  ingress: IngressSettings;
  /** Whether the app's plan renders an Ingress (custom domains of a web process). */
  hasIngress: boolean;
  /** Where the cluster runs (`cluster.region`), or null when not given. */
  clusterRegion: string | null;
}

export function planAppFacts(snapshot: AppSnapshot, ctx: AppFactsContext, findings: Findings): void {
  const app = snapshot.app.name;
  const info = snapshot.app;
  const { ingress } = ctx;
  planRegion(snapshot, ctx.clusterRegion, findings);
  findings.record(app, "app", "stack", "mapped", `stack ${info.stack}: the app image's base`);
  if (info.generation === "fir") {
    findings.warned(
      app,
      "app",
      "generation",
      "fir-generation",
      `a Fir app: build its image from source (CNB) and move telemetry drains to the cluster's OpenTelemetry.`,
    );
  }
  if (info.space) {
    findings.warned(
      app,
      "app",
      "space",
      "private-space",
      `runs in Private Space ${info.space.name}${info.space.shield ? " (Shield)" : ""}: its network isolation, ` +
        `static outbound IPs and trusted IP ranges are not carried over; use NetworkPolicies and the cluster's egress.`,
    );
  }
  if (info.internalRouting && ctx.hasIngress) {
    findings.warned(
      app,
      "app",
      "internal-routing",
      "internal-routing",
      `internal routing (reachable only inside the Private Space), but the app's custom domains get an ` +
        `Ingress, which is public unless you restrict it (an internal ingress class, or NetworkPolicies).`,
    );
  } else if (info.internalRouting) {
    findings.record(
      app,
      "app",
      "internal-routing",
      "mapped",
      "internal routing: no Ingress is rendered, so web is reachable only inside the cluster (its Service)",
    );
  }
  if (info.maintenance) {
    findings.warned(
      app,
      "app",
      "maintenance",
      "maintenance-mode",
      `the app is in maintenance mode on Heroku; its workloads start serving in-cluster as planned.`,
    );
  }
  if (info.acm && ingress.clusterIssuer === null) {
    findings.warned(
      app,
      "app",
      "acm",
      "tls-no-issuer",
      "Automated Certificate Management is on, but no cert-manager issuer is configured: set one " +
        "(ingress cluster issuer) or supply every host's TLS Secret.",
    );
  } else if (info.acm) {
    findings.record(
      app,
      "app",
      "acm",
      "mapped",
      `certificates issued by cert-manager (${ingress.clusterIssuer})`,
    );
  }

  for (const f of [...snapshot.features].sort((a, b) => compareStrings(a.name, b.name))) {
    if (!f.enabled) {
      findings.record(app, "feature", f.name, "not-needed", "disabled on Heroku");
    } else if (MAPPED_FEATURES[f.name]) {
      findings.record(app, "feature", f.name, "mapped", MAPPED_FEATURES[f.name]);
    } else {
      findings.warned(
        app,
        "feature",
        f.name,
        "feature-no-equivalent",
        `feature ${f.name} has no Kubernetes equivalent here: ${FEATURE_ADVICE[f.name] ?? "check whether the app relies on it"}.`,
      );
    }
  }

  for (const d of [...snapshot.logDrains].sort((a, b) => compareStrings(a.id, b.id))) {
    const where = d.host ?? "an address with no host";
    findings.warned(
      app,
      "log-drain",
      d.id,
      "log-drain",
      d.addon
        ? `log drain to ${where} made by add-on ${d.addon.name}: pods' logs do not reach it; ship them with the ` +
            `cluster's log collector.`
        : `log drain to ${where}: pods' logs do not reach it; ship them with the cluster's log collector.`,
    );
  }

  for (const b of [...snapshot.buildpacks].sort((x, y) => x.ordinal - y.ordinal)) {
    findings.record(
      app,
      "buildpack",
      b.url,
      "mapped",
      `${b.name ?? b.url} (#${b.ordinal}): reproduced by the app image`,
    );
  }

  if (snapshot.pipeline) {
    const p = snapshot.pipeline;
    findings.record(
      app,
      "pipeline",
      p.pipelineName,
      "mapped",
      `stage ${p.stage}: promotion between Pulumi stacks (promoteFrom) replaces pipeline promotion`,
    );
  }

  if (snapshot.release) {
    const r = snapshot.release;
    findings.record(
      app,
      "release",
      `v${r.version}`,
      "mapped",
      `current release (${r.description}): the image runs its code and config`,
    );
  } else {
    findings.warned(
      app,
      "app",
      "release",
      "no-release",
      `the app was never released: there is no code to run.`,
    );
  }
  if (snapshot.slug) {
    findings.record(
      app,
      "slug",
      snapshot.slug.id,
      "mapped",
      `slug for ${snapshot.slug.stack}: the app image's content`,
    );
  }
}

/**
 * The app's Heroku region against the cluster's: moving an app out of its geography may break data
 * residency (an EU app's personal data) and adds a round trip to everything still near Heroku.
 */
function planRegion(snapshot: AppSnapshot, clusterRegion: string | null, findings: Findings): void {
  const app = snapshot.app.name;
  const region = snapshot.app.region;
  const from = geographyOf(region);
  const to = clusterRegion === null ? null : geographyOf(clusterRegion);
  const advice =
    "check data residency (where its users' data may be stored) and the latency to its users and to " +
    "services it keeps on Heroku or near it";
  if (clusterRegion === null) {
    if (from === "us") {
      findings.record(
        app,
        "app",
        "region",
        "not-needed",
        `region ${region}: set cluster.region to have it checked`,
      );
      return;
    }
    findings.warned(
      app,
      "app",
      "region",
      "region-residency",
      `the app runs in Heroku's ${region} region${from ? ` (${geographyName(from)})` : ""} and cluster.region is ` +
        `not set: ${advice}, then set cluster.region.`,
    );
  } else if (from !== null && to !== null && from === to) {
    findings.record(
      app,
      "app",
      "region",
      "mapped",
      `region ${region} → cluster region ${clusterRegion} (both in ${geographyName(from)})`,
    );
  } else {
    const where = (r: string, g: typeof from) =>
      `${r}${g ? ` (${geographyName(g)})` : ", a region this tool does not know"}`;
    findings.warned(
      app,
      "app",
      "region",
      "region-residency",
      `the app runs in Heroku's ${where(region, from)} and the cluster in ${where(clusterRegion, to)}: ${advice}.`,
    );
  }
}
