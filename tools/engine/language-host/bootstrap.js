"use strict";
// Starts the TypeScript language host (main.ts) through ts-node, transpile-only, with this
// package's tsconfig: the program's own tsconfig (the process runs in the program's directory)
// must not change how the host itself is compiled.
const path = require("path");

const packageRoot = path.resolve(__dirname, "..");
require(require.resolve("ts-node", { paths: [packageRoot] })).register({
  transpileOnly: true,
  project: path.join(packageRoot, "tsconfig.json"),
});
require("./main.ts")
  .main(process.argv.slice(2))
  .catch((err) => {
    process.stderr.write(`pulumi-language-nodejs: ${(err && err.stack) || err}\n`);
    process.exit(1);
  });
