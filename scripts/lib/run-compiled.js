/**
 * `node scripts/lib/run-compiled.js scripts/x.ts args…` runs a TypeScript command as plain
 * JavaScript: the entry point and the project modules it imports are transpiled once into
 * `.dev/compiled/` and reused while none of them changes (sizes and modification times), so a
 * command starts in about 0.1 s with no TypeScript compiler in its memory (ts-node: ≈ 1.5 s and
 * ≈ 90 MB more). Plain JavaScript itself: it must run before anything is compiled.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");

const root = path.resolve(__dirname, "../..");
const entry = path.resolve(process.argv[2] || "");
if (!process.argv[2] || !fs.existsSync(entry)) {
  process.stderr.write(`usage: node ${path.relative(process.cwd(), __filename)} <entry.ts> [args…]\n`);
  process.exit(2);
}
const outDir = path.join(root, ".dev", "compiled", path.relative(root, entry).replace(/[\\/]/g, "_"));
const manifestFile = path.join(outDir, "manifest.json");

/** `size:mtime` of a file, or null when it is gone. */
function stamp(file) {
  try {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

function fresh() {
  try {
    const m = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    return Object.entries(m.sources).every(([f, s]) => stamp(f) === s) && fs.existsSync(m.main) ? m : null;
  } catch {
    return null;
  }
}

let manifest = fresh();
if (!manifest) {
  // Only now load the compiler: transpile into a fresh directory, then swap it in whole, so a
  // concurrent run never sees half a tree.
  require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
  const { transpileTree } = require("./transpile");
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const main = transpileTree(entry, root, tmp);
  const sources = {};
  for (const f of transpiledSources(tmp)) sources[f] = stamp(f);
  fs.writeFileSync(
    path.join(tmp, "manifest.json"),
    JSON.stringify({ main: path.join(outDir, path.relative(tmp, main)), sources }),
  );
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  manifest = fresh();
}

/** The .ts sources behind the .js files of a compiled tree. */
function transpiledSources(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".js"))
        out.push(path.join(root, path.relative(dir, p)).replace(/\.js$/, ".ts"));
    }
  };
  walk(dir);
  return out;
}

// Run it as the main module, with its own path as argv[1] (it checks `require.main === module`).
process.argv.splice(1, 2, manifest.main);
Module.runMain(manifest.main);
