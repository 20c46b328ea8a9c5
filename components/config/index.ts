export * from "./stack-config";
export { parseStackConfig, ParseContext, TOP_LEVEL_KEYS, SECRET_KEYS } from "./parse";
export { readStackConfig } from "./pulumi-reader";
export { selectSnapshots, checkConfigAgainstApps, AppCheckOptions, AppCheckResult } from "./app-checks";
export { ConfigIssue, StackConfigError } from "./issues";
