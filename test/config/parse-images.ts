import { Fields } from "../../components/config/fields";
import { parseImagesConfig } from "../../components/config/images";
import { ConfigIssue, IssueList } from "../../components/config/issues";
import type { ImagesConfig } from "../../components/images/config";

export interface ParsedImages {
  /** The issues as the parser reported them (key + message). */
  issues: ConfigIssue[];
  /** The same issues as StackConfigError lists them, one `<key>: <message>` line each. */
  errors: string[];
  value: ImagesConfig;
}

/** Parses `images` for `apps` into a fresh issue list of the project `heroku-to-hasura`. */
export function parseImages(
  raw: unknown,
  apps: readonly string[],
  options: { promoteFrom?: string | null; project?: string } = {},
): ParsedImages {
  const list = new IssueList(options.project ?? "heroku-to-hasura");
  const value = parseImagesConfig(new Fields(list), raw, apps, { promoteFrom: options.promoteFrom });
  return { issues: list.issues, errors: list.issues.map((i) => `${i.key}: ${i.message}`), value };
}
