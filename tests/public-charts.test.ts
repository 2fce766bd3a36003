/**
 * The policy pack over charts nobody here wrote: public charts fetched at test time from the Go
 * module proxy (the repositories that ship them are Go modules), checked against pinned module
 * sums, never committed. Each is deployed as prod's application chart through delivery:chart
 * alone, rendered with helm, and judged by the pack at prod's levels.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import { Evaluation } from "../tools/offline/evaluate";
import { checkPolicies, mandatoryViolations } from "../tools/offline/policy-check";
import { toolchainDir } from "../tools/offline/render";
import { ofType, runChain } from "./harness";


interface PublicChart {
    readonly module: string;
    readonly version: string;
    /** The module's go.sum hash (h1:), checked before the chart is used. */
    readonly sum: string;
    readonly dir: string;
    readonly imageValues: Record<string, string>;
    /** Dependencies the chart declares but the module does not carry, disabled by default: dropped. */
    readonly dropDependencies?: boolean;
}

const CHARTS: Record<string, PublicChart> = {
    "metrics-server": {
        module: "sigs.k8s.io/metrics-server", version: "v0.7.2", sum: "h1:0t1FhxdEHKHF/SduSRdkNHIYb24TpHqew2B/64GzOq8=",
        dir: "charts/metrics-server", imageValues: { repository: "image.repository", tag: "image.tag" },
    },
    "external-dns": {
        module: "sigs.k8s.io/external-dns", version: "v0.15.1", sum: "h1:7UXUtMrEuS4DZM/1A7gtuooJh2cIYSn3RiUX3buqPHs=",
        dir: "charts/external-dns", imageValues: { repository: "image.repository", tag: "image.tag" },
    },
    "external-secrets": {
        module: "github.com/external-secrets/external-secrets", version: "v0.16.2", sum: "h1:iNY+gIgSyL5higXTfnz+hdPCaiB/43UiHLqE7HBpj68=",
        dir: "deploy/charts/external-secrets", imageValues: { repository: "image.repository", tag: "image.tag" }, dropDependencies: true,
    },
};

const ROOT = path.resolve(__dirname, "..");
/** Inside the project (chart paths must be), ignored by git. */
const CACHE = path.join(ROOT, "tests", ".charts");

/** Downloads the module through the Go module proxy, checks its sum, and copies the chart into the project. */
function fetchChart(name: string, c: PublicChart): string {
    const work = path.join(toolchainDir(), "test-charts");
    fs.mkdirSync(work, { recursive: true });
    if (!fs.existsSync(path.join(work, "go.mod"))) {
        fs.writeFileSync(path.join(work, "go.mod"), "module charts.test\n\ngo 1.22\n");
    }
    const env = { ...process.env, GOMODCACHE: process.env.TOOLCHAIN_GOMODCACHE ?? path.join(toolchainDir(), "gomod"), GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" };
    const info = JSON.parse(execFileSync("go", ["mod", "download", "-json", `${c.module}@${c.version}`], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] }).toString()) as { Dir: string; Sum: string };
    assert.equal(info.Sum, c.sum, `${c.module}@${c.version}: module sum ${info.Sum} is not the pinned ${c.sum}`);
    const dest = path.join(CACHE, name);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.cpSync(path.join(info.Dir, c.dir), dest, { recursive: true });
    execFileSync("chmod", ["-R", "u+w", dest]);
    if (c.dropDependencies) {
        const file = path.join(dest, "Chart.yaml");
        const chart = parseYaml(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
        delete chart.dependencies;
        fs.writeFileSync(file, stringify(chart));
    }
    return path.relative(ROOT, dest);
}

/** prod on the chart, held by a pin (no upstream chain needed), at prod's policy levels. */
async function prodOn(chartPath: string, c: PublicChart): Promise<{ ev: Evaluation; failing: string[]; messages: string[] }> {
    const { target } = await runChain("prod", [{
        "delivery:chart": { path: chartPath, imageValues: c.imageValues },
        "delivery:pin": { version: "1.8.3", reason: "INC-2291: review of a third-party chart" },
    }]);
    const result = await checkPolicies(target.resources, { stack: "prod" });
    const mandatory = mandatoryViolations(result);
    return { ev: target, failing: [...new Set(mandatory.map((v) => v.policy))].sort(), messages: mandatory.map((v) => v.message) };
}

const rendered = (ev: Evaluation) => ev.resources.filter((r) => r.rendered).map((r) => r.type.split(":").pop()).sort();

describe("public charts (fetched from the Go module proxy, sum-pinned) judged by the pack", function () {
    this.timeout(180000);

    it("metrics-server: renders RBAC, an APIService and its Deployment; the pack finds the app-level gaps", async () => {
        const c = CHARTS["metrics-server"];
        const { ev, failing, messages } = await prodOn(fetchChart("metrics-server", c), c);
        assert.deepEqual(rendered(ev), ["APIService", "ClusterRole", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding", "Deployment", "RoleBinding", "Service", "ServiceAccount"]);
        assert.deepEqual(failing, EXPECTED["metrics-server"], messages.join("\n"));
    });

    it("external-dns: renders its CRD, RBAC and Deployment; the pack finds the app-level gaps", async () => {
        const c = CHARTS["external-dns"];
        const { ev, failing, messages } = await prodOn(fetchChart("external-dns", c), c);
        assert.deepEqual(rendered(ev), ["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "Service", "ServiceAccount"]);
        assert.deepEqual(failing, EXPECTED["external-dns"], messages.join("\n"));
    });

    it("external-secrets: renders the operator, its webhook and cert controller, RBAC and webhook configurations; the pack finds the gaps", async () => {
        const c = CHARTS["external-secrets"];
        const { ev, failing, messages } = await prodOn(fetchChart("external-secrets", c), c);
        // The module's chart carries no CRDs (its release process generates them into templates/crds).
        assert.equal(ofType(ev, "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration").length, 2);
        assert.equal(ofType(ev, "kubernetes:apps/v1:Deployment").filter((r) => r.rendered).length, 3);
        assert.deepEqual(failing, EXPECTED["external-secrets"], messages.join("\n"));
    });
});

/** What the pack blocks in prod for each chart at its defaults (filled from the pack's findings). */
const UNREVIEWED = ["helm-release-chart-source"]; // tests/.charts is not an allowed production source
// Each is a cluster add-on, not an application: it renders cluster-wide objects (an APIService, a CRD,
// webhook configurations) or objects in kube-system, which an application chart may not in prod.
const CLUSTER_WIDE = "helm-release-namespace-scope";
const EXPECTED: Record<string, string[]> = {
    // one replica, no PodDisruptionBudget, no resource limits, no scrape annotations (the app's metrics)
    "metrics-server": [...UNREVIEWED, CLUSTER_WIDE, "workload-disruption-budget", "workload-observability-production", "workload-replicas-minimum", "workload-resource-limits"],
    // the same, and strategy Recreate
    "external-dns": [...UNREVIEWED, CLUSTER_WIDE, "workload-disruption-budget", "workload-observability-production", "workload-replicas-minimum", "workload-resource-limits", "workload-rollout-keeps-serving"],
    // the same, the cert controller without probes, and the webhook/cert-controller images from oci.external-secrets.io
    "external-secrets": [...UNREVIEWED, CLUSTER_WIDE, "workload-disruption-budget", "workload-health-probes", "workload-image-registry", "workload-observability-production", "workload-replicas-minimum", "workload-resource-limits"],
};
