/**
 * The deployments program under Pulumi's mock runtime, with the shipped Pulumi.deployments.yaml:
 * what it registers for each delivery stack, and how it fails.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { deriveDeployments } from "../../deployments/derive";
import { DEPLOYMENTS_DIR, ROOT, Run, dcfg, deploymentsConfig, mainProject, named, ofType, resetRuntime, runDeployments } from "./harness";

const COMPONENT = "delivery:deployments:StackDeployment";
const SETTINGS = "pulumiservice:index:DeploymentSettings";
const DRIFT = "pulumiservice:index:DriftSchedule";
const POLICY_GROUP = "pulumiservice:index:PolicyGroup";
const STACKS = ["dev", "staging", "prod"];

/** The resource of `type` named `<stack>-<role>` for each stack, in promotion order. */
function perStack(run: Run, type: string, role: string) {
    return STACKS.map((stack) => named(run, type, `${stack}-${role}`));
}

describe("deployments: the program under mocks", () => {
    let run: Run;
    before(async () => {
        run = await runDeployments();
    });
    after(resetRuntime);

    it("resolves @pulumi/pulumi from the repository root, where the mocks are set", () => {
        // A deployments/node_modules of its own would hold a second SDK that never sees the mocks.
        assert.equal(require.resolve("@pulumi/pulumi", { paths: [DEPLOYMENTS_DIR] }), require.resolve("@pulumi/pulumi", { paths: [ROOT] }),
            "deployments/ resolves its own @pulumi/pulumi: remove deployments/node_modules before running the tests");
    });

    it("registers one StackDeployment per delivery stack, each with its settings, drift schedule and policy group", () => {
        assert.deepEqual(ofType(run, COMPONENT).map((r) => r.name).sort(), [...STACKS].sort());
        for (const stack of STACKS) {
            const component = named(run, COMPONENT, stack);
            for (const [type, role] of [[SETTINGS, "settings"], [DRIFT, "drift"], [POLICY_GROUP, "policy"]]) {
                assert.equal(named(run, type, `${stack}-${role}`).parent, component.urn, `${stack}-${role} is a child of ${stack}`);
            }
        }
        assert.equal(run.resources.length, 12);
    });

    it("gives each stack exactly the settings deriveDeployments derives", () => {
        const { specs } = deriveDeployments(deploymentsConfig(), mainProject());
        for (const spec of specs) {
            assert.deepEqual(named(run, SETTINGS, `${spec.stack}-settings`).inputs, JSON.parse(JSON.stringify(spec.settings)), spec.stack);
        }
    });

    it("schedules drift runs that remediate in dev only, after the settings they use exist", () => {
        assert.deepEqual(perStack(run, DRIFT, "drift").map((r) => [r.inputs.stack, r.inputs.scheduleCron, r.inputs.autoRemediate]), [
            ["dev", "0 */4 * * *", true],
            ["staging", "30 4 * * *", false],
            ["prod", "0 4 * * *", false],
        ]);
        for (const stack of STACKS) {
            assert.ok(named(run, DRIFT, `${stack}-drift`).dependencies.includes(named(run, SETTINGS, `${stack}-settings`).urn), stack);
        }
    });

    it("puts each stack alone in a preventative policy group running the published pack", () => {
        const prodPolicy = mainProject().policyConfigs.prod;
        assert.deepEqual(named(run, POLICY_GROUP, "prod-policy").inputs, {
            name: "delivery-prod",
            organizationName: "acme",
            entityType: "stacks",
            mode: "preventative",
            stacks: [{ name: "prod", routingProject: "delivery" }],
            policyPacks: [{ name: "delivery-guardrails", versionTag: "0.1.0", ...(prodPolicy ? { config: prodPolicy } : {}) }],
        });
    });

    it("exports who deploys what", () => {
        assert.deepEqual(run.outputs, {
            gitEvents: "github-actions",
            stacks: {
                dev: { environment: "development", pushToDeploy: false, previewPullRequests: false, reviewTemplate: false, driftSchedule: "0 */4 * * *", autoRemediate: true, policyGroup: "delivery-dev" },
                staging: { environment: "staging", pushToDeploy: false, previewPullRequests: false, reviewTemplate: false, driftSchedule: "30 4 * * *", autoRemediate: false, policyGroup: "delivery-staging" },
                prod: { environment: "production", pushToDeploy: false, previewPullRequests: false, reviewTemplate: false, driftSchedule: "0 4 * * *", autoRemediate: false, policyGroup: "delivery-prod" },
            },
        });
    });

    it("reports its warnings instead of failing (prod's private endpoint needs an agent pool)", () => {
        assert.ok(run.warnings.some((w) => w.startsWith("prod: Pulumi.prod.yaml makes the cluster endpoint private")), run.warnings.join("\n"));
    });

    it("turns on push-to-deploy for dev only when Pulumi Deployments owns git events", async () => {
        const owned = await runDeployments(dcfg("gitEvents", "pulumi-deployments"));
        assert.deepEqual(perStack(owned, SETTINGS, "settings").map((r) => [r.inputs.stack, r.inputs.vcs.deployCommits, r.inputs.vcs.previewPullRequests]), [
            ["dev", true, true], ["staging", false, true], ["prod", false, true],
        ]);
    });

    it("fails with the configuration problems as a RunError when the configuration is invalid", async () => {
        let error: unknown;
        try {
            await runDeployments(dcfg("stacks", { prod: { autoRemediate: true } }));
        } catch (e) {
            error = e;
        }
        assert.ok(error instanceof pulumi.RunError, `expected a RunError, got ${String(error)}`);
        const message = error.message;
        assert.ok(message.includes("delivery-deployments:stacks.prod.autoRemediate: is true, but prod is a production stack"), message);
    });
});
