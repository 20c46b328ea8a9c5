import assert from "assert";
import { planMigration } from "../../components/plan/plan";
import { geographyOf } from "../../components/plan/regions";
import { app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";

describe("the app's Heroku region against the cluster's (data residency, latency)", () => {
  const region = (heroku: string, cluster: string | null) => {
    const plan = planMigration(
      [app("a").app({ region: heroku }).build()],
      settings({ clusterRegion: cluster }),
    );
    const entry = plan.ledger.find((e) => e.kind === "app" && e.subject === "region");
    const warning = plan.warnings.find((w) => w.code === "region-residency");
    return { outcome: entry?.outcome, detail: entry?.detail ?? "", warning: warning?.message ?? null };
  };

  it("an EU app with no cluster region is warned about, naming the EU and cluster.region", () => {
    const r = region("eu", null);
    assert.strictEqual(r.outcome, "warned");
    assert.match(
      r.warning ?? "",
      /Heroku's eu region \(the EU\) and cluster\.region is not set: check data residency/,
    );
  });

  it("an EU app moving to a US cluster, or to a region this tool does not know, is warned about", () => {
    assert.match(
      region("eu", "us-east-1").warning ?? "",
      /Heroku's eu \(the EU\) and the cluster in us-east-1 \(the US\)/,
    );
    assert.match(region("eu", "moon-base-1").warning ?? "", /moon-base-1, a region this tool does not know/);
    assert.match(
      region("tokyo", "europe-west4").warning ?? "",
      /tokyo \(Asia-Pacific\).*europe-west4 \(the EU\)/,
    );
  });

  it("an app whose cluster is in the same geography is mapped, without a warning", () => {
    for (const [heroku, cluster] of [
      ["eu", "eu-west-1"],
      ["eu", "europe-west4"],
      ["frankfurt", "westeurope"],
      ["us", "us-east-1"],
      ["virginia", "eastus"],
      ["tokyo", "ap-northeast-1"],
      ["eu", "eu"],
    ]) {
      const r = region(heroku, cluster);
      assert.deepStrictEqual([r.outcome, r.warning], ["mapped", null], `${heroku} → ${cluster}`);
      assert.match(r.detail, new RegExp(`region ${heroku} → cluster region ${cluster}`));
    }
  });

  it("a US app with no cluster region is only noted (most clusters and apps are there)", () => {
    const r = region("us", null);
    assert.deepStrictEqual([r.outcome, r.warning], ["not-needed", null]);
    assert.match(r.detail, /set cluster\.region to have it checked/);
  });

  it("geographies of Heroku regions and cloud region codes", () => {
    assert.deepStrictEqual(
      [
        "eu",
        "dublin",
        "us",
        "oregon",
        "montreal",
        "sydney",
        "eu-central-1",
        "northeurope",
        "ca-central-1",
        "sa-east-1",
        "x",
      ].map(geographyOf),
      ["eu", "eu", "us", "us", "ca", "ap", "eu", "eu", "ca", "sa", null],
    );
  });
});

describe("internal routing", () => {
  it("with custom domains (an Ingress is rendered): a warning that the Ingress is public", () => {
    const s = app("a")
      .app({ internalRouting: true })
      .process("web", "./web", 1, "Basic")
      .domain("api.acme.example")
      .build();
    const plan = planMigration([s], settings());
    const w = plan.warnings.find((x) => x.code === "internal-routing");
    assert.match(w?.message ?? "", /custom domains get an Ingress, which is public unless you restrict it/);
  });

  it("without an Ingress: nothing public is rendered, so it is mapped, not warned about an Ingress", () => {
    const s = app("a").app({ internalRouting: true }).process("web", "./web", 1, "Basic").build();
    const plan = planMigration([s], settings());
    assert.ok(!plan.warnings.some((x) => x.code === "internal-routing"));
    const e = plan.ledger.find((x) => x.kind === "app" && x.subject === "internal-routing");
    assert.strictEqual(e?.outcome, "mapped");
    assert.match(e?.detail ?? "", /no Ingress is rendered, so web is reachable only inside the cluster/);
  });
});
