/**
 * Derives, for every delivery stack, its Pulumi Deployments settings, drift schedule and policy
 * group from the deployments config and the stack's own Pulumi.<stack>.yaml. Pure: the program
 * turns the result into resources, tests assert on it directly.
 *
 * The rules that matter, by environment:
 *   - push-to-deploy (a merge runs `pulumi up`): development only, and only when Pulumi
 *     Deployments owns git events (gitEvents: pulumi-deployments);
 *   - drift remediation (`pulumi up` after a drift run): development only; staging and
 *     production drift is reported and a person decides;
 *   - review stacks: copied from a development stack that borrows a cluster, never from
 *     staging or production.
 */
import { Environment } from "../config/environment";
import { ConfigReader, ConfigValidationError } from "../config/reader";
import { DEFAULT_AWS_SESSION_DURATION, DeploymentsConfig, PolicyMode, StackSettings } from "./config";
import { MainProject, MainStack } from "./main-project";

/** Drift runs (UTC): dev often, since it also self-heals; staging and prod before office hours. */
export const DEFAULT_DRIFT_SCHEDULE: Readonly<Record<Environment, string>> = {
    development: "0 */4 * * *",
    staging: "30 4 * * *",
    production: "0 4 * * *",
};

/**
 * Commands run before every Pulumi operation: install exactly the lock file, then type-check, so
 * a broken program fails in seconds instead of half-way through an update.
 */
export const PRE_RUN_COMMANDS: readonly string[] = ["npm ci --no-audit --no-fund --ignore-scripts", "npx tsc --noEmit"];

/**
 * Development stacks take their release version from the commit (the nearest v<semver> tag); the
 * same script runs in deploy-dev.yml and drift.yml, so every path that deploys dev agrees.
 */
export const RELEASE_VERSION_SCRIPT = ".github/scripts/release-version.sh";

/** Files whose change can change what a stack deploys: push-to-deploy and previews filter on them. */
export const PROGRAM_PATHS: readonly string[] = [
    "index.ts", "main.js", "tools/build-program.js", "config/**", "components/**", "charts/**", "policy/**",
    "package.json", "package-lock.json", "tsconfig.json", "tsconfig.pulumi.json", "Pulumi.yaml",
];

/** Variables that would carry long-lived cloud or Pulumi credentials: OIDC replaces them all. */
export const STATIC_CREDENTIAL_VARIABLES: readonly string[] = [
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE_PATH",
    "GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN",
    "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE",
];

export interface OidcSpec {
    readonly aws?: { readonly roleARN: string; readonly sessionName: string; readonly duration: string };
    readonly azure?: { readonly clientId: string; readonly tenantId: string; readonly subscriptionId: string };
    readonly gcp?: { readonly projectId: string; readonly workloadPoolId: string; readonly providerId: string; readonly serviceAccount: string; readonly region?: string };
}

/** Plain values in the shape of `pulumiservice.DeploymentSettingsArgs`. */
export interface DeploymentSettingsSpec {
    readonly organization: string;
    readonly project: string;
    readonly stack: string;
    readonly agentPoolId?: string;
    readonly sourceContext: { readonly git: { readonly branch: string; readonly repoDir: string } };
    readonly vcs: {
        readonly provider: "github";
        readonly repository: string;
        /** Push-to-deploy: a merge to the branch runs `pulumi up`. */
        readonly deployCommits: boolean;
        /** A pull request runs `pulumi preview` and comments the result. */
        readonly previewPullRequests: boolean;
        /** Pull requests get review stacks copied from this stack. */
        readonly pullRequestTemplate: boolean;
        readonly paths: readonly string[];
    };
    readonly operationContext: {
        readonly preRunCommands: readonly string[];
        readonly environmentVariables: Readonly<Record<string, string>>;
        readonly oidc?: OidcSpec;
        readonly options: { readonly skipInstallDependencies: boolean; readonly skipIntermediateDeployments: boolean };
    };
    readonly cacheOptions: { readonly enable: boolean };
}

export interface DriftSpec {
    readonly scheduleCron: string;
    readonly autoRemediate: boolean;
}

export interface PolicyGroupSpec {
    readonly name: string;
    readonly mode: PolicyMode;
    readonly pack: { readonly name: string; readonly versionTag: string; readonly config?: Readonly<Record<string, unknown>> };
}

export interface StackDeploymentSpec {
    readonly stack: string;
    readonly environment: Environment;
    readonly settings: DeploymentSettingsSpec;
    /** Absent for a review-stack template, which is never deployed itself. */
    readonly drift?: DriftSpec;
    readonly policyGroup?: PolicyGroupSpec;
}

export interface DerivedDeployments {
    readonly specs: readonly StackDeploymentSpec[];
    /** Things that will not stop `pulumi up` of this project but will hurt a deployment. */
    readonly warnings: readonly string[];
}

type Cloud = "aws" | "azure" | "gcp";
const CLOUDS: readonly Cloud[] = ["aws", "azure", "gcp"];

/** Derives every stack's deployment; throws one ConfigValidationError listing every problem. */
export function deriveDeployments(cfg: DeploymentsConfig, main: MainProject, namespace = "delivery-deployments"): DerivedDeployments {
    const r = new ConfigReader(namespace);
    const warnings: string[] = [];
    const specs: StackDeploymentSpec[] = [];

    for (const [name, settings] of Object.entries(cfg.stacks)) {
        const stack = main.stacks[name];
        if (!stack?.config) {
            r.issue(`stacks.${name}`, stack?.problem ?? `has no stack file Pulumi.${name}.yaml`, "a stack that has a Pulumi.<stack>.yaml next to the program");
            continue;
        }
        specs.push(deriveStack(r, warnings, cfg, main, stack, settings));
    }

    const templates = specs.filter((s) => s.settings.vcs.pullRequestTemplate).map((s) => s.stack);
    if (templates.length > 1) {
        r.issue("stacks", `marks ${templates.join(" and ")} as reviewTemplate; review stacks come from one template per branch (${cfg.branch})`, "reviewTemplate: true on one stack only");
    }
    if (r.issues.length > 0) {
        throw new ConfigValidationError(cfg.stack, r.issues);
    }
    return { specs, warnings };
}

function deriveStack(r: ConfigReader, warnings: string[], cfg: DeploymentsConfig, main: MainProject, stack: MainStack, s: StackSettings): StackDeploymentSpec {
    const key = `stacks.${stack.name}`;
    const program = stack.config!;
    const env = program.environment;
    const development = env === "development";

    // Review stacks copy this stack's config into every pull request: only safe for a
    // development stack that borrows a cluster (one EKS/AKS/GKE cluster per PR would collide on
    // names and cost a cluster per PR).
    if (s.reviewTemplate && !development) {
        r.issue(`${key}.reviewTemplate`, `is true, but ${stack.file} is a ${env} stack; review stacks are copied from a development stack only`, "reviewTemplate: true on a development stack such as pr");
    }
    if (s.reviewTemplate && !["stack", "existing"].includes(program.cluster.provider)) {
        r.issue(`${key}.reviewTemplate`, `is true, but ${stack.file} creates its own ${program.cluster.provider} cluster; every pull request would build one, with the same names`,
            `delivery:cluster: { provider: stack, stack: ${cfg.organization}/${main.name}/dev } in ${stack.file}`);
    }
    if (s.autoRemediate === true && !development) {
        r.issue(`${key}.autoRemediate`, `is true, but ${stack.name} is a ${env} stack; only development remediates drift automatically, elsewhere a person reviews it (docs/runbooks/drift.md)`, "remove autoRemediate");
    }
    for (const name of Object.keys(s.env)) {
        if (STATIC_CREDENTIAL_VARIABLES.includes(name)) {
            r.issue(`${key}.env.${name}`, "would hand the deployment a long-lived credential; deployments authenticate with OIDC", `${key}.aws.roleArn (or azure / gcp)`);
        }
    }
    const oidc = deriveOidc(r, warnings, key, stack, s);

    const privateEndpoint = program.cluster.provider !== "stack" && program.cluster.provider !== "existing" && program.cluster.privateEndpoint;
    if (privateEndpoint && !s.agentPoolId) {
        warnings.push(`${stack.name}: ${stack.file} makes the cluster endpoint private (delivery:cluster.endpoint.private), but ${key}.agentPoolId is not set; ` +
            "Pulumi-hosted deployment runners cannot reach a private Kubernetes API. Run a customer-managed agent pool inside the network and set its id.");
    }
    const from = program.promotion.from;
    if (from && from.split("/")[0] !== cfg.organization) {
        warnings.push(`${stack.name}: ${stack.file} promotes from ${from} (delivery:promotion.from), but the stacks live in the Pulumi Cloud organization ${cfg.organization}; ` +
            `set it to ${cfg.organization}/${from.split("/").slice(1).join("/")} ("organization/" only resolves on a DIY backend).`);
    }

    const template = s.reviewTemplate;
    const gitEventsHere = cfg.gitEvents === "pulumi-deployments" && !template;
    const prefix = cfg.repoDir === "." ? "" : `${cfg.repoDir.replace(/\/+$/, "")}/`;
    const preRunCommands = [...PRE_RUN_COMMANDS];
    if (development && !template) {
        preRunCommands.push(`bash ${RELEASE_VERSION_SCRIPT} --set ${cfg.organization}/${main.name}/${stack.name}`);
    }
    const environmentVariables: Record<string, string> = { CI: "true", PULUMI_SKIP_UPDATE_CHECK: "true" };
    if (oidc?.aws && typeof stack.providerConfig["aws:region"] === "string") {
        environmentVariables.AWS_REGION = stack.providerConfig["aws:region"] as string;
    }
    Object.assign(environmentVariables, s.env);

    const settings: DeploymentSettingsSpec = {
        organization: cfg.organization,
        project: main.name,
        stack: stack.name,
        ...(s.agentPoolId ? { agentPoolId: s.agentPoolId } : {}),
        sourceContext: { git: { branch: `refs/heads/${cfg.branch}`, repoDir: cfg.repoDir } },
        vcs: {
            provider: "github",
            repository: cfg.repository,
            deployCommits: gitEventsHere && development,
            previewPullRequests: gitEventsHere,
            pullRequestTemplate: template,
            paths: [...PROGRAM_PATHS, `Pulumi.${stack.name}.yaml`].map((p) => `${prefix}${p}`),
        },
        operationContext: {
            preRunCommands,
            environmentVariables,
            ...(oidc ? { oidc } : {}),
            // The pre-run commands install dependencies (npm ci, exactly the lock file).
            options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
        },
        cacheOptions: { enable: true },
    };

    const drift: DriftSpec | undefined = template ? undefined : {
        scheduleCron: s.driftSchedule ?? DEFAULT_DRIFT_SCHEDULE[env],
        autoRemediate: development && s.autoRemediate !== false,
    };

    let policyGroup: PolicyGroupSpec | undefined;
    if (cfg.policyPack) {
        const config = main.policyConfigs[stack.name];
        if (!config) {
            warnings.push(`${stack.name}: policy/config/${stack.name}.json does not exist; the policy group applies the pack's default enforcement levels.`);
        }
        policyGroup = {
            name: `${main.name}-${stack.name}`,
            mode: cfg.policyPack.mode,
            pack: { name: cfg.policyPack.name, versionTag: cfg.policyPack.version, ...(config ? { config } : {}) },
        };
    }
    return { stack: stack.name, environment: env, settings, drift, policyGroup };
}

function deriveOidc(r: ConfigReader, warnings: string[], key: string, stack: MainStack, s: StackSettings): OidcSpec | undefined {
    const provider = stack.config!.cluster.provider;
    const given = CLOUDS.filter((c) => s[c] !== undefined);
    if ((CLOUDS as readonly string[]).includes(provider)) {
        const cloud = provider as Cloud;
        if (!given.includes(cloud)) {
            r.issue(`${key}.${cloud}`, `is required: ${stack.file} runs on ${cloud} (delivery:cluster.provider) and deployments get cloud credentials through OIDC only`, OIDC_EXAMPLE[cloud]);
        }
        for (const other of given.filter((c) => c !== cloud)) {
            r.issue(`${key}.${other}`, `is set, but ${stack.file} runs on ${cloud}; remove it or fix delivery:cluster.provider`, `${key}.${cloud}`);
        }
    } else if (given.length === 0) {
        warnings.push(`${stack.name}: ${stack.file} uses a ${provider} cluster and no cloud credentials are configured; the deployment reaches the cluster only through its kubeconfig.`);
    }
    if (given.length === 0) {
        return undefined;
    }
    const out: { -readonly [K in keyof OidcSpec]: OidcSpec[K] } = {};
    if (s.aws) {
        out.aws = {
            roleARN: s.aws.roleArn,
            sessionName: s.aws.sessionName ?? `${stack.config!.project}-${stack.name}-deployments`.slice(0, 64),
            duration: s.aws.duration ?? DEFAULT_AWS_SESSION_DURATION,
        };
    }
    if (s.azure) {
        out.azure = { ...s.azure };
    }
    if (s.gcp) {
        out.gcp = { ...s.gcp };
    }
    return out;
}

const OIDC_EXAMPLE: Readonly<Record<Cloud, string>> = {
    aws: "{ roleArn: arn:aws:iam::111111111111:role/delivery-prod-deployments }",
    azure: "{ clientId: …, tenantId: …, subscriptionId: … }",
    gcp: "{ projectId: \"123456789012\", workloadPoolId: pulumi, providerId: pulumi-oidc, serviceAccount: deploy@acme-prod.iam.gserviceaccount.com }",
};
