/**
 * docs/environment-matrix.md is generated from the stack files (npm run matrix); CI fails when
 * the checked-in page no longer matches them.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MATRIX_FILE, ROOT, flatten, renderMatrix, runMatrix } from "../../tools/matrix";

describe("delivery: environment matrix", () => {
    let page: string;
    let tmp: string;
    before(() => {
        page = renderMatrix();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "matrix-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("is checked in up to date with the stack files (npm run matrix)", () => {
        const file = path.join(ROOT, MATRIX_FILE);
        assert.ok(fs.existsSync(file), `${MATRIX_FILE} is missing: run npm run matrix`);
        assert.ok(fs.readFileSync(file, "utf8") === page, `${MATRIX_FILE} is stale: run npm run matrix and commit it`);
    });

    it("has a column per stack in promotion order and a row for every key a stack file sets", () => {
        assert.ok(page.includes("| key | dev | staging | prod |"));
        for (const stack of ["dev", "staging", "prod"]) {
            const config = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
            for (const m of config.matchAll(/^ {2}([\w-]+:[\w-]+):/gm)) {
                assert.ok(page.includes(`| ${m[1]}`) || page.includes(`| **${m[1]}`), `${m[1]} of Pulumi.${stack}.yaml is not in the matrix`);
            }
        }
    });

    it("bolds the settings that differ between stacks and shows who deploys each stack", () => {
        assert.match(page, /\| \*\*delivery:app\.replicas\*\* \| `1` \| `2` \| `3` \|/);
        assert.match(page, /\| \*\*GitHub environment \(approvals\)\*\* \| `dev` \| `staging` \| `production` \|/);
        assert.match(page, /\| \*\*Deployments: drift remediation\*\* \| `automatic` \| `reported only` \| `reported only` \|/);
    });

    it("hides secret values", () => {
        assert.deepEqual(flatten({ "delivery:kubeconfig": { secure: "v1:abc" }, "delivery:app": { replicas: 2, zones: ["a", "b"] } }, ""), {
            "delivery:kubeconfig": "[secret]", "delivery:app.replicas": "2", "delivery:app.zones": "a, b",
        });
    });

    it("--check fails on a stale page without touching it, and passes once regenerated", () => {
        const out = path.join(tmp, "matrix.md");
        const logs: string[] = [];
        fs.writeFileSync(out, "# stale\n");
        assert.equal(runMatrix(["--check", "--out", out], ROOT, (l) => logs.push(l)), 1);
        assert.equal(fs.readFileSync(out, "utf8"), "# stale\n");
        assert.match(logs.join("\n"), /is stale \(first difference at line 1\); run `npm run matrix` and commit it/);
        assert.equal(runMatrix(["--out", out], ROOT, () => undefined), 0);
        assert.equal(runMatrix(["--check", "--out", out], ROOT, () => undefined), 0);
    });

    it("--check fails when the page does not exist", () => {
        const logs: string[] = [];
        assert.equal(runMatrix(["--check", "--out", path.join(tmp, "none.md")], ROOT, (l) => logs.push(l)), 1);
        assert.match(logs.join("\n"), /does not exist; run `npm run matrix` and commit it/);
    });
});
