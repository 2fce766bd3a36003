/**
 * Blue-green releases (delivery:rollout): the state from one update to the next, what the program
 * renders for it on the shipped prod stack (two colours, the active and preview Services, the
 * switch's dependencies), the policy on that, and the config's validation.
 */
import { strict as assert } from "assert";
import { BlueGreenState, colourObject, nextBlueGreen, renderedColours } from "../components/app/bluegreen";
import { ReleaseRecord } from "../components/promotion";
import { checkPolicies } from "../tools/offline/policy-check";
import { appChart, asUpstream, cfg, ofType, one, rejects, runChain, runStack, soakedFor } from "./harness";

const rel = (version: string): ReleaseRecord => ({ version, imageTag: version, imageDigest: "", chart: "app", chartVersion: "0.4.0" });
const AUTO = { strategy: "blueGreen" as const, keepPreviousSeconds: 3600 };
const T0 = new Date("2026-12-03T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60000);

describe("blue-green: the state from one update to the next", () => {
    const first = nextBlueGreen(undefined, rel("1.8.3"), AUTO, T0, "prod");
    const second = nextBlueGreen(first, rel("1.9.0"), AUTO, at(10), "prod");

    it("the first release goes to blue; nothing else runs", () => {
        assert.deepEqual([first.active, first.colours.blue?.version, first.colours.green, first.standby, renderedColours(first)], ["blue", "1.8.3", undefined, undefined, ["blue"]]);
    });

    it("the same release again after the first changes nothing (green never ran one)", () => {
        assert.equal(nextBlueGreen(first, rel("1.8.3"), AUTO, at(5), "prod"), first, "a no-change update after the first release changes no record");
        // As the backend hands the record back: JSON, absent fields dropped.
        const stored = JSON.parse(JSON.stringify(first));
        assert.equal(nextBlueGreen(stored, rel("1.8.3"), AUTO, at(90), "prod"), stored);
        const held = nextBlueGreen(undefined, rel("1.8.3"), { ...AUTO, active: "blue" }, T0, "prod");
        assert.equal(nextBlueGreen(held, rel("1.8.3"), { ...AUTO, active: "blue" }, at(5), "prod"), held);
    });

    it("a new release goes to the idle colour and takes traffic; the previous colour stays up for keepPrevious", () => {
        assert.deepEqual([second.active, second.colours.green?.version, second.colours.blue?.version, second.standby, second.standbyUntil, second.switchedAt],
            ["green", "1.9.0", "1.8.3", "blue", at(70).toISOString(), at(10).toISOString()]);
        assert.deepEqual(renderedColours(second), ["green", "blue"]);
    });

    it("the same release changes nothing until keepPrevious ends; the first update after that scales the standby to zero", () => {
        const same = nextBlueGreen(second, rel("1.9.0"), AUTO, at(40), "prod");
        assert.equal(same, second, "the previous state as it was: a no-change update changes no record");
        const later = nextBlueGreen(second, rel("1.9.0"), AUTO, at(71), "prod");
        assert.deepEqual([later.active, later.standby, renderedColours(later)], ["green", undefined, ["green"]]);
        assert.match(later.reason, /blue \(1\.8\.3\) scaled to zero after keepPrevious/);
        // The colour's release stays recorded: a switch-back deploys it again.
        assert.equal(later.colours.blue?.version, "1.8.3");
    });

    it("going back to the release the standby runs is an instant switch (a pin to it, or a promotion of it)", () => {
        const back = nextBlueGreen(second, rel("1.8.3"), AUTO, at(20), "prod");
        assert.deepEqual([back.active, back.standby, back.colours.green?.version], ["blue", "green", "1.9.0"]);
        assert.match(back.reason, /switched to blue, which runs 1\.8\.3 \(still up: an instant switch\)/);
    });

    it("rollout.active switches back at once and holds: later releases go to the other colour without traffic", () => {
        const held = nextBlueGreen(second, rel("1.9.0"), { ...AUTO, active: "blue" }, at(15), "prod");
        assert.deepEqual([held.active, held.held, held.standby], ["blue", true, "green"]);
        assert.match(held.reason, /switched back to blue \(1\.8\.3\) by delivery:rollout.active/);
        const next = nextBlueGreen(held, rel("1.9.1"), { ...AUTO, active: "blue" }, at(30), "prod");
        assert.deepEqual([next.active, next.colours.blue?.version, next.colours.green?.version, next.standby], ["blue", "1.8.3", "1.9.1", "green"]);
        // Lifting the hold lets traffic follow the newest release.
        const lifted = nextBlueGreen(next, rel("1.9.1"), AUTO, at(40), "prod");
        assert.deepEqual([lifted.active, lifted.standby], ["green", "blue"]);
    });

    it("refuses to hold traffic on a colour that never ran a release, naming the stack and key", () => {
        assert.throws(() => nextBlueGreen(first, rel("1.8.3"), { ...AUTO, active: "green" }, at(5), "prod"),
            /stack "prod" holds traffic on green \(delivery:rollout.active\), but green has never run a release \(blue runs 1\.8\.3\)/);
    });

    it("gives a colour's objects its labels and points any chart's Ingress at the active Service", () => {
        const d = colourObject({ metadata: { name: "x", labels: { a: "b" } }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } } } } }, "Deployment", "green", "storefront", 80);
        assert.deepEqual(d.metadata.labels, { a: "b", "delivery.example.com/colour": "green" });
        assert.deepEqual(d.spec.selector, { matchLabels: { a: "b" } }, "the selector is the chart's: never changed");
        assert.deepEqual(d.spec.template.metadata.labels, { a: "b", "delivery.example.com/app": "storefront", "delivery.example.com/colour": "green" });
        const ing = colourObject({ metadata: { name: "web" }, spec: { rules: [{ host: "h", http: { paths: [{ path: "/", backend: { service: { name: "web-green", port: { name: "http" } } } }] } }] } }, "Ingress", "green", "storefront", 80);
        assert.deepEqual(ing.spec.rules[0].http.paths[0].backend, { service: { name: "storefront-active", port: { number: 80 } } });
    });
});

describe("blue-green on the shipped prod stack", () => {
    const STAGING = "organization/delivery/staging";
    const PROD = "organization/delivery/prod";
    const SERVICE = "kubernetes:core/v1:Service";
    const selector = (ev: Awaited<ReturnType<typeof runStack>>, name: string) => one(ev, SERVICE, name).inputs.spec.selector;
    let first: Awaited<ReturnType<typeof runStack>>;
    let second: Awaited<ReturnType<typeof runStack>>;
    let staging: Awaited<ReturnType<typeof runStack>>;

    before(async () => {
        const dev = await runStack("dev", cfg("release", { version: "1.9.0" }));
        staging = (await soakedFor("prod", () => runChain("staging", [], { "organization/delivery/dev": asUpstream(dev) }))).target;
        first = await runStack("prod");
        second = (await runChain("prod", [], { [STAGING]: asUpstream(staging), [PROD]: asUpstream(first) })).target;
    });

    it("first update: blue only, the active and preview Services select it, the app's Ingress routes to the active Service", () => {
        assert.deepEqual(ofType(first, "kubernetes:helm.sh/v4:Chart").map((c) => c.name).filter((n) => n.startsWith("storefront")), ["storefront-blue-chart"]);
        assert.equal(selector(first, "storefront-active")["delivery.example.com/colour"], "blue");
        assert.equal(selector(first, "storefront-preview")["delivery.example.com/colour"], "blue");
        const ingresses = ofType(first, "kubernetes:networking.k8s.io/v1:Ingress");
        assert.deepEqual(ingresses.map((i) => [i.name, i.inputs.spec.rules[0].host, i.inputs.spec.rules[0].http.paths[0].backend.service.name]),
            [["storefront-ingress", "storefront.acme.example", "storefront-active"]], "one Ingress, the program's: the colours' charts render none");
        // The colour's pods carry the labels the Services select (the program's transform, applied to the rendered objects).
        const d = ofType(first, "kubernetes:apps/v1:Deployment").find((x) => x.rendered)!;
        assert.equal(d.inputs.spec.template.metadata.labels["delivery.example.com/colour"], "blue");
        const allow = ofType(first, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((n) => n.name.endsWith("allow-ingress-controller"))!;
        assert.deepEqual(allow.inputs.spec.podSelector.matchLabels, { "delivery.example.com/app": "storefront" });
    });

    it("a new release: green gets it, traffic switches after green's release and the smoke check; blue stays up", () => {
        assert.deepEqual(ofType(second, "kubernetes:helm.sh/v4:Chart").map((c) => c.name).filter((n) => n.startsWith("storefront")).sort(), ["storefront-blue-chart", "storefront-green-chart"]);
        const green = one(second, "kubernetes:helm.sh/v4:Chart", "storefront-green-chart");
        assert.equal(green.inputs.values.image.tag, "1.9.0");
        assert.equal(one(second, "kubernetes:helm.sh/v4:Chart", "storefront-blue-chart").inputs.values.image.tag, "1.8.3");
        assert.equal(selector(second, "storefront-active")["delivery.example.com/colour"], "green");
        const router = one(second, SERVICE, "storefront-active");
        assert.ok(router.dependencies?.includes(green.urn), "the switch waits for green's release");
        assert.ok(router.dependencies?.includes(one(second, "kubernetes:batch/v1:Job", "storefront-smoke").urn), "and for the smoke check");
        assert.ok(!router.dependencies?.includes(one(second, "kubernetes:helm.sh/v4:Chart", "storefront-blue-chart").urn));
        assert.equal(appChart(second).name, "storefront-green-chart");
        assert.equal((second.outputs.release as { version: string }).version, "1.9.0");
        const state = (second.outputs.promotion as { rollout: BlueGreenState }).rollout;
        assert.deepEqual([state.active, state.standby], ["green", "blue"]);
        assert.match(state.reason, /1\.9\.0 deployed on green, switched from blue \(1\.8\.3\) once ready/);
    });

    it("the policy pack passes the switch (the real program's dependencies and rendered objects)", async () => {
        const result = await checkPolicies(second.resources, { stack: "prod" });
        assert.deepEqual(result.violations.filter((v) => v.policy === "service-traffic-after-ready"), []);
        // The same plan with a switch that does not wait for green is blocked.
        const unordered = second.resources.map((r) => (r.name === "storefront-active" && r.type === SERVICE ? { ...r, dependencies: [] } : r));
        const blocked = (await checkPolicies(unordered, { stack: "prod" })).violations.filter((v) => v.policy === "service-traffic-after-ready");
        assert.deepEqual(blocked.map((v) => v.level), ["mandatory"]);
        assert.match(blocked[0].message, /Service storefront-active routes to green without waiting for Deployment storefront-green-chart:storefront-prod\/storefront-green/);
    });

    it("switch-back is one config change: rollout.active: blue, recorded, the release output goes back", async () => {
        const back = (await runChain("prod", [cfg("rollout", { strategy: "blueGreen", active: "blue" })], { [STAGING]: asUpstream(staging), [PROD]: asUpstream(second) })).target;
        assert.equal(selector(back, "storefront-active")["delivery.example.com/colour"], "blue");
        assert.equal((back.outputs.release as { version: string }).version, "1.8.3");
        const state = (back.outputs.promotion as { rollout: BlueGreenState }).rollout;
        assert.deepEqual([state.active, state.held, state.standby, state.colours.green?.version], ["blue", true, "green", "1.9.0"]);
        assert.match(JSON.parse(one(back, "kubernetes:core/v1:ConfigMap", "-record").inputs.data.rollout).reason, /switched back to blue/);
    });

    it("after a switch, the next update with nothing new writes the same record (read back from the backend with its keys sorted)", async () => {
        const pin = cfg("pin", { version: "1.8.3", reason: "INC-2291: back to 1.8.3", emergency: true });
        const back = (await runChain("prod", [pin], { [STAGING]: asUpstream(staging), [PROD]: asUpstream(second) })).target;
        const again = (await runChain("prod", [pin], { [STAGING]: asUpstream(staging), [PROD]: asUpstream(back) })).target;
        const data = (ev: typeof back) => one(ev, "kubernetes:core/v1:ConfigMap", "-record").inputs.data;
        assert.equal(JSON.parse(data(back).rollout).active, "blue");
        assert.deepEqual(data(again), data(back));
    });

    it("refuses bad rollout config with the key, before anything is created", async () => {
        await rejects(runStack("staging", cfg("rollout", { active: "blue" })), "delivery:rollout.active", "only used with strategy: blueGreen");
        await rejects(runStack("prod", cfg("rollout", { strategy: "blueGreen", keepPrevious: "8d" })), "delivery:rollout.keepPrevious", "must be at most 7d");
        await rejects(runStack("prod", cfg("rollout", { strategy: "canary" })), "delivery:rollout.strategy");
        await rejects(runStack("prod", cfg("helm", { wait: false }), cfg("verification", { smoke: { enabled: false } })), "delivery:rollout.strategy", "needs helm.wait: true");
    });
});

describe("blue-green on each cloud", () => {
    const NO_SECRETS = cfg("secrets", null);
    const CLOUDS: Record<string, Record<string, unknown>[]> = {
        azure: [cfg("cluster", { provider: "azure", region: "westeurope", zones: ["1", "2", "3"], nodes: { size: "Standard_D4s_v5" }, resourceGroup: null }), NO_SECRETS],
        gcp: [cfg("cluster", { provider: "gcp", region: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], project: "acme-prod-123", nodes: { size: "e2-standard-4" } }),
            NO_SECRETS, cfg("budget", { monthlyUsd: 2500, recipients: ["platform@acme.example"], billingAccount: "012345-6789AB-CDEF01" })],
    };
    for (const [cloud, overrides] of Object.entries(CLOUDS)) {
        it(`${cloud}: prod renders a colour, the switch waits for it, and the pack passes it`, async () => {
            const ev = await runStack("prod", ...overrides);
            const chart = one(ev, "kubernetes:helm.sh/v4:Chart", "storefront-blue-chart");
            const router = one(ev, "kubernetes:core/v1:Service", "storefront-active");
            assert.equal(router.inputs.spec.selector["delivery.example.com/colour"], "blue");
            assert.ok(router.dependencies?.includes(chart.urn));
            assert.equal(chart.provider, one(ev, "kubernetes:core/v1:Service", "storefront-preview").provider, "the colours and the Services are on the stack's cluster");
            const result = await checkPolicies(ev.resources, { stack: "prod" });
            assert.deepEqual(result.violations.filter((v) => v.policy === "service-traffic-after-ready"), []);
        });
    }
});
