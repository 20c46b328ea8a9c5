import type { HasuraSection } from "./hasura-section";

interface Markdown {
  code(s: string): string;
  table(headers: string[], rows: string[][]): string[];
}

/** The report's "Hasura" section (Markdown lines), from plain data only. */
export function hasuraReportSection(h: HasuraSection, md: Markdown): string[] {
  const { code, table } = md;
  const lines: string[] = ["## Hasura", ""];
  lines.push(
    `GraphQL Engine ${code(h.image)}${h.imagePinned ? "" : " (**unpinned tag**: set `hasura.image` to a digest)"}; ` +
      `console ${h.console ? "on" : "off"}, dev mode ${h.devMode ? "on" : "off"}; metadata database ${code(h.metadataDatabase)}.`,
    "",
    `Metadata directory ${code(`${h.directory}/metadata`)} (\`hasura metadata apply --project ${h.directory}\`); ` +
      (h.endpoint
        ? `applied through ${code(h.endpoint)}${h.applied === null ? "" : h.applied ? " (applied)" : " (not applied)"}.`
        : "no `hasura.endpoint`: not applied by the stack."),
    "",
  );
  if (h.sources === null) {
    lines.push(
      "Tables and relationships are read from the target databases after the import, during `pulumi up`.",
      "",
    );
    return lines;
  }
  for (const s of h.sources) {
    lines.push(
      `### Source \`${s.source}\``,
      "",
      `Database ${code(s.database)}, URL from ${code(s.envVar)}` +
        (s.extensionsSchema ? `, extensions_schema ${code(s.extensionsSchema)}` : "") +
        `: ${s.tables.length} tracked, ${s.relationships.length} relationships, ${s.notTracked.length} not tracked` +
        ` (${s.notTracked.filter((n) => n.warning).length} warnings).`,
      "",
    );
    lines.push(
      ...table(
        ["Table", "Kind", "GraphQL name"],
        s.tables.map((t) => [code(t.table), t.kind, code(t.graphqlName)]),
      ),
    );
    if (s.relationships.length > 0) {
      lines.push(
        ...table(
          ["Table", "Relationship", "Type", "To", "Foreign key", "Columns"],
          s.relationships.map((r) => [
            code(r.table),
            code(r.name) + (r.fallbackName ? " (name taken: fallback)" : ""),
            r.type,
            code(r.remoteTable),
            code(r.foreignKey),
            r.mapping,
          ]),
        ),
      );
    }
    lines.push("#### Not tracked", "");
    if (s.notTracked.length === 0) lines.push("Nothing: every table and view is tracked.", "");
    else
      lines.push(
        ...table(
          ["Object", "Why"],
          s.notTracked.map((n) => [n.warning ? `**warning**: ${n.object}` : n.object, n.reason]),
        ),
      );
  }
  return lines;
}
