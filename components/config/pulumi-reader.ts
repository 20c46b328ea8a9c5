import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, SECRET_KEYS } from "./parse";
import { StackConfig } from "./stack-config";

/** Keys whose values are plain strings even when they look like JSON (a token may be all digits). */
const STRING_KEYS: ReadonlySet<string> = new Set([...SECRET_KEYS, "storageClass"]);

/**
 * Reads the current stack's config (`<project>:*` keys) and validates it with {@link parseStackConfig}.
 * Throws a StackConfigError before any resource exists when anything is wrong.
 */
export function readStackConfig(env: Record<string, string | undefined> = process.env): StackConfig {
  const project = pulumi.getProject();
  const prefix = `${project}:`;
  const raw: Record<string, unknown> = {};
  const stored = new Set<string>();
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    raw[key] = STRING_KEYS.has(key) ? value : decode(value);
    if (isSecret(fullKey)) stored.add(key);
  }
  return parseStackConfig(raw, {
    project,
    stack: pulumi.getStack(),
    env,
    secretKeysStored: isSecret === noSecretInfo ? undefined : stored,
  });
}

/** Structured values arrive JSON-encoded; anything else is a plain string. */
function decode(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const noSecretInfo = (): boolean => false;

// `isConfigSecret` is exported by the SDK's runtime but not in its typings; without it the check that
// secret keys were stored encrypted is skipped rather than guessed.
const isSecret: (key: string) => boolean =
  (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret ?? noSecretInfo;
