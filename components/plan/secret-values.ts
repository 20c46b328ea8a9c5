import { SecretString } from "../heroku/secret-string";

/**
 * Tests on a secret's plaintext that yield only a boolean, without the plaintext leaving
 * `SecretString.map`. A redacted value answers `null` (unknown).
 */
export function secretSatisfies(
  value: SecretString,
  predicate: (plaintext: string) => boolean,
): boolean | null {
  if (value.isRedacted) return null;
  return value.map((v) => (predicate(v) ? "1" : "0")).equals(SecretString.of("1"));
}
