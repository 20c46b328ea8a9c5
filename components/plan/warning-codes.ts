/**
 * Every warning code the planner emits, with what it means. Codes are stable: the report and users'
 * tooling may filter on them.
 */
export const WARNING_CODES = {
  "unknown-dyno-size": "a formation size the planner does not know; default resources used",
  "non-web-binds-port": "a non-web process command references $PORT, which only web gets",
  "scheduler-no-jobs": "Heroku Scheduler add-on with no jobs declared in settings.schedules",
  "addon-image-placeholder": "an in-cluster add-on still uses the placeholder image digest",
  "rediss-url": "a rediss:// URL rewritten to plain redis:// in-cluster",
  "storage-below-floor": "an add-on storage override below the 1Gi floor was raised",
  "redacted-value": "a config var value is redacted in the snapshot file",
  "postgres-credential-collapsed": "a Postgres credential attachment now uses the owner role",
  "postgres-source-credential": "no default-credential attachment: the import reads with another role",
  "attachment-var-missing": "an attachment's URL config var is absent from the app's config",
  "addon-var-unchanged": "an add-on var of a moved add-on carried unchanged (still points at Heroku)",
  "addon-not-provisioned": "an add-on is not in state `provisioned`",
  "addon-not-in-snapshot": "an attachment names an add-on missing from the snapshot's add-ons",
  "unknown-config-var-owner": "config-vars-settings names an attachment the app does not have",
  "log-drain": "a log drain is not carried over",
  "sni-certificate-key": "an uploaded SNI certificate: its private key is not readable from Heroku",
  "tls-no-issuer": "custom domains with no cert-manager issuer: TLS Secrets must be supplied",
  "wildcard-domain": "a wildcard domain: cert-manager needs a DNS-01 solver for it",
  "web-not-exposed": "a web process with no custom domain: no Ingress, reachable only in-cluster",
  "domain-without-web": "custom domains on an app with no web process type",
  "feature-no-equivalent": "an enabled app feature with no Kubernetes equivalent",
  "private-space": "the app runs in a Private Space (network isolation, static IPs)",
  "internal-routing": "the app uses Private Space internal routing",
  "maintenance-mode": "the app is in maintenance mode on Heroku",
  "no-release": "the app has no succeeded release",
  "fir-generation": "a Fir-generation app (CNB image, telemetry drains)",
  "user-var-copies-addon-url": "a user var copies the URL of a moved add-on: it still points at Heroku",
  "config-var-bad-key": "a config var key Kubernetes refuses as a Secret key: left out of the Secret",
  "config-var-not-env-name": "a config var key that is not a C identifier: older clusters skip it in envFrom",
  "runtime-var-not-copied": "a PATH or HOME config var the user set on Heroku: the image's own is used",
  "dyno-name-check": "a command or config var mentions DYNO, which is the pod name in-cluster, not web.1",
  "singleton-process": "a scheduler process type runs as one pod (Recreate): do not scale it",
  "region-residency": "the app's Heroku region and the cluster's are not known to be in one geography",
  "heap-above-memory-limit": "a heap limit (--max-old-space-size, -Xmx) at or above 90% of a memory limit",
  "addon-attachments-hidden":
    "a moved add-on's attachment list is refused by the API: its other users are unknown",
  "addon-owned-outside-stack": "a moved add-on belongs to an app outside the stack",
  "addon-used-outside-stack":
    "a moved add-on is attached to apps outside the stack, which keep using Heroku's copy",
} as const;

export type WarningCode = keyof typeof WARNING_CODES;
