/**
 * Foreign-key relationship names exactly as Hasura's console gives them when "Track All" tracks the
 * relationships it suggests from foreign keys. Implemented from hasura/graphql-engine,
 * `frontend/libs/console/legacy-ce/src/lib/components/Services/Data/TableRelationships/Actions.js`
 * (`formRelName`, `fallBackRelName`, `getExistingFieldsMap`, `getAllUnTrackedRelations`) and
 * `.../TableRelationships/autoRelations.js` (`suggestedRelationshipsRaw`), with the `inflection`
 * package at the version the console pins (1.12.0):
 *
 * 1. Object relationship: `singularize(<other table>)`; array relationship: `pluralize(<other
 *    table>)`; the other table's name is trimmed and carries no schema.
 * 2. When that name is taken by a column of the table or by a relationship named before it, the
 *    fallback `<singular>_by_<this table's columns joined by _>` (object) or `<plural>_by_<the other
 *    table's columns joined by _>` (array), passed through `inflection.camelize(name, true)`; while
 *    still taken, `_1`, `_2`… is appended before camelizing.
 * 3. Per table, object relationships are named first (outgoing keys, then one-to-one incoming keys:
 *    those whose referencing columns are the referencing table's primary key or a unique
 *    constraint), then array relationships (the other incoming keys); each name is taken as soon as
 *    it is given. "Taken" is the console's `name in existingFields` on a plain object, so names of
 *    `Object.prototype` members (`constructor`, `toString`…) count as taken too.
 *
 * Only the `hasura-default` naming convention is implemented (the console applies lodash `camelCase`
 * to the result under the experimental `graphql-default` convention).
 */

interface Inflection {
  singularize(word: string): string;
  pluralize(word: string): string;
  camelize(word: string, lowFirstLetter?: boolean): string;
}

// The console's own inflection library (no type declarations are published for 1.12.0).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const inflection = require("inflection") as Inflection;

/** One suggested relationship of a table, in the console's terms. */
export interface SuggestedRelationship {
  /** true: object relationship; false: array relationship. */
  isObjRel: boolean;
  /** The other table's name (without its schema). */
  rTable: string;
  /** Columns of this table, in key order. */
  lcol: string[];
  /** Columns of the other table, in key order. */
  rcol: string[];
}

export interface RelationshipName {
  name: string;
  /** True when the plain name was taken and the `_by_` fallback was used. */
  fallback: boolean;
}

const sanitizeRelName = (s: string) => s.trim();

function isTaken(existing: ReadonlySet<string>, name: string): boolean {
  // The console checks `name in existingFields` on a `{}`: inherited members count.
  return existing.has(name) || name in ({} as object);
}

/** The console's `fallBackRelName`. */
export function fallBackRelName(
  rel: SuggestedRelationship,
  existing: ReadonlySet<string>,
  iterNumber = 0,
): string {
  const targetTable = sanitizeRelName(rel.rTable);
  const suffix = iterNumber ? `_${iterNumber}` : "";
  const raw = rel.isObjRel
    ? `${inflection.singularize(targetTable)}_by_${sanitizeRelName(rel.lcol.join("_"))}${suffix}`
    : `${inflection.pluralize(targetTable)}_by_${sanitizeRelName(rel.rcol.join("_"))}${suffix}`;
  const name = inflection.camelize(raw, true);
  return isTaken(existing, name) ? fallBackRelName(rel, existing, iterNumber + 1) : name;
}

/** The console's `formRelName` (hasura-default naming convention). */
export function formRelName(rel: SuggestedRelationship, existing: ReadonlySet<string>): RelationshipName {
  const targetTable = sanitizeRelName(rel.rTable);
  const name = rel.isObjRel ? inflection.singularize(targetTable) : inflection.pluralize(targetTable);
  if (isTaken(existing, name)) return { name: fallBackRelName(rel, existing), fallback: true };
  return { name, fallback: false };
}

/**
 * Names every suggested relationship of one table as "Track All" does: `relationships` in the
 * console's order (object relationships first, then array relationships), `columns` the table's
 * columns (its existing fields: the table has no relationships yet).
 */
export function nameTableRelationships(
  columns: readonly string[],
  relationships: readonly SuggestedRelationship[],
): RelationshipName[] {
  const existing = new Set(columns);
  return relationships.map((rel) => {
    const named = formRelName(rel, existing);
    existing.add(named.name);
    return named;
  });
}
