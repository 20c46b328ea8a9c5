/** The data a Heroku API double serves: API-shaped objects, per app and account-wide. */
import { ApiObject } from "./api-objects";

export interface TokenSpec {
  /** OAuth scopes: `global`, or e.g. `read` + `read-protected` (config vars need one of global/read-protected). */
  scopes: string[];
  /** When set, the only apps this token's account can see (others answer 403). */
  apps?: string[];
}

export interface AppFixture {
  /** `app` object (schema def `app`). */
  app: ApiObject;
  /** Current config vars (plaintext: fixtures hold fake values only). */
  configVars: Record<string, string>;
  /** Config var → id of the attachment that owns it; `null` makes config-vars-settings answer 404. */
  configVarOwners: Record<string, string> | null;
  formation: ApiObject[];
  domains: ApiObject[];
  sniEndpoints: ApiObject[];
  buildpacks: ApiObject[];
  releases: ApiObject[];
  slugs: ApiObject[];
  logDrains: ApiObject[];
  features: ApiObject[];
  /** Keys config-vars-settings serves masked (`masked: true`, value null); default none. */
  maskedConfigVars?: string[];
  /** False: `/apps/{app}/available-dyno-sizes` answers 404 (clients fall back to `/dyno-sizes`). */
  availableDynoSizes: boolean;
  /**
   * One-off dynos running besides the formation's (`run.N`, `scheduler.N`: scaling does not stop
   * them). `GET /apps/{app}/dynos` lists these and one dyno per formation quantity. Default none.
   */
  oneOffDynos?: ApiObject[];
}

export interface DoubleFixtures {
  /** Accepted bearer tokens. */
  tokens: Record<string, TokenSpec>;
  apps: AppFixture[];
  /** Every add-on (schema def `add-on`); an app lists those attached to it. */
  addons: ApiObject[];
  /** Every attachment (schema def `add-on-attachment`), on any app. */
  attachments: ApiObject[];
  pipelines: ApiObject[];
  couplings: ApiObject[];
  /** The account's dyno size catalogue (schema def `dyno-size`). */
  dynoSizes: ApiObject[];
}

export const appName = (f: AppFixture): string => f.app.name as string;
