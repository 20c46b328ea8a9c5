/**
 * Validates Heroku API double requests and responses against the Platform API hyperschema
 * (schema/platform-api-schema.json beside this file), link by link, with the leniencies and the one
 * tightening documented in schema/README.md and nothing else.
 */
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as path from "path";

const SCHEMA_ID = "heroku-platform-api";

/** Heroku's published schema, kept in the repository (provenance in schema/README.md). */
export const SCHEMA_PATH = path.join(__dirname, "schema", "platform-api-schema.json");

type JsonObject = Record<string, unknown>;

export interface SchemaLink {
  /** Definition name, e.g. `add-on-attachment`. */
  definition: string;
  /** Link title, e.g. `List by App`. */
  title: string;
  /** HTTP method, e.g. `GET`, `PATCH`. */
  method: string;
  /** Request path regex built from the link's href. */
  pattern: RegExp;
  /** Literal path segments, to prefer `/apps/{app}/addons` over a wider match. */
  literalSegments: number;
  validate: ValidateFunction;
  /** The request body's schema (the link's `schema`), for links that take a body. */
  validateRequest: ValidateFunction | undefined;
  /** Top-level properties the link's request `schema` lists (see {@link HerokuSchema.validateRequest}). */
  requestProperties: string[];
}

/**
 * Hyper-schema's `strictProperties: true` (prmd/interagent) means the object has exactly the
 * listed properties: all present, no others. Spelled out in plain JSON Schema for ajv.
 */
function normalise(node: unknown, inPropertiesMap = false): void {
  if (Array.isArray(node)) {
    node.forEach((n) => normalise(n));
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const o = node as JsonObject;
  if (!inPropertiesMap) {
    delete o.$schema;
    if (o.strictProperties === true && typeof o.properties === "object" && o.properties !== null) {
      o.additionalProperties = false;
      o.required = Object.keys(o.properties);
    }
    delete o.strictProperties;
  }
  for (const [k, v] of Object.entries(o)) {
    // Keys of `properties`/`definitions`/`patternProperties` are names, not keywords.
    normalise(
      v,
      !inPropertiesMap && (k === "properties" || k === "definitions" || k === "patternProperties"),
    );
  }
}

function loadSchema(): JsonObject {
  if (!fs.existsSync(SCHEMA_PATH)) {
    throw new Error(`Heroku Platform API schema not found at ${SCHEMA_PATH} (see schema/README.md)`);
  }
  const doc = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as JsonObject;
  delete doc.id;
  normalise(doc);
  const defs = doc.definitions as Record<string, JsonObject>;
  const sub = (d: string) => defs[d].definitions as Record<string, JsonObject>;
  // Leniency 1: the API serves `app.generation` as an object {id, name}; the file says string.
  sub("app").generation = {
    anyOf: [
      { type: ["string"] },
      {
        type: ["object"],
        properties: { id: { type: ["string"], format: "uuid" }, name: { type: ["string"] } },
        additionalProperties: false,
        required: ["name"],
      },
    ],
  };
  // Leniency 2: `domain.hostname` is declared `format: uri` but is a bare (possibly wildcard) host name.
  const hostname = sub("domain").hostname;
  delete hostname.format;
  hostname.pattern =
    "^(\\*\\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$";
  return doc;
}

export class HerokuSchema {
  readonly links: SchemaLink[] = [];
  readonly #ajv: Ajv;
  readonly #errorValidator: ValidateFunction;

  constructor() {
    const doc = loadSchema();
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema({ ...doc, $id: SCHEMA_ID });
    const cache = new Map<string, ValidateFunction>();
    const compiled = (ptr: string): ValidateFunction => {
      let v = cache.get(ptr);
      if (!v) {
        v = this.#ajv.compile({ $ref: ptr });
        cache.set(ptr, v);
      }
      return v;
    };
    const defs = doc.definitions as Record<string, { links?: JsonObject[] }>;
    for (const [definition, def] of Object.entries(defs)) {
      (def.links ?? []).forEach((link, i) => {
        if (link.targetSchema === undefined) return;
        const href = String(link.href);
        const segments = href.split("/").filter(Boolean);
        const regex = segments.map((s) => (s.startsWith("{") ? "([^/]+)" : escapeRegex(s))).join("/");
        const ptr = `${SCHEMA_ID}#/definitions/${definition}/links/${i}`;
        const request = link.schema as { properties?: JsonObject } | undefined;
        this.links.push({
          definition,
          title: String(link.title),
          method: String(link.method),
          pattern: new RegExp(`^/${regex}$`),
          literalSegments: segments.filter((s) => !s.startsWith("{")).length,
          // Compiled on first use: the schema has 338 links and a test uses a dozen.
          get validate(): ValidateFunction {
            return compiled(`${ptr}/targetSchema`);
          },
          get validateRequest(): ValidateFunction | undefined {
            return request === undefined ? undefined : compiled(`${ptr}/schema`);
          },
          requestProperties: Object.keys(request?.properties ?? {}),
        });
      });
    }
    this.#errorValidator = this.#ajv.compile({
      type: "object",
      required: ["id", "message"],
      properties: {
        id: { type: "string", minLength: 1 },
        message: { type: "string" },
        url: { type: "string" },
      },
      additionalProperties: false,
    });
  }

  /** The `method` link whose href matches `path` (the most literal match wins), or undefined. */
  linkFor(path: string, method = "GET"): SchemaLink | undefined {
    return this.links
      .filter((l) => l.method === method && l.pattern.test(path))
      .sort((a, b) => b.literalSegments - a.literalSegments)[0];
  }

  /** The link with this definition and title; throws when the schema has none. */
  link(definition: string, title: string): SchemaLink {
    const l = this.links.find((x) => x.definition === definition && x.title === title);
    if (!l) throw new Error(`schema has no link ${definition} → "${title}"`);
    return l;
  }

  /**
   * Validation errors of a request body for `link` (empty when valid): the link's `schema`, plus
   * one check stricter than the schema (schema/README.md): no top-level property the schema does
   * not list. Heroku ignores unknown properties, so a misspelt `maintenance` would be a silent
   * no-op there; here it is an error.
   */
  validateRequest(link: SchemaLink, body: unknown): string[] {
    const v = link.validateRequest;
    if (v === undefined) return body === undefined ? [] : ["(root) the link takes no request body"];
    const problems = v(body) ? [] : formatErrors(v);
    if (typeof body === "object" && body !== null && !Array.isArray(body)) {
      for (const k of Object.keys(body)) {
        if (!link.requestProperties.includes(k))
          problems.push(`(root) has property "${k}", which the link's schema does not list`);
      }
    }
    return problems;
  }

  /** Validates `body` against a definition or sub-definition (`app`, `app/definitions/name`). */
  validateDefinition(pointer: string, body: unknown): string[] {
    const v = this.#ajv.getSchema(`${SCHEMA_ID}#/definitions/${pointer}`);
    if (!v) throw new Error(`schema has no definition ${pointer}`);
    return v(body) ? [] : formatErrors(v);
  }

  /** Validation errors of a success body for `link` (empty when valid). */
  validateResponse(link: SchemaLink, body: unknown): string[] {
    return link.validate(body) ? [] : formatErrors(link.validate);
  }

  /** Validation errors of a Heroku error body `{id, message}`. */
  validateError(body: unknown): string[] {
    return this.#errorValidator(body) ? [] : formatErrors(this.#errorValidator);
  }
}

function formatErrors(v: ValidateFunction): string[] {
  return (v.errors ?? []).map(
    (e) => `${e.instancePath || "(root)"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

let shared: HerokuSchema | undefined;

/** One parsed schema per process: loading and compiling it takes a moment. */
export function herokuSchema(): HerokuSchema {
  shared ??= new HerokuSchema();
  return shared;
}
