export { createKubernetesProvider, clusterIdentity } from "./provider";
export { Microservice, MicroserviceArgs } from "./microservice";
export { StatefulAddon, StatefulAddonArgs, PASSWORD_KEY } from "./stateful-addon";
export { createAppSecret, AppSecretArgs } from "./app-secret";
export { createReleaseJob, ReleaseJobArgs, releaseHash } from "./release-job";
export { createCronJob, CronJobArgs } from "./cron-job";
export { HerokuAppMigration, HerokuAppMigrationArgs, AddonOutcome } from "./heroku-app-migration";
