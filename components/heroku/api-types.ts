/**
 * Response types of the Heroku Platform API endpoints the reader calls.
 *
 * Types come from `@heroku-cli/schema` where it has them; the few it lacks or gets wrong (the
 * prototype `config-vars-settings`, `app.generation`) are declared here from the hyperschema.
 */
import type {
  AddOn,
  AddOnAttachment,
  App,
  AppFeature,
  BuildpackInstallations,
  ConfigVars,
  Domain,
  Dyno,
  DynoSize,
  Formation,
  LogDrain,
  Pipeline,
  PipelineCoupling,
  RateLimit,
  Release,
  SNIEndpoint,
  Slug,
} from "@heroku-cli/schema";

export type {
  AddOn,
  AddOnAttachment,
  AppFeature,
  ConfigVars,
  Domain,
  Dyno,
  DynoSize,
  Formation,
  LogDrain,
  Pipeline,
  PipelineCoupling,
  RateLimit,
  Release,
  SNIEndpoint,
  Slug,
};

/** `GET /apps/{app}/buildpack-installations` item (the package names it in the plural). */
export type BuildpackInstallation = BuildpackInstallations;

/**
 * `app` with the fields the package lacks. `generation` is a string in the hyperschema but an
 * object `{id, name}` in what the API serves (heroku/cli, heroku-go v6): accept both.
 */
export type HerokuApp = App & {
  generation?: string | { id?: string; name?: string };
  base_image_name?: string | null;
};

/** `GET /apps/{app}/config-vars-settings` item (prototype endpoint; absent from the package). */
export interface ConfigVarsSetting {
  key: string;
  /** Plaintext value: the reader never keeps it. */
  value: string | null;
  /** Set when an add-on attachment owns the variable. */
  attachment: { id: string } | null;
  masked?: boolean;
  masking_supported?: boolean;
  value_updated_at?: string;
}

/** A Heroku error body (`{id, message}`, sometimes `url`). */
export interface HerokuErrorBody {
  id: string;
  message: string;
  url?: string;
}
