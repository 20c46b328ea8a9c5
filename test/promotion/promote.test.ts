import { strict as assert } from "assert";
import { execFile } from "child_process";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parse } from "yaml";
import { parseImages } from "../config/parse-images";
import { main } from "../../scripts/promote";

const ROOT = path.join(__dirname, "..", "..");
const A = "registry.example.com/acme/acme-api@sha256:" + "a".repeat(64);
const B = "registry.example.com/acme/acme-admin@sha256:" + "b".repeat(64);

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("npm run promote (stack files in a temp project)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-promote-"));
    for (const f of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"]) {
      await fs.copyFile(path.join(ROOT, f), path.join(dir, f));
    }
    // `pulumi stack output --json -s staging` as the CLI prints it (staging re-exports dev's digests).
    await fs.writeFile(
      path.join(dir, "staging-outputs.json"),
      JSON.stringify({ imageDigests: { "acme-api": A, "acme-admin": B }, report: "…" }),
    );
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));
  /** `npm run promote -- staging prod` with staging's outputs from the file written above. */
  const promoteStagingToProd = () =>
    run(["staging", "prod", "--outputs", path.join(dir, "staging-outputs.json"), "--dir", dir]);

  it("pins the upstream digests into Pulumi.prod.yaml, keeping comments and every other key", async () => {
    const before = await fs.readFile(path.join(dir, "Pulumi.prod.yaml"), "utf8");
    const r = await promoteStagingToProd();
    assert.deepEqual(r.err, []);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, [
      "pinned staging's images in Pulumi.prod.yaml:",
      `  acme-admin: (none) → ${B}`,
      `  acme-api: (none) → ${A}`,
      "review and commit Pulumi.prod.yaml, then run `pulumi up -s prod`",
    ]);
    const after = await fs.readFile(path.join(dir, "Pulumi.prod.yaml"), "utf8");
    const config = (parse(after) as { config: Record<string, unknown> }).config;
    const beforeConfig = (parse(before) as { config: Record<string, unknown> }).config;
    assert.deepEqual(config["heroku-to-hasura:images"], {
      pinnedOnly: true,
      apps: { "acme-admin": { strategy: "image", image: B }, "acme-api": { strategy: "image", image: A } },
    });
    for (const k of Object.keys(beforeConfig).filter((k) => k !== "heroku-to-hasura:images")) {
      assert.deepEqual(config[k], beforeConfig[k], k);
    }
    for (const comment of before.split("\n").filter((l) => l.trimStart().startsWith("#"))) {
      assert.ok(after.includes(comment.trim()), `comment kept: ${comment}`);
    }
    // The pinned file is what prod's program accepts: no build, exactly these digests.
    const parsed = parseImages(config["heroku-to-hasura:images"], ["acme-api", "acme-admin"]);
    assert.deepEqual(parsed.errors, []);

    const again = await promoteStagingToProd();
    assert.deepEqual(again.out, ["Pulumi.prod.yaml already pins staging's digests: nothing to change"]);
    assert.equal(await fs.readFile(path.join(dir, "Pulumi.prod.yaml"), "utf8"), after);
  });

  it("the prod file as committed refuses to run until digests are pinned", () => {
    return fs.readFile(path.join(ROOT, "Pulumi.prod.yaml"), "utf8").then((text) => {
      const images = (parse(text) as { config: Record<string, unknown> }).config["heroku-to-hasura:images"];
      const r = parseImages(images, ["acme-api"]);
      assert.deepEqual(r.errors, [
        "heroku-to-hasura:images.apps.acme-api: not pinned to a digest, and this stack has pinnedOnly: true; pin it with `npm run promote -- <upstream stack> <this stack>`",
      ]);
    });
  });

  it("pins under this stack's app names when images.upstreamApps maps them", async () => {
    const file = path.join(dir, "Pulumi.prod.yaml");
    const text = await fs.readFile(file, "utf8");
    await fs.writeFile(
      file,
      text.replace(
        "    pinnedOnly: true\n",
        "    pinnedOnly: true\n    upstreamApps:\n      acme-api-prod: acme-api\n",
      ),
    );
    const r = await promoteStagingToProd();
    assert.equal(r.code, 0, r.err.join("\n"));
    const images = (parse(await fs.readFile(file, "utf8")) as { config: Record<string, { apps: unknown }> })
      .config["heroku-to-hasura:images"];
    assert.deepEqual(images.apps, {
      "acme-admin": { strategy: "image", image: B },
      "acme-api-prod": { strategy: "image", image: A },
    });
    await fs.writeFile(
      file,
      text.replace(
        "    pinnedOnly: true\n",
        "    pinnedOnly: true\n    upstreamApps:\n      acme-api-prod: acme-ap\n",
      ),
    );
    const bad = await promoteStagingToProd();
    assert.equal(bad.code, 1);
    assert.match(
      bad.err[0],
      /upstreamApps\.acme-api-prod names acme-ap, which has no digest upstream \(it has: acme-api, acme-admin\)/,
    );
  });

  it("refuses to pin a stack that follows another with promoteFrom", async () => {
    const r = await run([
      "dev",
      "staging",
      "--outputs",
      path.join(dir, "staging-outputs.json"),
      "--dir",
      dir,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err.join("\n"), /Pulumi\.staging\.yaml sets heroku-to-hasura:promoteFrom/);
  });

  it("fails naming the stack and output when the upstream has no imageDigests, and changes nothing", async () => {
    await fs.writeFile(path.join(dir, "empty.json"), "{}");
    const before = await fs.readFile(path.join(dir, "Pulumi.prod.yaml"), "utf8");
    const r = await run(["staging", "prod", "--outputs", path.join(dir, "empty.json"), "--dir", dir]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [
      "promote: stack staging has no output imageDigests: run `pulumi up` on staging first",
    ]);
    assert.equal(await fs.readFile(path.join(dir, "Pulumi.prod.yaml"), "utf8"), before);
  });

  it("refuses a tag instead of a digest in the upstream output", async () => {
    await fs.writeFile(
      path.join(dir, "tag.json"),
      JSON.stringify({ imageDigests: { "acme-api": "r.example.com/a:latest" } }),
    );
    const r = await run(["staging", "prod", "--outputs", path.join(dir, "tag.json"), "--dir", dir]);
    assert.equal(r.code, 1);
    assert.match(
      r.err[0],
      /stack staging output imageDigests\.acme-api: "r\.example\.com\/a:latest" is not pinned to a digest/,
    );
  });

  it("--diff lists config differences between two stack files, secrets as [secret]", async () => {
    const secure = (v: string) => `{ secure: ${v} }`;
    await fs.appendFile(
      path.join(dir, "Pulumi.staging.yaml"),
      `  heroku-to-hasura:postgresPassword: ${secure("v1:AAAA")}\n  heroku-to-hasura:herokuApiKey: ${secure("v1:CCCC")}\n`,
    );
    await fs.appendFile(
      path.join(dir, "Pulumi.prod.yaml"),
      `  heroku-to-hasura:postgresPassword: ${secure("v1:BBBB")}\n`,
    );
    const r = await run(["--diff", "staging", "prod", "--dir", dir]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, [
      "config differences Pulumi.staging.yaml → Pulumi.prod.yaml:",
      '  + heroku-to-hasura:addons.redis-curved-11111.copy.host: "127.0.0.1"',
      "  + heroku-to-hasura:addons.redis-curved-11111.copy.port: 16379",
      "  - heroku-to-hasura:addons.redis-curved-11111.startEmpty: true",
      "  + heroku-to-hasura:cutover.drainTimeoutSeconds: 180",
      "  + heroku-to-hasura:cutover.freeze: true",
      '  ~ heroku-to-hasura:heroku.pipeline.stage: "staging" → "production"',
      "  - heroku-to-hasura:herokuApiKey: [secret]",
      "  + heroku-to-hasura:images.apps: {}",
      "  + heroku-to-hasura:images.pinnedOnly: true",
      "  + heroku-to-hasura:import.enabled: true",
      "  ? heroku-to-hasura:postgresPassword: [secret] in both (not compared: encrypted per stack)",
      '  - heroku-to-hasura:promoteFrom: "organization/heroku-to-hasura/dev"',
    ]);
    assert.ok(!r.out.join("\n").includes("AAAA") && !r.out.join("\n").includes("CCCC"));
  });

  it("exits 2 with the usage on bad arguments (as a real process)", async () => {
    const res = await promisify(execFile)(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "promote.ts"), "only-one"],
      { cwd: ROOT },
    ).catch((e: { code: number; stderr: string }) => e);
    assert.equal((res as { code: number }).code, 2);
    assert.match((res as { stderr: string }).stderr, /usage: npm run promote -- <from> <to>/);
  });
});
