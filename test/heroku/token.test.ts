import { strict as assert } from "assert";
import { SecretString } from "../../components/heroku/secret-string";
import { resolveHerokuToken } from "../../components/heroku/token";

describe("resolveHerokuToken", () => {
  it("prefers the stack's secret config value", () => {
    assert.equal(
      resolveHerokuToken("HRKU-from-config", { HEROKU_API_KEY: "from-env" }).reveal(),
      "HRKU-from-config",
    );
    assert.equal(resolveHerokuToken(SecretString.of(" from-secret "), {}).reveal(), "from-secret");
  });

  it("falls back to HEROKU_API_KEY when the config value is absent or blank", () => {
    assert.equal(resolveHerokuToken(undefined, { HEROKU_API_KEY: "from-env" }).reveal(), "from-env");
    assert.equal(resolveHerokuToken("  ", { HEROKU_API_KEY: "from-env" }).reveal(), "from-env");
  });

  it("returns a SecretString that prints as [secret]", () => {
    assert.equal(`${resolveHerokuToken("HRKU-abc", {})}`, "[secret]");
  });

  it("says how to provide a token when there is none", () => {
    assert.throws(
      () => resolveHerokuToken(undefined, {}),
      /No Heroku API token: set it with `pulumi config set --secret herokuApiKey <token>` or export HEROKU_API_KEY/,
    );
  });
});
