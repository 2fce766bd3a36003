/**
 * deriveDeployments: what each delivery stack's Pulumi Deployments setup looks like, from the
 * shipped Pulumi.deployments.yaml and stack files, each case changing one thing.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROGRAM_PATHS, STATIC_CREDENTIAL_VARIABLES, StackDeploymentSpec, deriveDeployments } from "../../deployments/derive";
import { readConfigFile } from "../../tools/offline/stackfile";
import { ROOT, dcfg, deploymentsConfig, mainProject } from "./harness";

function derive(...args: Parameters<typeof deploymentsConfig>) {
    return deriveDeployments(deploymentsConfig(...args), mainProject());
}

function byStack(specs: readonly StackDeploymentSpec[]): Record<string, StackDeploymentSpec> {
    return Object.fromEntries(specs.map((s) => [s.stack, s]));
}

/** The message of the error `fn` throws; fails when it does not throw. */
function errorOf(fn: () => unknown): string {
    try {
        fn();
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
    assert.fail("expected an error");
}

const DEV_CONFIG = readConfigFile(path.join(ROOT, "Pulumi.dev.yaml"));
/** A review-stack template as it should be: development, borrowing dev's cluster. */
// A review stack borrows dev's cluster, so it leaves dev's zone and certificates to dev.
const { "delivery:dns": _dns, "delivery:tls": _tls, ...DEV_WITHOUT_DNS } = DEV_CONFIG;
const PR_STACK = {
    ...DEV_WITHOUT_DNS,
    "delivery:environment": "development",
    "delivery:cluster": { provider: "stack", stack: "acme/delivery/dev" },
};

describe("deployments: per-stack settings (deriveDeployments)", () => {
    describe("the shipped configuration", () => {
        const { specs } = derive();
        const s = byStack(specs);

        it("covers dev, staging and prod, with the environments their stack files imply", () => {
            assert.deepEqual(specs.map((x) => [x.stack, x.environment]), [["dev", "development"], ["staging", "staging"], ["prod", "production"]]);
        });

        it("remediates drift automatically in dev only; staging and prod drift is reported", () => {
            assert.deepEqual(specs.map((x) => [x.stack, x.drift?.autoRemediate]), [["dev", true], ["staging", false], ["prod", false]]);
        });

        it("checks for drift every 4 hours in dev and daily before office hours elsewhere", () => {
            assert.deepEqual(specs.map((x) => x.drift?.scheduleCron), ["0 */4 * * *", "30 4 * * *", "0 4 * * *"]);
        });

        it("leaves pull requests and merges to GitHub Actions: no push-to-deploy, no Deployments previews", () => {
            for (const x of specs) {
                assert.equal(x.settings.vcs.deployCommits, false, x.stack);
                assert.equal(x.settings.vcs.previewPullRequests, false, x.stack);
                assert.equal(x.settings.vcs.pullRequestTemplate, false, x.stack);
            }
        });

        it("deploys the delivery project from the main branch of acme/delivery, filtered to the program's files", () => {
            const settings = s.prod.settings;
            assert.deepEqual([settings.organization, settings.project, settings.stack], ["acme", "delivery", "prod"]);
            assert.deepEqual(settings.sourceContext, { git: { branch: "refs/heads/main", repoDir: "." } });
            assert.equal(settings.vcs.repository, "acme/delivery");
            assert.deepEqual(settings.vcs.paths, [...PROGRAM_PATHS, "Pulumi.prod.yaml"]);
        });

        it("installs exactly the lock file and type-checks before every operation", () => {
            for (const x of [s.staging, s.prod]) {
                assert.deepEqual(x.settings.operationContext.preRunCommands, ["npm ci --no-audit --no-fund --ignore-scripts", "npx tsc --noEmit"]);
                assert.deepEqual(x.settings.operationContext.options, { skipInstallDependencies: true, skipIntermediateDeployments: true });
            }
        });

        it("sets dev's release from the commit with the script deploy-dev.yml uses, so remediation never rolls dev back", () => {
            assert.deepEqual(s.dev.settings.operationContext.preRunCommands, [
                "npm ci --no-audit --no-fund --ignore-scripts", "npx tsc --noEmit", "bash .github/scripts/release-version.sh --set acme/delivery/dev",
            ]);
        });

        it("assumes each stack's own IAM role through OIDC, in the stack's region", () => {
            assert.deepEqual(s.prod.settings.operationContext.oidc, {
                aws: { roleARN: "arn:aws:iam::222222222222:role/delivery-prod-deployments", sessionName: "delivery-prod-deployments", duration: "1h0m0s" },
            });
            assert.equal(s.dev.settings.operationContext.oidc?.aws?.roleARN, "arn:aws:iam::111111111111:role/delivery-dev-deployments");
            assert.deepEqual(s.prod.settings.operationContext.environmentVariables, { CI: "true", PULUMI_SKIP_UPDATE_CHECK: "true", AWS_REGION: "eu-west-1" });
        });

        it("hands no deployment a static credential", () => {
            for (const x of specs) {
                const names = Object.keys(x.settings.operationContext.environmentVariables);
                assert.deepEqual(names.filter((n) => STATIC_CREDENTIAL_VARIABLES.includes(n)), [], x.stack);
            }
        });

        it("enforces the published policy pack on each stack through its own preventative policy group", () => {
            assert.deepEqual(specs.map((x) => [x.policyGroup?.name, x.policyGroup?.mode, x.policyGroup?.pack.name, x.policyGroup?.pack.versionTag]), [
                ["delivery-dev", "preventative", "delivery-guardrails", "0.1.0"],
                ["delivery-staging", "preventative", "delivery-guardrails", "0.1.0"],
                ["delivery-prod", "preventative", "delivery-guardrails", "0.1.0"],
            ]);
        });
    });

    describe("the policy pack", () => {
        it("is the one policy/ publishes, at the version in policy/package.json", () => {
            const file = path.join(ROOT, "policy", "package.json");
            const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name: string; version: string };
            const { policyPack } = deploymentsConfig();
            assert.deepEqual([policyPack?.name, policyPack?.version], [pkg.name, pkg.version],
                "delivery-deployments:policyPack in deployments/Pulumi.deployments.yaml must name the pack and version policy/package.json publishes");
        });
    });

    describe("when Pulumi Deployments owns git events", () => {
        const s = byStack(derive(dcfg("gitEvents", "pulumi-deployments")).specs);

        it("deploys dev on merge and nothing else", () => {
            assert.deepEqual([s.dev, s.staging, s.prod].map((x) => x.settings.vcs.deployCommits), [true, false, false]);
        });

        it("previews every stack on pull requests", () => {
            assert.deepEqual([s.dev, s.staging, s.prod].map((x) => x.settings.vcs.previewPullRequests), [true, true, true]);
        });
    });

    describe("policy configuration", () => {
        it("passes policy/config/<stack>.json to the stack's policy group", () => {
            const prodPolicy = { all: "mandatory", "eks-cluster-private-endpoint": { enforcementLevel: "mandatory" } };
            const main = mainProject(undefined, {}, { prod: prodPolicy });
            const s = byStack(deriveDeployments(deploymentsConfig(), main).specs);
            assert.deepEqual(s.prod.policyGroup?.pack.config, prodPolicy);
        });

        it("warns, naming the file, when a stack has no policy config", () => {
            const { warnings } = deriveDeployments(deploymentsConfig(), { ...mainProject(), policyConfigs: { dev: {}, staging: {} } });
            assert.ok(warnings.includes("prod: policy/config/prod.json does not exist; the policy group applies the pack's default enforcement levels."), warnings.join("\n"));
        });

        it("creates no policy groups without a policy pack", () => {
            assert.deepEqual(derive(dcfg("policyPack", null)).specs.map((x) => x.policyGroup), [undefined, undefined, undefined]);
        });
    });

    describe("warnings about the delivery stacks", () => {
        const { warnings } = derive();

        it("warns that Pulumi-hosted runners cannot reach prod's private endpoint without an agent pool", () => {
            assert.ok(warnings.some((w) => w.startsWith("prod: Pulumi.prod.yaml makes the cluster endpoint private") && w.includes("stacks.prod.agentPoolId")), warnings.join("\n"));
            const withPool = derive(dcfg("stacks", { prod: { agentPoolId: "9f2c1c7e-agents" } }));
            assert.ok(!withPool.warnings.some((w) => w.includes("agentPoolId")));
            assert.equal(byStack(withPool.specs).prod.settings.agentPoolId, "9f2c1c7e-agents");
        });

        it("warns that organization/… promotion sources only resolve on a DIY backend", () => {
            assert.ok(warnings.includes('prod: Pulumi.prod.yaml promotes from organization/delivery/staging (delivery:promotion.from), but the stacks live in the Pulumi Cloud organization acme; set it to acme/delivery/staging ("organization/" only resolves on a DIY backend).'), warnings.join("\n"));
        });
    });

    describe("overrides that are allowed", () => {
        it("takes a stack's own drift schedule", () => {
            const s = byStack(derive(dcfg("stacks", { prod: { driftSchedule: "15 6 * * 1-5" } })).specs);
            assert.deepEqual(s.prod.drift, { scheduleCron: "15 6 * * 1-5", autoRemediate: false });
        });

        it("lets dev turn remediation off", () => {
            assert.equal(byStack(derive(dcfg("stacks", { dev: { autoRemediate: false } })).specs).dev.drift?.autoRemediate, false);
        });

        it("prefixes the paths with repoDir when the program lives in a subdirectory", () => {
            const s = byStack(derive(dcfg("repoDir", "infra/delivery")).specs);
            assert.equal(s.dev.settings.sourceContext.git.repoDir, "infra/delivery");
            assert.equal(s.dev.settings.vcs.paths.at(-1), "infra/delivery/Pulumi.dev.yaml");
        });

        it("makes a development stack that borrows a cluster the review-stack template, without a drift schedule", () => {
            const main = mainProject(["dev", "staging", "prod", "pr"], { pr: PR_STACK });
            const cfg = deploymentsConfig(dcfg("stacks", { pr: { aws: { roleArn: "arn:aws:iam::111111111111:role/delivery-pr-deployments" }, reviewTemplate: true } }));
            const s = byStack(deriveDeployments(cfg, main).specs);
            assert.equal(s.pr.settings.vcs.pullRequestTemplate, true);
            assert.equal(s.pr.drift, undefined);
            assert.deepEqual([s.dev, s.staging, s.prod].map((x) => x.settings.vcs.pullRequestTemplate), [false, false, false]);
        });
    });

    describe("refusals (every problem at once, with the key and a valid example)", () => {
        it("refuses drift remediation outside development", () => {
            const message = errorOf(() => derive(dcfg("stacks", { prod: { autoRemediate: true } })));
            assert.ok(message.includes("delivery-deployments:stacks.prod.autoRemediate: is true, but prod is a production stack; only development remediates drift automatically, elsewhere a person reviews it (docs/runbooks/drift.md)"), message);
        });

        it("refuses static cloud credentials in a deployment's environment", () => {
            const message = errorOf(() => derive(dcfg("stacks", { staging: { env: { AWS_SECRET_ACCESS_KEY: "x" } } })));
            assert.ok(message.includes("delivery-deployments:stacks.staging.env.AWS_SECRET_ACCESS_KEY: would hand the deployment a long-lived credential; deployments authenticate with OIDC"), message);
        });

        it("requires the OIDC settings of the cloud the stack runs on", () => {
            const message = errorOf(() => derive(dcfg("stacks", { prod: { aws: null } })));
            assert.ok(message.includes("delivery-deployments:stacks.prod.aws: is required: Pulumi.prod.yaml runs on aws (delivery:cluster.provider) and deployments get cloud credentials through OIDC only"), message);
        });

        it("refuses credentials for a cloud the stack does not run on", () => {
            const gcp = { projectId: "123456789012", workloadPoolId: "pulumi", providerId: "pulumi-oidc", serviceAccount: "deploy@acme-prod.iam.gserviceaccount.com" };
            const message = errorOf(() => derive(dcfg("stacks", { prod: { gcp } })));
            assert.ok(message.includes("delivery-deployments:stacks.prod.gcp: is set, but Pulumi.prod.yaml runs on aws; remove it or fix delivery:cluster.provider"), message);
        });

        it("refuses a stack that has no stack file", () => {
            const cfg = deploymentsConfig(dcfg("stacks", { qa: { aws: { roleArn: "arn:aws:iam::111111111111:role/qa" } } }));
            const message = errorOf(() => deriveDeployments(cfg, mainProject(["dev", "staging", "prod", "qa"])));
            assert.ok(message.includes('delivery-deployments:stacks.qa: Pulumi.qa.yaml does not exist: there is no delivery stack "qa" in this repository'), message);
        });

        it("refuses a stack file the delivery program itself would refuse", () => {
            const main = mainProject(undefined, { staging: { "delivery:app": { replicas: "two" } } });
            const message = errorOf(() => deriveDeployments(deploymentsConfig(), main));
            assert.ok(message.includes("delivery-deployments:stacks.staging: Pulumi.staging.yaml is not valid for the delivery program: delivery:app.replicas must be a whole number"), message);
        });

        it("refuses a review template copied from prod or building its own cluster", () => {
            const message = errorOf(() => derive(dcfg("stacks", { prod: { reviewTemplate: true } })));
            assert.ok(message.includes("delivery-deployments:stacks.prod.reviewTemplate: is true, but Pulumi.prod.yaml is a production stack; review stacks are copied from a development stack only"), message);
            assert.ok(message.includes("delivery-deployments:stacks.prod.reviewTemplate: is true, but Pulumi.prod.yaml creates its own aws cluster; every pull request would build one, with the same names"), message);
        });

        it("refuses two review templates on one branch", () => {
            const main = mainProject(["dev", "staging", "prod", "pr", "pr2"], { pr: PR_STACK, pr2: PR_STACK });
            const role = { aws: { roleArn: "arn:aws:iam::111111111111:role/delivery-pr-deployments" }, reviewTemplate: true };
            const cfg = deploymentsConfig(dcfg("stacks", { pr: role, pr2: role }));
            const message = errorOf(() => deriveDeployments(cfg, main));
            assert.ok(message.includes("delivery-deployments:stacks: marks pr and pr2 as reviewTemplate; review stacks come from one template per branch (main)"), message);
        });

        it("reports all problems in one error that names the file to fix", () => {
            const message = errorOf(() => derive(dcfg("stacks", { staging: { autoRemediate: true }, prod: { aws: null } })));
            assert.ok(message.startsWith('Invalid configuration for stack "deployments" (2 problems); nothing was deployed:'), message);
            assert.ok(message.endsWith("Fix the values in Pulumi.deployments.yaml (or with `pulumi config set --path`)."), message);
        });
    });

    describe("configuration values (parseDeploymentsConfig)", () => {
        it("refuses a malformed role ARN, an unknown gitEvents owner and a bad cron, all at once", () => {
            const message = errorOf(() => deploymentsConfig(
                dcfg("gitEvents", "jenkins"),
                dcfg("stacks", { dev: { aws: { roleArn: "delivery-dev" }, driftSchedule: "hourly" } }),
            ));
            assert.ok(message.includes("(3 problems)"), message);
            assert.ok(message.includes('delivery-deployments:gitEvents: must be one of github-actions, pulumi-deployments; got "jenkins"'), message);
            assert.ok(message.includes('delivery-deployments:stacks.dev.aws.roleArn: must be an IAM role ARN; got "delivery-dev"'), message);
            assert.ok(message.includes('delivery-deployments:stacks.dev.driftSchedule: must be a five-field cron expression (UTC); got "hourly"'), message);
        });

        it("catches a misspelt key", () => {
            const message = errorOf(() => deploymentsConfig(dcfg("stacks", { prod: { autoRemediation: false } })));
            assert.ok(message.includes("delivery-deployments:stacks.prod.autoRemediation: is not a known setting"), message);
        });

        it("requires the repository", () => {
            const message = errorOf(() => deploymentsConfig(dcfg("repository", null)));
            assert.ok(message.includes("delivery-deployments:repository: is required but not set"), message);
        });
    });
});
