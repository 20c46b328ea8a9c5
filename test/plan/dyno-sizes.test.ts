import assert from "assert";
import { DynoSizeInfo } from "../../components/heroku/snapshot";
import { PUBLISHED_DYNO_SIZES, publishedSize, resourcesForDynoSize } from "../../components/plan/dyno-sizes";

describe("dyno sizes → resources", () => {
  const published: [string, string, string, string][] = [
    // size, cpu request, memory request, memory limit (Heroku's R15 restart point)
    ["Eco", "250m", "512Mi", "1Gi"],
    ["Basic", "250m", "512Mi", "1Gi"],
    ["Standard-1X", "250m", "512Mi", "1Gi"],
    ["standard-2x", "500m", "1Gi", "2Gi"],
    ["Performance-M", "2", "2560Mi", "5Gi"],
    ["Performance-L", "8", "14Gi", "28Gi"],
    ["Performance-L-RAM", "4", "30Gi", "36Gi"],
    ["Performance-XL", "8", "62Gi", "74Gi"],
    ["Performance-2XL", "16", "126Gi", "151Gi"],
    ["Private-S", "1", "1Gi", "1Gi"],
    ["Shield-M", "2", "2560Mi", "2560Mi"],
    ["Private-Memory-XL", "8", "62Gi", "62Gi"],
    ["dyno-1c-0.5gb", "1", "512Mi", "512Mi"],
    ["dyno-8c-64gb", "8", "64Gi", "64Gi"],
  ];
  for (const [size, cpu, request, limit] of published) {
    it(`${size}: ${cpu} CPU, ${request} request, ${limit} limit`, () => {
      assert.deepStrictEqual(resourcesForDynoSize(size, []), {
        resources: { requests: { cpu, memory: request }, limits: { memory: limit } },
        known: true,
      });
    });
  }

  it("prefers the app's own dyno-size figures over the published table", () => {
    const info: DynoSizeInfo = {
      name: "Standard-2X",
      memoryGb: 1.5,
      compute: 2,
      dedicated: false,
      privateSpaceOnly: false,
    };
    assert.deepStrictEqual(resourcesForDynoSize("Standard-2X", [info]).resources, {
      requests: { cpu: "500m", memory: "1536Mi" },
      limits: { memory: "3Gi" },
    });
  });

  it("sizes an unpublished dedicated Private Space size from the snapshot at its quota", () => {
    const info: DynoSizeInfo = {
      name: "Private-XS",
      memoryGb: 0.5,
      compute: 1,
      dedicated: true,
      privateSpaceOnly: true,
    };
    assert.deepStrictEqual(resourcesForDynoSize("private-xs", [info]), {
      resources: { requests: { cpu: "1", memory: "512Mi" }, limits: { memory: "512Mi" } },
      known: true,
    });
  });

  it("falls back to Standard-1X with known: false for an unknown size", () => {
    assert.deepStrictEqual(resourcesForDynoSize("Mega-9X", []), {
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
      known: false,
    });
  });

  it("every published size has limit ≥ request", () => {
    for (const s of PUBLISHED_DYNO_SIZES) assert.ok(s.memoryLimitMb >= s.memoryQuotaMb, s.name);
    assert.strictEqual(publishedSize("nope"), null);
  });
});
