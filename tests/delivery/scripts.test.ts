/**
 * The scripts the workflows run (.github/scripts), against a fake `pulumi` that answers from a
 * fixture and records its calls: what a promotion refuses, what it records, how a rollback pins,
 * how dev's release is found.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPTS = path.join(ROOT, ".github", "scripts");
const PROD = "acme/delivery/prod";
const STAGING = "acme/delivery/staging";
const DEV = "acme/delivery/dev";

/** A `pulumi` that answers `config get` and `stack output` from $FAKE_STATE and logs every call. */
const FAKE_PULUMI = `#!/usr/bin/env bash
echo "$*" >>"$FAKE_LOG"
stack=""; json=0; args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --stack|-s) stack="$2"; shift 2 ;;
    --json) json=1; shift ;;
    --path|--yes) shift ;;
    --type) shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
case "\${args[0]} \${args[1]}" in
  "config get")
    jq -er --arg s "$stack" --arg k "\${args[2]}" '.config[$s][$k] // empty' "$FAKE_STATE" || { echo "error: configuration key '\${args[2]}' not found for stack '$stack'" >&2; exit 255; } ;;
  "stack output")
    if [ $json = 1 ]; then filter='.outputs[$s][$k] // empty | tojson'; else filter='.outputs[$s][$k] // empty'; fi
    jq -er --arg s "$stack" --arg k "\${args[2]}" "$filter" "$FAKE_STATE" || { echo "error: current stack does not have output property '\${args[2]}'" >&2; exit 255; } ;;
  *) exit 0 ;;
esac
`;

interface Fixture {
    readonly config?: Record<string, Record<string, string>>;
    readonly outputs?: Record<string, Record<string, unknown>>;
}

interface Result {
    readonly status: number | null;
    readonly stderr: string;
    readonly stdout: string;
    /** Lines the script wrote to $GITHUB_OUTPUT. */
    readonly outputs: Record<string, string>;
    readonly summary: string;
    /** Every pulumi invocation, one per line. */
    readonly calls: string[];
    readonly dir: string;
}

const release = (version: string, extra: Record<string, string> = {}) => ({ version, imageTag: version, imageDigest: "", chart: "app", chartVersion: "0.3.0", ...extra });

/** A healthy pair: staging runs 1.9.0, prod runs 1.8.3 and promotes from staging. */
const PROMOTABLE: Fixture = {
    config: { [PROD]: { "delivery:promotion.from": STAGING, "delivery:app.ingress.host": "storefront.acme.example" } },
    outputs: {
        [STAGING]: { release: release("1.9.0") },
        [PROD]: { release: release("1.8.3"), promotion: { pinned: false } },
    },
};

function workspace(fixture: Fixture) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scripts-"));
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "pulumi"), FAKE_PULUMI, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(fixture));
    for (const f of ["log", "output", "summary"]) {
        fs.writeFileSync(path.join(dir, f), "");
    }
    const env = {
        PATH: `${path.join(dir, "bin")}:${process.env.PATH ?? ""}`,
        HOME: dir,
        FAKE_STATE: path.join(dir, "state.json"),
        FAKE_LOG: path.join(dir, "log"),
        GITHUB_OUTPUT: path.join(dir, "output"),
        GITHUB_STEP_SUMMARY: path.join(dir, "summary"),
    };
    return { dir, env };
}

function collect(dir: string, status: number | null, stdout: string, stderr: string): Result {
    const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
    const outputs = Object.fromEntries(read("output").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    return { status, stdout, stderr, outputs, summary: read("summary"), calls: read("log").split("\n").filter(Boolean), dir };
}

function run(script: string, args: string[], fixture: Fixture, extraEnv: Record<string, string> = {}, cwd = ROOT): Result {
    const { dir, env } = workspace(fixture);
    const r = spawnSync("bash", [path.join(SCRIPTS, script), ...args], { cwd, encoding: "utf8", env: { ...env, ...extraEnv } });
    const result = collect(dir, r.status, r.stdout, r.stderr);
    fs.rmSync(dir, { recursive: true, force: true });
    return result;
}

/** Like `run`, without blocking the event loop (the health check talks to a server in this process). */
function runAsync(script: string, args: string[], fixture: Fixture, extraEnv: Record<string, string>): Promise<Result> {
    const { dir, env } = workspace(fixture);
    return new Promise((resolve) => {
        const child = spawn("bash", [path.join(SCRIPTS, script), ...args], { cwd: ROOT, env: { ...env, ...extraEnv } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (status) => {
            const result = collect(dir, status, stdout, stderr);
            fs.rmSync(dir, { recursive: true, force: true });
            resolve(result);
        });
    });
}

function git(cwd: string, ...args: string[]): void {
    const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], { cwd, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
}

describe("delivery: workflow scripts (with a fake pulumi)", () => {
    describe("promotion-diff.sh", () => {
        it("records which release moves, from which stack, replacing which", () => {
            const r = run("promotion-diff.sh", [PROD, "staging", "1.9.0"], PROMOTABLE);
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(r.outputs, {
                from: STAGING, version: "1.9.0", previous: "1.8.3", "previous-release": JSON.stringify(release("1.8.3")),
            });
            assert.ok(r.summary.includes("## Promotion into `prod`: 1.8.3 → 1.9.0"), r.summary);
            assert.ok(r.summary.includes("| takes from | `acme/delivery/staging` | 1.9.0 | 1.9.0 | — | app 0.3.0 |"), r.summary);
            assert.ok(r.summary.includes("| replaces | `acme/delivery/prod` | 1.8.3 | 1.8.3 | — | app 0.3.0 |"), r.summary);
        });

        it("refuses to promote prod from dev, whatever the stack file says", () => {
            const fixture: Fixture = { ...PROMOTABLE, config: { [PROD]: { "delivery:promotion.from": DEV } }, outputs: { ...PROMOTABLE.outputs, [DEV]: { release: release("1.9.0") } } };
            const r = run("promotion-diff.sh", [PROD, "staging", "1.9.0"], fixture);
            assert.equal(r.status, 1);
            assert.match(r.stderr, /Pulumi\.prod\.yaml promotes from acme\/delivery\/dev, but prod may only take releases from staging \(dev → staging → prod\)/);
            assert.ok(!r.calls.some((c) => c.includes(DEV)), "it never reads dev's outputs");
        });

        it("refuses a pinned stack: the pin would hold it", () => {
            const fixture: Fixture = { ...PROMOTABLE, config: { [PROD]: { ...PROMOTABLE.config![PROD], "delivery:pin.version": "1.8.2", "delivery:pin.reason": "INC-2291 rollback" } } };
            const r = run("promotion-diff.sh", [PROD, "staging", "1.9.0"], fixture);
            assert.equal(r.status, 1);
            assert.match(r.stderr, /prod is pinned to 1\.8\.2 \(INC-2291 rollback\) in Pulumi\.prod\.yaml, so a promotion would not move it/);
        });

        it("refuses a version the source stack does not run", () => {
            const r = run("promotion-diff.sh", [PROD, "staging", "1.9.1"], PROMOTABLE);
            assert.equal(r.status, 1);
            assert.match(r.stderr, /acme\/delivery\/staging runs 1\.9\.0, not 1\.9\.1: prod takes exactly what staging runs/);
        });

        it("handles a first deployment and says when a promotion lifts a pin", () => {
            const first = run("promotion-diff.sh", [PROD, "staging", "1.9.0"], { ...PROMOTABLE, outputs: { [STAGING]: { release: release("1.9.0") } } });
            assert.equal(first.status, 0, first.stderr);
            assert.equal(first.outputs.previous, "");
            assert.ok(first.summary.includes("## Promotion into `prod`: nothing → 1.9.0"), first.summary);
            const lifting = run("promotion-diff.sh", [PROD, "staging", "1.9.0"], { ...PROMOTABLE, outputs: { ...PROMOTABLE.outputs, [PROD]: { release: release("1.8.2"), promotion: { pinned: true } } } });
            assert.ok(lifting.summary.includes("this promotion lifts it"), lifting.summary);
        });
    });

    describe("rollback.sh", () => {
        it("pins the previous release with the reason, then deploys with the given flags", () => {
            const commands = path.join(os.tmpdir(), `rollback-${process.pid}.txt`);
            const previous = JSON.stringify(release("1.8.3", { imageDigest: `sha256:${"ab".repeat(32)}` }));
            const r = run("rollback.sh", [PROD, previous, "Promotion of 1.9.0 failed", "--policy-pack", "policy"], {}, { ROLLBACK_COMMANDS: commands });
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(r.calls, [
                `config set --path --type string delivery:pin.version 1.8.3 --stack ${PROD}`,
                `config set --path --type string delivery:pin.imageTag 1.8.3 --stack ${PROD}`,
                `config set --path --type string delivery:pin.imageDigest sha256:${"ab".repeat(32)} --stack ${PROD}`,
                `config set --path --type string delivery:pin.chartVersion 0.3.0 --stack ${PROD}`,
                `config set --path --type string delivery:pin.reason Promotion of 1.9.0 failed --stack ${PROD}`,
                `up --yes --stack ${PROD} --policy-pack policy`,
            ]);
            assert.ok(fs.readFileSync(commands, "utf8").includes(`pulumi config set --path delivery:pin.version '1.8.3' -s ${PROD}`));
            fs.rmSync(commands, { force: true });
        });

        it("refuses when the stack ran no release before", () => {
            const r = run("rollback.sh", [PROD, "{}", "Promotion of 1.9.0 failed"], {});
            assert.equal(r.status, 1);
            assert.match(r.stderr, /prod ran no release before this promotion; nothing to roll back to/);
            assert.deepEqual(r.calls, []);
        });
    });

    describe("health-check.sh", () => {
        let server: http.Server;
        let base: string;
        before(async () => {
            server = http.createServer((req, res) => {
                res.statusCode = req.url === "/ready" ? 200 : 503;
                res.end();
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
        });
        after(() => server.close());

        it("passes when the stack runs the version and the app answers", async () => {
            const r = await runAsync("health-check.sh", [PROD, "1.8.3"], PROMOTABLE, { HEALTH_URL: `${base}/ready` });
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /prod runs 1\.8\.3 and http:\/\/127\.0\.0\.1:\d+\/ready answers 200/);
        });

        it("fails when the stack runs another version", async () => {
            const r = await runAsync("health-check.sh", [PROD, "1.9.0"], PROMOTABLE, { HEALTH_URL: `${base}/ready` });
            assert.equal(r.status, 1);
            assert.match(r.stderr, /prod runs release 1\.8\.3, expected 1\.9\.0/);
        });

        it("fails when the app does not answer with success", async () => {
            const r = await runAsync("health-check.sh", [PROD, "1.8.3"], PROMOTABLE, { HEALTH_URL: `${base}/broken`, HEALTH_RETRIES: "0" });
            assert.equal(r.status, 1);
            assert.match(r.stderr, /\/broken did not answer with success after 0 tries/);
        });
    });

    describe("release-version.sh", () => {
        let repo: string;
        beforeEach(() => {
            repo = fs.mkdtempSync(path.join(os.tmpdir(), "release-"));
            git(repo, "init", "--quiet");
            git(repo, "commit", "--quiet", "--allow-empty", "-m", "one");
        });
        afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

        it("takes the nearest v<semver> tag, ignoring promotion tags, and sets it on the stack", () => {
            git(repo, "tag", "v1.9.0");
            git(repo, "commit", "--quiet", "--allow-empty", "-m", "two");
            git(repo, "tag", "staging-v1.9.0");
            const r = run("release-version.sh", ["--set", DEV], {}, {}, repo);
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout.trim(), "1.9.0");
            assert.deepEqual(r.outputs, { version: "1.9.0" });
            assert.deepEqual(r.calls, [`config set --path --type string delivery:release.version 1.9.0 --stack ${DEV}`]);
        });

        it("keeps the stack file's version when no tag is reachable", () => {
            const r = run("release-version.sh", ["--set", DEV], { config: { [DEV]: { "delivery:release.version": "1.8.3" } } }, {}, repo);
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout.trim(), "1.8.3");
            assert.match(r.stderr, /no v<semver> tag reachable from HEAD: acme\/delivery\/dev keeps 1\.8\.3/);
        });

        it("refuses a v-tag that is not a semantic version", () => {
            git(repo, "tag", "v1.9");
            const r = run("release-version.sh", [], {}, {}, repo);
            assert.equal(r.status, 1);
            assert.match(r.stderr, /v1\.9 is not v<semver>/);
        });
    });
});
