/**
 * The offline render reads Helm's manifest the way helm.v4.Chart's provider does (its YAML
 * decoder, list expansion, namespacing and refusals), so the policy pack judges the objects the
 * engine would register, and a chart the engine would refuse is refused here, naming the stack.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../tools/plan";
import { ROOT, toProgramConfig } from "../tools/offline/stackfile";
import { parseConfig } from "../config";
import { stackConfig } from "./harness";
import { RenderError, RenderedObject, renderChart, servedApiVersions } from "../tools/offline/render";
import { RegisteredResource, chartRenderProblem } from "../tools/offline/evaluate";

const CHART = "./tests/fixtures/charts/odd-manifests";

function render(values: Record<string, unknown> = {}): RenderedObject[] {
    return renderChart({ name: "shop", namespace: "shop-prod", chart: CHART, values, kubeVersion: "1.31" }, ROOT);
}

function find(objects: RenderedObject[], kind: string, name: string): any {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(o, `${kind} ${name} among ${objects.map((x) => `${x.kind} ${x.metadata.name}`).join(", ")}`);
    return o;
}

/** `npm run plan` for prod with one override file written from `config`. */
async function plan(config: Record<string, unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "delivery-render-")), "override.yaml");
    fs.writeFileSync(file, JSON.stringify({ config }));
    let stdout = "";
    let stderr = "";
    const code = await main(["--stack", "prod", "--config", file], { write: (t: string) => (stdout += t) }, { write: (t: string) => (stderr += t) });
    return { code, stdout, stderr };
}

const chartConfig = (values: Record<string, unknown>) => ({
    "delivery:chart": { path: CHART.slice(2), imageValues: { repository: "image.repository", tag: "image.tag" } },
    "delivery:pin": { version: "1.8.3", reason: "CHG-1300: adopt the chart" },
    "delivery:values": values,
});

describe("render: what helm.v4.Chart's provider registers from a chart's manifest", () => {
    it("reads YAML 1.1 scalars as the provider's decoder does: yes/on/n are booleans, timestamps and 1:20 stay strings", () => {
        const objects = render();
        const pod = find(objects, "Deployment", "shop-yaml11").spec.template.spec;
        assert.equal(pod.hostNetwork, true);
        assert.equal(pod.containers[0].securityContext.privileged, true);
        assert.equal(pod.containers[0].securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(find(objects, "ConfigMap", "shop-scalars").data, { mode: "0644", quoted: "yes", timestamp: "2001-12-14", sexagesimal: "1:20" });
    });

    it("expands every list (List, DeploymentList, a list inside a list) into its items, and drops empty documents", () => {
        const objects = render();
        assert.equal(find(objects, "Deployment", "shop-listed").spec.template.spec.containers[0].securityContext.privileged, true);
        find(objects, "Pod", "shop-nested");
        assert.deepEqual(objects.filter((o) => /List$/.test(o.kind) || Array.isArray((o as { items?: unknown }).items)), []);
        assert.ok(objects.every((o) => typeof o.metadata.name === "string" && o.metadata.name !== ""));
    });

    it("leaves cluster-scoped kinds without a namespace: built-in ones and those a rendered definition declares Cluster", () => {
        const objects = render();
        assert.equal(find(objects, "Widget", "shop-widget").metadata.namespace, undefined);
        assert.equal(find(objects, "VolumeAttributesClass", "shop-fast").metadata.namespace, undefined);
        assert.equal(find(objects, "CustomResourceDefinition", "widgets.acme.example").metadata.namespace, undefined);
        // A kind no rendered definition describes is namespaced, like most custom resources.
        assert.equal(find(objects, "Gadget", "shop-gadget").metadata.namespace, "shop-prod");
        assert.equal(find(objects, "Deployment", "shop-yaml11").metadata.namespace, "shop-prod");
    });

    it("lets the pack judge what the engine would register: privileged: yes and a privileged Deployment inside a list are blocked in prod", async () => {
        const r = await plan(chartConfig({}));
        assert.equal(r.code, 1, r.stderr);
        for (const s of [
            "Deployment storefront-blue-chart:storefront-prod/storefront-blue-yaml11 container app is privileged (securityContext.privileged: true)",
            "Deployment storefront-blue-chart:storefront-prod/storefront-blue-yaml11 shares the node's namespace (hostNetwork: true)",
            "Deployment storefront-blue-chart:storefront-prod/storefront-blue-listed container app is privileged (securityContext.privileged: true)",
            // Rendered because the stack's cluster serves External Secrets (the stack registers SecretStores).
            "Deployment storefront-blue-chart:storefront-prod/storefront-blue-secrets-sync shares the node's namespace (hostPID: true)",
            // Cluster-scoped by the chart's own definition: named without a namespace, as the provider names it.
            "Widget storefront-blue-chart:storefront-blue-widget is cluster-scoped",
            "CustomResourceDefinition storefront-blue-chart:widgets.acme.example is cluster-scoped",
        ]) {
            assert.ok(r.stdout.includes(s), `expected "${s}" in the report`);
        }
        assert.match(r.stderr, /workload-privileged, /);
    });

    it("reads the chart's Chart.yaml and values.yaml as Helm does: a duplicate key and `scalars: on` against a boolean schema are accepted", async () => {
        const r = await plan(chartConfig({}));
        assert.equal(r.code, 1, r.stderr);
        assert.ok(r.stdout.includes("storefront-blue-chart:storefront-prod/storefront-blue-scalars"), "the ConfigMap `scalars: on` switches on is rendered");
    });

    for (const [value, says] of [
        ["duplicate", "delivery:chart: chart ./tests/fixtures/charts/odd-manifests renders ConfigMap storefront-prod/storefront-blue-scalars twice"],
        ["unnamed", "delivery:chart: chart ./tests/fixtures/charts/odd-manifests renders ConfigMap without metadata.name in odd-manifests/templates/refused.yaml"],
        ["noKind", "delivery:chart: chart ./tests/fixtures/charts/odd-manifests renders an object without kind and apiVersion in odd-manifests/templates/refused.yaml"],
    ] as const) {
        it(`refuses a chart that renders what the provider refuses (${value}): exit 2, naming the stack, the key and the template`, async () => {
            const r = await plan(chartConfig({ [value]: true }));
            assert.equal(r.code, 2, r.stderr);
            assert.equal(r.stdout, "");
            assert.match(r.stderr, /^plan failed: Invalid configuration for stack "prod" \(1 problem\); nothing was deployed:\n/);
            assert.ok(r.stderr.includes(says), r.stderr);
            assert.doesNotMatch(r.stderr, /\n\s+at /);
        });
    }

    it("reports a template's fail as the stack's values problem, without helm's --debug advice or the secret it echoes", async () => {
        const r = await plan(chartConfig({ database: { password: "hunter2-Sup3rS3cret!" } }));
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stderr,
            'plan failed: Invalid configuration for stack "prod" (1 problem); nothing was deployed:\n' +
            "  - delivery:values: helm could not render chart ./tests/fixtures/charts/odd-manifests: Error: execution error at (odd-manifests/templates/refused.yaml:20:4): database.password [secret] is too short\n" +
            "      e.g. the value the chart's message names, in delivery:values or delivery:valuesFiles (or another chart in delivery:chart)\n" +
            "Fix the values in Pulumi.prod.yaml (or with `pulumi config set --path`).\n");
    });

    it("names delivery:chart, not the values, when Helm refuses the chart itself (a library chart, a dependency missing from charts/)", () => {
        const chart = { inputs: { values: {} }, display: { values: {} } } as unknown as RegisteredResource;
        for (const helm of ["Error: library charts are not installable", "Error: An error occurred while checking for chart dependencies: found in Chart.yaml, but missing in charts/ directory: common"]) {
            const m = chartRenderProblem(new RenderError(`helm could not render chart ./charts/x: ${helm}`), chart, { project: "delivery", stack: "prod" }).message;
            assert.ok(m.includes(`\n  - delivery:chart: helm could not render chart ./charts/x: ${helm}\n`), m);
        }
        const m = chartRenderProblem(new RenderError("helm could not render chart ./charts/x: Error: execution error at (x/templates/a.yaml:1:2): image.tag is required"), chart, { project: "delivery", stack: "prod" }).message;
        assert.ok(m.includes("\n  - delivery:values: helm could not render chart ./charts/x: Error: execution error at"), m);
    });

    it("leaves a chart directory's values.schema.json the program cannot compile (a remote $ref, which Helm fetches) to Helm", () => {
        const dir = path.join("tests", ".charts", "remote-schema");
        fs.rmSync(path.join(ROOT, dir), { recursive: true, force: true });
        fs.cpSync(path.join(ROOT, CHART), path.join(ROOT, dir), { recursive: true });
        fs.writeFileSync(path.join(ROOT, dir, "values.schema.json"), JSON.stringify({ type: "object", properties: { scalars: { $ref: "https://schemas.acme.example/flag.json" } } }));
        const program = toProgramConfig("delivery", {}, stackConfig("prod", { ...chartConfig({}), "delivery:chart": { path: dir, imageValues: { repository: "image.repository", tag: "image.tag" } } }));
        const values = Object.fromEntries(Object.entries(program.values).filter(([k]) => k.startsWith("delivery:"))
            .map(([k, v]) => [k.slice("delivery:".length), v.startsWith("{") || v.startsWith("[") ? JSON.parse(v) : v]));
        const parsed = parseConfig({ project: "delivery", stack: "prod", values, secretKeys: new Set(), root: ROOT });
        assert.equal(parsed.chart.kind === "path" && parsed.chart.path, dir);
    });

    it("serves, to a chart's .Capabilities.APIVersions.Has, the APIs of the kinds the stack registers outside Kubernetes' own groups", () => {
        assert.deepEqual(servedApiVersions([
            "kubernetes:external-secrets.io/v1:SecretStore", "kubernetes:cert-manager.io/v1:ClusterIssuer", "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:Namespace", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:helm.sh/v4:Chart", "aws:eks/cluster:Cluster",
        ]), ["cert-manager.io/v1", "cert-manager.io/v1/ClusterIssuer", "external-secrets.io/v1", "external-secrets.io/v1/SecretStore"]);
    });
});
