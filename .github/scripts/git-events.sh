#!/usr/bin/env bash
# Prints who reacts to pull requests and merges: github-actions or pulumi-deployments, as set by
# delivery-deployments:gitEvents in deployments/Pulumi.deployments.yaml (default github-actions).
# The workflows that would duplicate Pulumi Deployments (deploy-dev, cloud previews) stand down
# when it says pulumi-deployments. Needs `npm ci` (the yaml package).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
node -e '
const fs = require("fs");
const { parse } = require("yaml");
const config = parse(fs.readFileSync("deployments/Pulumi.deployments.yaml", "utf8")).config || {};
process.stdout.write(String(config["delivery-deployments:gitEvents"] || "github-actions"));
'
echo
