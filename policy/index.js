/**
 * The file the analyzer runs for `--policy-pack policy` (package.json "main"): the pack compiled
 * to JavaScript (policy/build.js; built here on the first run after a change, in about a second,
 * then reused), so no preview pays for ts-node type-checking the pack. The pack itself is
 * index.ts (`new PolicyPack(...)`) and the modules it imports.
 */
"use strict";
// Before @pulumi/policy loads @pulumi/pulumi: its function-serialisation modules load on first
// use, not at start-up (sdk-startup.js).
require("./sdk-startup").deferFunctionSerialization(__dirname);
// Each resource's inputs are deserialized once for all policies, not once per policy (shared-inputs.js).
require("./shared-inputs").shareDeserializedInputs(__dirname);
require(require("path").join(require("./build").ensureBuilt().dir, "index.js"));
