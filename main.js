/**
 * The file `pulumi preview/up` run (Pulumi.yaml `main`, with `typescript: false`): the program
 * compiled to JavaScript (tools/build-program.js; built here on the first run after a change, then
 * reused), so no run pays for ts-node transpiling the program's modules. The program itself is
 * index.ts and the modules it imports; the tools and tests load those sources directly.
 */
"use strict";
// Before anything loads @pulumi/pulumi: its function-serialisation modules load on first use, not
// at start-up (policy/sdk-startup.js).
require("./policy/sdk-startup").deferFunctionSerialization(__dirname);
module.exports = require(require("path").join(require("./tools/build-program").ensureBuilt().dir, "index.js"));
