/**
 * The engine's marker for an input value not known yet (during a preview: `rpc.unknownValue`), as
 * every dynamic provider's check and diff receive it. One copy, so no provider can drift from it.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Given and known: neither absent nor still {@link UNKNOWN}. */
export const isKnown = (v: unknown): boolean => v !== undefined && v !== UNKNOWN;
