import { AppSnapshot } from "../heroku/snapshot";
import { IngressPlan, ServicePlan, WorkloadPlan } from "./types";
import { IngressSettings } from "./settings";
import { compareStrings, Findings } from "./warnings";

/** Port the web Service exposes (the container listens on WEB_PORT). */
export const SERVICE_PORT = 80;

/** The TLS Secret name of `host`: a DNS subdomain, unique because Heroku hostnames are. */
export function tlsSecretName(host: string): string {
  return `${host.toLowerCase().replace(/^\*\./, "wildcard.")}-tls`;
}

/** ClusterIP Service for the web workload (same name and selector), or null without web. */
export function planService(web: WorkloadPlan | undefined): ServicePlan | null {
  if (!web || web.port === null) return null;
  return { name: web.name, labels: web.labels, port: SERVICE_PORT, targetPort: web.port };
}

/**
 * Custom domains → an Ingress for the web Service, one TLS entry (and Secret) per host. The
 * `*.herokuapp.com` domain is not carried over. Records every domain and SNI endpoint in the ledger.
 */
export function planIngress(
  snapshot: AppSnapshot,
  service: ServicePlan | null,
  settings: IngressSettings,
  findings: Findings,
): IngressPlan | null {
  const app = snapshot.app.name;
  const domains = [...snapshot.domains].sort((a, b) => compareStrings(a.hostname, b.hostname));
  const custom = domains.filter((d) => d.kind === "custom");
  for (const d of domains) {
    if (d.kind === "heroku") {
      findings.record(
        app,
        "domain",
        d.hostname,
        "not-needed",
        "Heroku's own domain; the cluster has its own",
      );
    }
  }
  planSniEndpoints(snapshot, settings, findings);
  if (custom.length === 0) {
    if (service) {
      // On Heroku the app answered on its herokuapp.com name; here nothing outside the cluster reaches it.
      findings.warned(
        app,
        "process-type",
        "web",
        "web-not-exposed",
        `web has no custom domain, so no Ingress is made: it is reachable only inside the cluster ` +
          `(Service ${service.name}); add a domain on Heroku (heroku domains:add) and re-plan, or expose it yourself.`,
      );
    }
    return null;
  }
  if (!service) {
    for (const d of custom) {
      findings.warned(
        app,
        "domain",
        d.hostname,
        "domain-without-web",
        `custom domain ${d.hostname} has no web process type to route to; no Ingress rule is made.`,
      );
    }
    return null;
  }
  const annotations: Record<string, string> = {};
  if (settings.clusterIssuer !== null) annotations["cert-manager.io/cluster-issuer"] = settings.clusterIssuer;
  for (const d of custom) {
    const secret = tlsSecretName(d.hostname);
    const detail = `Ingress ${service.name} rule, TLS Secret ${secret}`;
    if (d.hostname.startsWith("*.") && settings.clusterIssuer !== null) {
      findings.warned(
        app,
        "domain",
        d.hostname,
        "wildcard-domain",
        `${detail}: wildcard certificates need a DNS-01 solver on issuer ${settings.clusterIssuer}.`,
      );
    } else if (settings.clusterIssuer === null) {
      findings.warned(
        app,
        "domain",
        d.hostname,
        "tls-no-issuer",
        `${detail}: no cert-manager issuer is configured, so create Secret ${secret} (tls.crt, tls.key) yourself.`,
      );
    } else {
      findings.record(
        app,
        "domain",
        d.hostname,
        "mapped",
        `${detail} (cert-manager ${settings.clusterIssuer})`,
      );
    }
    if (d.cname !== null) {
      findings.record(
        app,
        "domain",
        d.hostname,
        "mapped",
        `repoint DNS from ${d.cname} to the cluster's ingress`,
      );
    }
  }
  return {
    name: service.name,
    labels: service.labels,
    className: settings.className,
    annotations,
    rules: custom.map((d) => ({ host: d.hostname, serviceName: service.name, servicePort: SERVICE_PORT })),
    tls: custom.map((d) => ({ hosts: [d.hostname], secretName: tlsSecretName(d.hostname) })),
    addressTimeoutSeconds: settings.addressTimeoutSeconds,
  };
}

function planSniEndpoints(snapshot: AppSnapshot, settings: IngressSettings, findings: Findings): void {
  const app = snapshot.app.name;
  for (const sni of [...snapshot.sniEndpoints].sort((a, b) => compareStrings(a.name, b.name))) {
    const hosts = [...sni.certificateDomains].sort(compareStrings).join(", ");
    if (sni.acm && settings.clusterIssuer !== null) {
      findings.record(
        app,
        "sni-endpoint",
        sni.name,
        "mapped",
        `ACM certificate for ${hosts}: re-issued by cert-manager (${settings.clusterIssuer})`,
      );
    } else {
      findings.warned(
        app,
        "sni-endpoint",
        sni.name,
        "sni-certificate-key",
        sni.acm
          ? `ACM certificate for ${hosts} cannot be exported: configure a cert-manager issuer or supply the TLS Secrets.`
          : `uploaded certificate for ${hosts}${sni.expiresAt ? ` (expires ${sni.expiresAt})` : ""}: Heroku never ` +
              `returns its private key, so put the certificate and key into the hosts' TLS Secrets yourself` +
              (settings.clusterIssuer === null
                ? "."
                : `, or let cert-manager (${settings.clusterIssuer}) issue new ones.`),
      );
    }
  }
}
