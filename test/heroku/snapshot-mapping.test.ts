import { strict as assert } from "assert";
import {
  drainHost,
  toBuildpack,
  toConfigVars,
  toConfigVarOwners,
  toRelease,
  toSniEndpoint,
} from "../../components/heroku/snapshot-mapping";

describe("snapshot mapping (API object → AppSnapshot field)", () => {
  it("takes a drain's host without its credentials", () => {
    assert.equal(drainHost("syslog+tls://logs7.papertrailapp.com:41234"), "logs7.papertrailapp.com");
    assert.equal(drainHost("https://user:pass@logs.example.net/x?token=y"), "logs.example.net");
    assert.equal(drainHost("not a url"), null);
  });

  it("keeps a buildpack's registry name, not a URL standing in for one", () => {
    assert.equal(
      toBuildpack({ ordinal: 0, buildpack: { url: "heroku/nodejs", name: "heroku/nodejs" } }).name,
      "heroku/nodejs",
    );
    const url = "https://github.com/acme/buildpack-assets";
    assert.deepEqual(toBuildpack({ ordinal: 1, buildpack: { url, name: url } }), {
      ordinal: 1,
      url,
      name: null,
    });
  });

  it("wraps config var values as secrets and drops the nulls of an unset", () => {
    const vars = toConfigVars({ B: "2", A: "1", GONE: null } as unknown as Record<string, string>);
    assert.deepEqual(Object.keys(vars), ["A", "B"]);
    assert.equal(JSON.stringify(vars), '{"A":"[secret]","B":"[secret]"}');
    assert.equal(vars.A.reveal(), "1");
  });

  it("keeps only attachment ownership from config-vars-settings, never its values", () => {
    const owners = toConfigVarOwners(
      [
        { key: "DATABASE_URL", value: "postgres://secret", attachment: { id: "att-1" } },
        { key: "USER_VAR", value: "mine", attachment: null },
      ],
      [{ id: "att-1", name: "DATABASE" }],
    );
    assert.deepEqual(owners, { DATABASE_URL: { attachmentId: "att-1", attachmentName: "DATABASE" } });
    assert.equal(toConfigVarOwners(null, []), null);
  });

  it("maps an expired release to failed (the contract has no expired)", () => {
    assert.equal(
      toRelease({ status: "expired" } as unknown as Parameters<typeof toRelease>[0]).status,
      "failed",
    );
    assert.equal(toRelease({ status: "pending", slug: null }).slugId, null);
  });

  it("calls a certificate ACM-issued as the API's ssl_cert.acm says, else by app, issuer and served domains", () => {
    const le = "/C=US/O=Let's Encrypt/CN=R11";
    const cert = (issuer: string, acm?: boolean) => ({
      id: "sni-1",
      name: "c",
      ssl_cert: { issuer, cert_domains: ["a.example.com"], ...(acm === undefined ? {} : { acm }) },
    });
    const served = (acmStatus: string | null) => [
      { hostname: "a.example.com", acm_status: acmStatus, sni_endpoint: { id: "sni-1", name: "c" } },
    ];
    // The API's flag wins either way.
    assert.equal(toSniEndpoint(cert(le, false), true, served("cert issued")).acm, false);
    assert.equal(toSniEndpoint(cert("/O=DigiCert Inc", true), false, []).acm, true);
    // Without it: ACM app, Let's Encrypt, and every served domain managed by ACM.
    assert.equal(toSniEndpoint(cert(le), true, served("cert issued")).acm, true);
    assert.equal(toSniEndpoint(cert(le), true, served(null)).acm, false, "an uploaded certbot certificate");
    assert.equal(toSniEndpoint(cert(le), true, []).acm, false, "serves no domain");
    assert.equal(toSniEndpoint(cert(le), false, served("cert issued")).acm, false);
    assert.equal(
      toSniEndpoint(cert("/C=US/O=DigiCert Inc/CN=DigiCert TLS"), true, served("cert issued")).acm,
      false,
    );
  });
});
