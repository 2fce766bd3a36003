import * as path from "path";
import { directoryDigest } from "../components/promotion";
import { strict as assert } from "assert";
import { checkPolicies } from "../tools/offline/policy-check";
import { asUpstream, cfg, ofType, one, rejects, runChain, runStack, soakedFor, appChart } from "./harness";

const DIGEST = "sha256:" + "ab".repeat(32);
const DEV = "organization/delivery/dev";
const STAGING = "organization/delivery/staging";

/** The bundled chart as the release record names it. */
const BUNDLED_CHART = { chart: "app", chartVersion: "0.5.0", chartSource: "charts/app", chartDigest: directoryDigest(path.join(__dirname, "..", "charts", "app")) };

describe("promotion dev → staging → prod", () => {
    it("a new dev version moves staging, and prod only once staging has it", async () => {
        const dev = await runStack("dev", cfg("release", { version: "1.9.0" }));
        const staging = (await soakedFor("prod", () => runChain("staging", [], { [DEV]: asUpstream(dev) }))).target;
        assert.equal((staging.outputs.release as { version: string }).version, "1.9.0");

        const prodBefore = await runStack("prod"); // staging as shipped still runs 1.8.3
        assert.equal((prodBefore.outputs.release as { version: string }).version, "1.8.3");
        const prodAfter = (await runChain("prod", [], { [STAGING]: asUpstream(staging) })).target;
        assert.equal((prodAfter.outputs.release as { version: string }).version, "1.9.0");
        assert.equal(appChart(prodAfter).inputs.values.image.tag, "1.9.0");
    });

    it("an image digest travels with the release and is preferred over the tag", async () => {
        const dev = await runStack("dev", cfg("release", { version: "1.9.0", imageDigest: DIGEST }));
        const staging = (await runChain("staging", [], { [DEV]: asUpstream(dev) })).target;
        assert.equal(staging.outputs.image, `ghcr.io/acme/storefront@${DIGEST}`);
        assert.equal(appChart(staging).inputs.values.image.digest, DIGEST);
    });

    it("a pin holds prod on a release staging ran before, and records why", async () => {
        // staging ran 1.8.2, then 1.9.0: its record keeps 1.8.2 in its history.
        const devOld = await runStack("dev", cfg("release", { version: "1.8.2" }));
        const stagingOld = (await runChain("staging", [], { [DEV]: asUpstream(devOld) })).target;
        const dev = await runStack("dev", cfg("release", { version: "1.9.0" }));
        const staging = (await runChain("staging", [], { [DEV]: asUpstream(dev), [STAGING]: asUpstream(stagingOld) })).target;
        const history = (staging.outputs.promotion as { history: { version: string }[] }).history;
        assert.deepEqual(history.map((h) => h.version), ["1.8.2"]);

        const reason = "INC-2291: 1.9.0 leaks connections, roll back";
        const prod = (await runChain("prod", [cfg("pin", { version: "1.8.2", reason })], { [STAGING]: asUpstream(staging) })).target;
        const rec = prod.outputs.promotion as Record<string, any>;
        assert.deepEqual([rec.source, rec.upstreamStack, rec.pinned, rec.pinReason, rec.emergency], ["pin", STAGING, true, reason, false]);
        assert.deepEqual(rec.release, { version: "1.8.2", imageTag: "1.8.2", imageDigest: "", ...BUNDLED_CHART });
        assert.equal(appChart(prod).inputs.values.image.tag, "1.8.2");
        const record = one(prod, "kubernetes:core/v1:ConfigMap", "-record").inputs.data;
        assert.deepEqual([record.pinned, record.pinReason, record.source], ["true", reason, "pin"]);
    });

    it("refuses a prod pin to a release the upstream never ran, unless it is a recorded emergency", async () => {
        await rejects(runChain("prod", [cfg("pin", { version: "1.7.0", reason: "INC-2300: go back further" })]),
            'stack "prod" pins 1.7.0 (delivery:pin), which organization/delivery/staging has not run (it ran: 1.8.3)', "delivery:pin.emergency: true");
        const prod = (await runChain("prod", [cfg("pin", { version: "1.7.0", reason: "INC-2300: hotfix build, staging is down", emergency: true })])).target;
        const rec = prod.outputs.promotion as Record<string, any>;
        assert.deepEqual([rec.source, rec.emergency, rec.release.version], ["pin", true, "1.7.0"]);
        // Recorded, and reported by the pack on every review while it lasts (advisory: it must not block the emergency).
        const report = await checkPolicies(prod.resources, { stack: "prod" });
        assert.deepEqual(report.violations.map((v) => [v.policy, v.level]), [["stack-emergency-pin", "advisory"]]);
        assert.match(report.violations[0].message, /\(1\.7\.0\) is an emergency pin that skips the upstream chain: INC-2300: hotfix build, staging is down/);
        assert.deepEqual(ofType(prod, "pulumi:pulumi:StackReference").map((r) => r.inputs.name), ["organization/delivery/prod"], "an emergency pin does not depend on its upstream");
    });

    it("keeps history, and who and when, across updates: unchanged on a no-change update, renewed when the release moves", async () => {
        const first = (await runChain("staging")).target;
        const again = (await runChain("staging", [], { [STAGING]: asUpstream(first) })).target;
        assert.deepEqual(again.outputs.promotion, first.outputs.promotion, "a no-change update changes nothing in the record");
        const resized = (await runChain("staging", [cfg("app", { replicas: 3 })], { [STAGING]: asUpstream(first) })).target;
        const [a, b] = [first, resized].map((e) => e.outputs.promotion as { configHash: string; promotedAt: string });
        assert.notEqual(b.configHash, a.configHash, "what was deployed changed: the values");
        assert.equal(b.promotedAt, a.promotedAt, "the release did not");
        const dev = await runStack("dev", cfg("release", { version: "2.0.0" }));
        const moved = (await runChain("staging", [], { [DEV]: asUpstream(dev), [STAGING]: asUpstream(again) })).target;
        const rec = moved.outputs.promotion as Record<string, any>;
        assert.equal(rec.release.version, "2.0.0");
        assert.deepEqual(rec.history.map((h: { version: string; source: string }) => [h.version, h.source]), [["1.8.3", "upstream"]]);
        assert.deepEqual(rec.upstreamRecord, { version: "2.0.0", promotedAt: (dev.outputs.promotion as { promotedAt: string }).promotedAt });
    });

    it("gates a release change in the program: the soak says when it may go, a freeze window holds it, a rollback or an override still may", async () => {
        const at = async <T>(time: string, f: () => Promise<T>) => {
            process.env.DELIVERY_NOW = time;
            try {
                return await f();
            } finally {
                delete process.env.DELIVERY_NOW;
            }
        };
        const dev = await at("2026-12-01T09:00:00Z", () => runStack("dev", cfg("release", { version: "2.2.0" })));
        const soak = cfg("promotion", { soak: "2h" });
        await at("2026-12-01T10:59:00Z", () => rejects(runChain("staging", [soak], { [DEV]: asUpstream(dev) }),
            'stack "staging" promotes from organization/delivery/dev (delivery:promotion.from): organization/delivery/dev verified 2.2.0 at 2026-12-01T09:00:00.000Z, less than the soak of 2h ago; it may go at 2026-12-01T11:00:00.000Z (delivery:promotion.soak).'));
        const soaked = await at("2026-12-01T11:00:00Z", () => runChain("staging", [soak], { [DEV]: asUpstream(dev) }));
        assert.equal((soaked.target.outputs.release as { version: string }).version, "2.2.0", "at the boundary the soak has passed");

        const freeze = cfg("freeze", [{ from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: "year-end freeze" }]);
        await at("2026-12-24T10:00:00Z", () => rejects(runChain("staging", [freeze], { [DEV]: asUpstream(dev) }),
            'stack "staging" is frozen until 2027-01-04T00:00:00Z (delivery:freeze: year-end freeze); its release would change to 2.2.0.'));
        // A pin to a release the stack never ran is a change like any other: refused in the window.
        await at("2026-12-24T10:00:00Z", () => rejects(runChain("staging", [freeze, cfg("pin", { version: "1.8.2", reason: "INC-3: go to a release never run here" })], { [DEV]: asUpstream(dev) }),
            'stack "staging" is frozen until 2027-01-04T00:00:00Z (delivery:freeze: year-end freeze); its release would change to 1.8.2.', "roll back to a release the stack ran"));
        // A rollback (to a release the stack ran) is allowed inside the window, and recorded as such.
        const shippedDev = await at("2026-12-02T08:00:00Z", () => runStack("dev")); // 1.8.3
        const ran = await at("2026-12-02T09:00:00Z", () => runChain("staging", [], { [DEV]: asUpstream(shippedDev) }));
        const moved = await at("2026-12-03T09:00:00Z", () => runChain("staging", [], { [DEV]: asUpstream(dev), [STAGING]: asUpstream(ran.target) }));
        const rollback = await at("2026-12-24T10:00:00Z", () => runChain("staging", [freeze, cfg("pin", { version: "1.8.3", reason: "INC-3: 2.2.0 fails at checkout" })],
            { [DEV]: asUpstream(dev), [STAGING]: asUpstream(moved.target) }));
        const rec = rollback.target.outputs.promotion as Record<string, any>;
        assert.deepEqual([rec.source, rec.release.version, rec.pinReason], ["rollback", "1.8.3", "INC-3: 2.2.0 fails at checkout"]);
        // An override of the freeze, with its reason, lets a change through and is recorded.
        const override = cfg("override", { gates: ["freeze"], reason: "INC-4: security fix cannot wait for January" });
        const forced = await at("2026-12-24T10:00:00Z", () => runChain("staging", [freeze, override], { [DEV]: asUpstream(dev) }));
        const frec = forced.target.outputs.promotion as Record<string, any>;
        assert.deepEqual([frec.release.version, frec.override], ["2.2.0", { gates: ["freeze"], reason: "INC-4: security fix cannot wait for January" }]);
        const after = await at("2027-01-04T00:00:00Z", () => runChain("staging", [freeze], { [DEV]: asUpstream(dev) }));
        assert.equal((after.target.outputs.release as { version: string }).version, "2.2.0", "the window ends at its to");
    });

    it("removing the pin hands prod back to staging", async () => {
        const prod = await runStack("prod", cfg("pin", null));
        assert.equal((prod.outputs.promotion as { source: string }).source, "upstream");
    });

    it("refuses an upstream that turns out to be a dev stack, whatever its name", async () => {
        const dev = await runStack("dev");
        await rejects(runChain("prod", [cfg("promotion", { from: "organization/delivery/blue" })], { "organization/delivery/blue": asUpstream(dev) }),
            'stack "prod" promotes from organization/delivery/blue (delivery:promotion.from), which is a development stack; production may only take releases from staging');
    });

    it("fails fast when the upstream stack has no release output", async () => {
        await rejects(runChain("staging", [], { [DEV]: { environment: "development" } }),
            'stack "staging" promotes from organization/delivery/dev (delivery:promotion.from), but that stack has no "release" output',
            "pulumi up -s dev");
    });

    it("fails when the upstream stack does not exist", async () => {
        await rejects(runStack("prod", cfg("promotion", { from: "organization/delivery/staging-eu" })), "organization/delivery/staging-eu");
    });

    it("refuses a local chart whose version differs from the one upstream runs", async () => {
        const dev = await runStack("dev", cfg("release", { version: "1.9.0", chartVersion: "0.2.0" }));
        await rejects(runChain("staging", [], { [DEV]: asUpstream(dev) }), "runs chart version 0.2.0, but charts/app here is 0.5.0");
    });
});

describe("verification: the smoke check in the cluster", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: a hardened Job calls the app's Service after every rendered object, replaced when what was deployed changes`, async () => {
            const ev = await runStack(stack);
            const ns = `storefront-${stack}`;
            // prod runs blue-green: its check calls the preview Service, which selects the colour about to get traffic.
            const service = stack === "prod" ? "storefront-preview" : "storefront";
            const job = one(ev, "kubernetes:batch/v1:Job", "storefront-smoke");
            const pod = job.inputs.spec.template;
            const c = pod.spec.containers[0];
            assert.equal(c.image, "ghcr.io/acme/smoke-check:1.4.0");
            assert.deepEqual(c.env.map((e: { name: string; value: string }) => [e.name, e.value]),
                [["SMOKE_URL", `http://${service}.${ns}.svc:80/healthz`], ["SMOKE_EXPECT_STATUS", "200"], ["SMOKE_VERSION", "1.8.3"]]);
            assert.deepEqual([job.inputs.spec.backoffLimit, job.inputs.spec.activeDeadlineSeconds, pod.spec.restartPolicy], [0, 300, "Never"]);
            // Restricted: non-root, no privileges, no token, its own service account.
            assert.deepEqual([pod.spec.securityContext.runAsNonRoot, c.securityContext.allowPrivilegeEscalation, c.securityContext.capabilities.drop, pod.spec.automountServiceAccountToken],
                [true, false, ["ALL"], false]);
            assert.equal(pod.spec.serviceAccountName, "storefront-smoke");
            assert.equal(one(ev, "kubernetes:core/v1:ServiceAccount", "storefront-smoke").inputs.automountServiceAccountToken, false);
            // Never one of the app's pods: the Service and PDB select app.kubernetes.io/name=storefront.
            assert.equal(pod.metadata.labels["app.kubernetes.io/name"], "storefront-smoke");
            assert.equal(pod.metadata.annotations["delivery.example.com/config-hash"], (ev.outputs.promotion as { configHash: string }).configHash);
            // It waits for every object the chart registered (none under mocks) and for its account.
            assert.ok(job.dependencies?.includes(one(ev, "kubernetes:core/v1:ServiceAccount", "storefront-smoke").urn), JSON.stringify(job.dependencies));
            assert.deepEqual([job.deleteBeforeReplace, job.replaceOnChanges], [true, ["spec"]]);
            // The in-cluster record is written after the check, and says what was checked.
            const record = one(ev, "kubernetes:core/v1:ConfigMap", "-record");
            assert.ok(record.dependencies?.includes(job.urn), "the record waits for the smoke Job");
            const checked = (ev.outputs.promotion as { verification: { checked: string[] } }).verification.checked;
            assert.equal(checked[1], `smoke Job: GET http://${service}.${ns}.svc:80/healthz answered 200 (image ghcr.io/acme/smoke-check:1.4.0, deadline 300s)`);
            assert.deepEqual(JSON.parse(record.inputs.data.verification).checked, checked);
        });
    }

    it("a stack without a smoke check has none, and its record says the rollout was all that was checked", async () => {
        const ev = await runStack("dev", cfg("verification", { smoke: { enabled: false } }));
        assert.deepEqual(ofType(ev, "kubernetes:batch/v1:Job"), []);
        assert.deepEqual((ev.outputs.promotion as { verification: { checked: string[] } }).verification.checked,
            ["every rendered workload rolled out and ready (Pulumi waits; the update fails otherwise)"]);
    });

    it("prod refuses staging's release until the shipped soak has passed, unless the soak is overridden (recorded)", async () => {
        const staging = (await runChain("staging")).target; // verified just now
        await rejects(runChain("prod", [], { [STAGING]: asUpstream(staging) }), "less than the soak of 2h ago; it may go at");
        const override = cfg("override", { gates: ["soak"], reason: "INC-2301: fix for the outage, cannot wait" });
        const prod = (await runChain("prod", [override], { [STAGING]: asUpstream(staging) })).target;
        const rec = prod.outputs.promotion as Record<string, any>;
        assert.deepEqual(rec.override, { gates: ["soak"], reason: "INC-2301: fix for the outage, cannot wait" });
        const report = await checkPolicies(prod.resources, { stack: "prod" });
        assert.ok(report.violations.some((v) => v.policy === "stack-gate-override" && v.level === "advisory"), JSON.stringify(report.violations));
    });
});
