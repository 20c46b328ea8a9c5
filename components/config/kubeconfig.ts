import { parse } from "yaml";
import { closest } from "./issues";

/**
 * What can be checked in a kubeconfig before the Kubernetes provider uses it: that the context the
 * stack names exists, or that one is current. Returns the problem (never quoting the kubeconfig, which
 * holds credentials), or null. A kubeconfig that does not parse, or lists no contexts (the provider
 * can also read exec or in-cluster setups), is left to the provider.
 */
export function kubeconfigContextProblem(kubeconfig: string, context: string | null): string | null {
  const names = contextNames(kubeconfig);
  if (names === null) return null;
  if (context !== null) {
    if (names.contexts.includes(context)) return null;
    const hint = closest(context, names.contexts);
    return (
      `the kubeconfig has no context "${context}"${hint ? ` (did you mean "${hint}"?)` : ""}; ` +
      `its contexts: ${names.contexts.join(", ")}`
    );
  }
  if (names.current !== null && names.contexts.includes(names.current)) return null;
  return (
    `is required: the kubeconfig has no usable current-context` +
    `${names.current !== null ? ` ("${names.current}" is not among its contexts)` : ""}; ` +
    `set cluster.context to one of: ${names.contexts.join(", ")}`
  );
}

function contextNames(kubeconfig: string): { contexts: string[]; current: string | null } | null {
  let doc: unknown;
  try {
    doc = parse(kubeconfig);
  } catch {
    // The parser's message may quote the text: the provider will report it without the credentials.
    return null;
  }
  if (typeof doc !== "object" || doc === null) return null;
  const { contexts, "current-context": current } = doc as Record<string, unknown>;
  if (!Array.isArray(contexts)) return null;
  const names = contexts
    .map((c) => (typeof c === "object" && c !== null ? (c as { name?: unknown }).name : undefined))
    .filter((n): n is string => typeof n === "string" && n !== "");
  if (names.length === 0) return null;
  return { contexts: names, current: typeof current === "string" && current !== "" ? current : null };
}
