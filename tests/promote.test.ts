/**
 * `npm run promote`: the gates on the stacks' real outputs (here the outputs of offline
 * evaluations, in the shape `pulumi stack output --json` returns), what it prints and exits with.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { Outputs, main } from "../tools/promote";
import { asUpstream, cfg, runChain, runStack } from "./harness";

async function run(argv: string[], outputs: Record<string, Outputs | undefined>): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { write: (t: string) => (out += t) }, { write: (t: string) => (err += t) }, (s) => outputs[s]);
    return { code, out, err };
}

/** With an override file in the stack-file format, as `--config` takes it. */
async function runWithConfig(argv: string[], config: Record<string, unknown>, outputs: Record<string, Outputs | undefined>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-promote-"));
    const file = path.join(dir, "overrides.yaml");
    fs.writeFileSync(file, stringify({ config }));
    try {
        return await run([...argv, "--config", file], outputs);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function at<T>(time: string, f: () => Promise<T>): Promise<T> {
    process.env.DELIVERY_NOW = time;
    try {
        return await f();
    } finally {
        delete process.env.DELIVERY_NOW;
    }
}

const outputsOf = (o: Record<string, unknown>): Outputs => {
    const { __secretOutputNames: _, ...rest } = o as { __secretOutputNames?: unknown };
    return rest;
};

describe("npm run promote", () => {
    let dev: Outputs;
    let staging: Outputs;
    let verifiedAt: number;
    before(async () => {
        dev = outputsOf(asUpstream(await at("2026-12-01T09:00:00Z", () => runStack("dev", cfg("release", { version: "2.1.0" })))));
        staging = outputsOf(asUpstream((await runChain("staging")).target));
        verifiedAt = Date.parse((dev.promotion as { verification: { at: string } }).verification.at);
    });

    it("says what would move and that every gate is open", async () => {
        const r = await run(["--to", "staging"], { dev, staging });
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^Promotion organization\/delivery\/dev → staging: 1\.8\.3 → 2\.1\.0\n/);
        assert.match(r.out, /✓ upstream organization\/delivery\/dev is a development stack/);
        assert.match(r.out, /✓ verified organization\/delivery\/dev verified 2\.1\.0 at 2026-12-01T09:00:00\.000Z/);
        assert.match(r.out, /Promotable: npm run promote -- staging/);
    });

    it("holds a release younger than the soak, saying when it may go", async () => {
        const soak = { "delivery:promotion": { soak: "2h" } };
        const early = await at(new Date(verifiedAt + 30 * 60 * 1000).toISOString(), () => runWithConfig(["--to", "staging"], soak, { dev, staging }));
        assert.equal(early.code, 1, early.out);
        assert.match(early.out, /✗ soak {5}organization\/delivery\/dev verified 2\.1\.0 at 2026-12-01T09:00:00\.000Z, less than the soak of 2h ago; it may go at 2026-12-01T11:00:00\.000Z/);
        const later = await at(new Date(verifiedAt + 3 * 3600 * 1000).toISOString(), () => runWithConfig(["--to", "staging", "--json"], soak, { dev, staging }));
        assert.equal(later.code, 0, later.out);
        const json = JSON.parse(later.out) as { ok: boolean; candidate: string; gates: { name: string; ok: boolean }[] };
        assert.deepEqual([json.ok, json.candidate, json.gates.find((g) => g.name === "soak")?.ok], [true, "2.1.0", true]);
    });

    it("is closed by a freeze window and by a pin", async () => {
        const freeze = { "delivery:freeze": [{ from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: "year-end freeze" }] };
        const frozen = await at("2026-12-24T10:00:00Z", () => runWithConfig(["--to", "staging"], freeze, { dev, staging }));
        assert.equal(frozen.code, 1);
        assert.match(frozen.out, /✗ freeze {3}frozen until 2027-01-04T00:00:00Z \(year-end freeze\)/);
        const after = await at("2027-01-05T10:00:00Z", () => runWithConfig(["--to", "staging"], freeze, { dev, staging }));
        assert.equal(after.code, 0, after.out);
        const pinned = await runWithConfig(["--to", "staging"], { "delivery:pin": { version: "1.8.3", reason: "INC-1: hold staging" } }, { dev, staging });
        assert.equal(pinned.code, 1);
        assert.match(pinned.out, /✗ pin {6}pinned to 1\.8\.3: remove delivery:pin to follow organization\/delivery\/dev/);
    });

    it("status: what each stack runs, what waits upstream and which gate holds it", async () => {
        const prod = outputsOf(asUpstream((await runChain("prod")).target));
        const r = await run(["status"], { dev, staging, prod });
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(r.out.trim().split("\n"), [
            "dev runs 2.1.0",
            "staging runs 1.8.3; 2.1.0 waits in organization/delivery/dev — promotable",
            "prod runs 1.8.3; up to date with organization/delivery/staging",
        ]);
    });

    it("status: a candidate whose update failed here and was rolled back is said to be so, not just promotable", async () => {
        const prod = outputsOf(asUpstream((await runChain("prod")).target));
        const rec = staging.promotion as Record<string, unknown>;
        const rolledBack = { ...staging, promotion: { ...rec, source: "rollback", pinned: true, pinReason: "automatic rollback: the update to 2.1.0 failed", promotedAt: "2026-12-01T10:00:00.000Z" } };
        const r = await run(["status"], { dev, staging: rolledBack, prod });
        assert.equal(r.code, 0, r.err);
        assert.equal(r.out.trim().split("\n")[1],
            "staging runs 1.8.3; 2.1.0 waits in organization/delivery/dev — promotable (its update here failed and was rolled back at 2026-12-01T10:00:00.000Z: fix it upstream, or run npm run promote -- staging to try again)");
        const other = { ...staging, promotion: { ...rec, source: "rollback", pinned: true, pinReason: "automatic rollback: the update to 2.0.9 failed" } };
        assert.match((await run(["status"], { dev, staging: other, prod })).out, /2\.1\.0 waits in organization\/delivery\/dev — promotable\n/, "an older failure says nothing of this candidate");
    });

    it("a stage (npm run promote -- staging) never takes an unverified upstream release, soak or not, and changes nothing", async () => {
        const pending = { ...dev, promotion: { ...(dev.promotion as object), verification: { status: "pending", at: "2026-12-01T09:00:00Z", checked: [] } } };
        const plan = await run(["--to", "staging"], { dev: pending, staging });
        assert.equal(plan.code, 0, "without a soak the program itself would take it");
        assert.match(plan.out, /✓ verified organization\/delivery\/dev's release is pending \(no soak required\)/);
        const stage = await run(["staging"], { dev: pending, staging });
        assert.equal(stage.code, 1, stage.out + stage.err);
        assert.match(stage.out, /✗ verified organization\/delivery\/dev's release is pending\n/);
        assert.match(stage.out, /Blocked: the gates marked ✗ must open first\./);
        assert.doesNotMatch(stage.out, /\[1\/3\] preview/, "nothing ran");
    });

    it("refuses an upstream of the wrong environment (exit 1) and a development target (exit 2)", async () => {
        const wrong = await run(["--to", "staging"], { dev: { ...dev, environment: "production" }, staging });
        assert.equal(wrong.code, 1);
        assert.match(wrong.out, /✗ upstream organization\/delivery\/dev is a production stack; staging takes releases from development only/);
        const devStack = await run(["--to", "dev"], { dev });
        assert.equal(devStack.code, 2);
        assert.match(devStack.err, /^promote failed: stack dev is a development stack: it takes its release from delivery:release/);
        const unknown = await run(["--to", "qa"], {});
        assert.equal(unknown.code, 2);
        assert.match(unknown.err, /no stack "qa" here \(no Pulumi\.qa\.yaml\); the stacks here: dev, prod, staging/);
    });

    it("refuses a command line it cannot read as one promotion (exit 2, nothing read or run)", async () => {
        const refused: [string[], RegExp][] = [
            [["dev", "--to", "prod"], /^promote failed: the stack is given twice \(dev and prod\): one promotion per run/],
            [["--to", "staging", "--to", "prod"], /^promote failed: the stack is given twice \(staging and prod\)/],
            [["--to"], /^promote failed: --to needs a stack, e\.g\. --to prod/],
            [["--to", "--json"], /^promote failed: --to needs a stack/],
            [["--to", "prod", "--config"], /^promote failed: --config needs a file in the stack file format/],
            [["status", "--config", "x.yaml"], /^promote failed: status takes no --config/],
            [["--to", "prod", "--force"], /^promote failed: unknown argument "--force" \(usage: npm run promote/],
            [["--to", "../prod"], /^promote failed: "\.\.\/prod" is not a stack name/],
        ];
        for (const [argv, says] of refused) {
            const r = await run(argv, { dev, staging });
            assert.equal(r.code, 2, `${argv.join(" ")}: ${r.err}`);
            assert.equal(r.out, "", argv.join(" "));
            assert.match(r.err, says, argv.join(" "));
        }
    });
});
