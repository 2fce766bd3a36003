/**
 * The deployments project's configuration (Pulumi.deployments.yaml), read once and validated.
 * Everything here is about *how* the delivery stacks are deployed; *what* they deploy stays in
 * the main project's Pulumi.<stack>.yaml files, which `main-project.ts` reads.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, ConfigValidationError } from "../config/reader";
import { readRuntimeConfig } from "../config/runtime";

/** Who reacts to pull requests and merges to the branch. */
export type GitEvents = "github-actions" | "pulumi-deployments";
export const GIT_EVENTS: readonly GitEvents[] = ["github-actions", "pulumi-deployments"];

/** Policy group mode: `preventative` blocks on mandatory violations, `audit` only reports. */
export type PolicyMode = "preventative" | "audit";

export const DEFAULT_BRANCH = "main";
/** Directory of the delivery program's Pulumi.yaml inside the repository. */
export const DEFAULT_REPO_DIR = ".";
/**
 * GitHub Actions runs previews, the dev deploy on merge and promotions (.github/workflows);
 * Pulumi Deployments then only serves drift runs, console/API deployments and review stacks.
 */
export const DEFAULT_GIT_EVENTS: GitEvents = "github-actions";
export const DEFAULT_POLICY_MODE: PolicyMode = "preventative";
/** Length of an assume-role session, Pulumi's "XhYmZs" format; a first EKS create takes ~20 min. */
export const DEFAULT_AWS_SESSION_DURATION = "1h0m0s";

export interface AwsOidc {
    /** IAM role the deployment assumes with its OIDC token (trusts api.pulumi.com/oidc). */
    readonly roleArn: string;
    /** @default `delivery-<stack>-deployments` */
    readonly sessionName?: string;
    /** @default DEFAULT_AWS_SESSION_DURATION */
    readonly duration?: string;
}

export interface AzureOidc {
    readonly clientId: string;
    readonly tenantId: string;
    readonly subscriptionId: string;
}

export interface GcpOidc {
    /** The project *number*. */
    readonly projectId: string;
    readonly workloadPoolId: string;
    readonly providerId: string;
    readonly serviceAccount: string;
    /** @default none (the provider's region applies) */
    readonly region?: string;
}

/** How one delivery stack is deployed. */
export interface StackSettings {
    readonly aws?: AwsOidc;
    readonly azure?: AzureOidc;
    readonly gcp?: GcpOidc;
    /** Cron (UTC) of the drift run. @default DEFAULT_DRIFT_SCHEDULE for the stack's environment */
    readonly driftSchedule?: string;
    /** Remediate drift with `pulumi up`. Development only. @default true in development, false elsewhere */
    readonly autoRemediate?: boolean;
    /** Customer-managed agent pool, needed when the cluster endpoint is private. @default Pulumi-hosted */
    readonly agentPoolId?: string;
    /** Every pull request gets a review stack copied from this stack. @default false */
    readonly reviewTemplate: boolean;
    /** Extra non-secret environment variables for the operation. @default {} */
    readonly env: Readonly<Record<string, string>>;
}

export interface PolicyPackRef {
    /** Name of the published pack (`pulumi policy publish` from policy/). */
    readonly name: string;
    /** Published version tag. */
    readonly version: string;
    /** @default DEFAULT_POLICY_MODE */
    readonly mode: PolicyMode;
}

export interface DeploymentsConfig {
    /** The deployments project's own stack (for messages). */
    readonly stack: string;
    /** Pulumi Cloud organization that owns the delivery stacks. @default the current organization */
    readonly organization: string;
    /** GitHub repository `owner/name` (the Pulumi GitHub App must be installed on it). */
    readonly repository: string;
    /** @default DEFAULT_BRANCH */
    readonly branch: string;
    /** @default DEFAULT_REPO_DIR */
    readonly repoDir: string;
    /** @default DEFAULT_GIT_EVENTS */
    readonly gitEvents: GitEvents;
    /** Enforced server-side through one policy group per stack; unset means no policy groups. */
    readonly policyPack?: PolicyPackRef;
    /** Delivery stacks by short name (`dev`, `staging`, `prod`), in file order. */
    readonly stacks: Readonly<Record<string, StackSettings>>;
}

export interface RawDeploymentsConfig {
    readonly project: string;
    readonly stack: string;
    /** Keys of the project namespace, values already parsed. */
    readonly values: Readonly<Record<string, unknown>>;
    readonly defaultOrganization?: string;
}

export const KNOWN_KEYS = ["organization", "repository", "branch", "repoDir", "gitEvents", "policyPack", "stacks"] as const;
const STACK_KEYS = ["aws", "azure", "gcp", "driftSchedule", "autoRemediate", "agentPoolId", "reviewTemplate", "env"] as const;

const NAME = /^[A-Za-z0-9_.-]+$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const BRANCH = /^(?!refs\/)[A-Za-z0-9._][A-Za-z0-9._\/-]*$/;
const REPO_DIR = /^(\.|(?!\/)(?!.*\.\.)[A-Za-z0-9._\/-]+)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const PROJECT_NUMBER = /^\d{6,20}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** Five cron fields of digits, `*`, `/`, `,` and `-`. */
const CRON = /^([\d*\/,-]+\s+){4}[\d*\/,-]+$/;

export function parseDeploymentsConfig(raw: RawDeploymentsConfig): DeploymentsConfig {
    const r = new ConfigReader(raw.project);
    const v = raw.values;
    r.unknownKeys("", v as Record<string, unknown>, KNOWN_KEYS);

    const organization = r.string("organization", v.organization, { default: raw.defaultOrganization, pattern: NAME, what: "a Pulumi organization name", example: "acme" });
    const repository = r.string("repository", v.repository, { pattern: REPOSITORY, what: "a GitHub repository owner/name", example: "acme/delivery" });
    const branch = r.string("branch", v.branch, { default: DEFAULT_BRANCH, pattern: BRANCH, what: "a branch name without refs/heads/", example: DEFAULT_BRANCH });
    const repoDir = r.string("repoDir", v.repoDir, { default: DEFAULT_REPO_DIR, pattern: REPO_DIR, what: "a path inside the repository (no leading /, no ..)", example: `"${DEFAULT_REPO_DIR}"` });
    const gitEvents = r.string("gitEvents", v.gitEvents, { default: DEFAULT_GIT_EVENTS, oneOf: GIT_EVENTS, example: DEFAULT_GIT_EVENTS }) as GitEvents;
    const policyPack = readPolicyPack(r, v.policyPack);

    const stacksObj = r.object("stacks", v.stacks, "{ dev: { aws: { roleArn: arn:aws:iam::111111111111:role/delivery-dev-deployments } } }");
    if (Object.keys(stacksObj).length === 0) {
        r.issue("stacks", "is required: list the delivery stacks to deploy", "{ dev: { aws: { roleArn: … } }, staging: …, prod: … }");
    }
    const stacks: Record<string, StackSettings> = {};
    for (const [name, value] of Object.entries(stacksObj)) {
        if (!NAME.test(name)) {
            r.issue(`stacks.${name}`, "is not a valid stack name (letters, digits, _ . -)", "prod");
        }
        stacks[name] = readStack(r, `stacks.${name}`, value);
    }

    if (r.issues.length > 0) {
        throw new ConfigValidationError(raw.stack, r.issues);
    }
    return { stack: raw.stack, organization: organization ?? "", repository, branch, repoDir, gitEvents, policyPack, stacks };
}

function readPolicyPack(r: ConfigReader, value: unknown): PolicyPackRef | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const o = r.object("policyPack", value, `{ name: delivery, version: "1.0.0" }`);
    r.unknownKeys("policyPack", o, ["name", "version", "mode"]);
    return {
        name: r.string("policyPack.name", o.name, { pattern: NAME, what: "the published policy pack name", example: "delivery" }),
        version: r.string("policyPack.version", o.version, { pattern: SEMVER, what: "a published version tag (never latest)", example: `"1.0.0"` }),
        mode: r.string("policyPack.mode", o.mode, { default: DEFAULT_POLICY_MODE, oneOf: ["preventative", "audit"], example: DEFAULT_POLICY_MODE }) as PolicyMode,
    };
}

function readStack(r: ConfigReader, key: string, value: unknown): StackSettings {
    const o = r.object(key, value, "{ aws: { roleArn: arn:aws:iam::111111111111:role/delivery-prod-deployments } }");
    r.unknownKeys(key, o, STACK_KEYS);
    const env = r.map(`${key}.env`, o.env, "{ LOG_FORMAT: json }", (k, val) => {
        const name = k.split(".").pop() as string;
        if (!ENV_NAME.test(name)) {
            r.issue(k, "is not an environment variable name (A-Z, 0-9, _)", "LOG_FORMAT");
        }
        return r.string(k, val, { example: "json" });
    });
    const driftSchedule = r.string(`${key}.driftSchedule`, o.driftSchedule, { optional: true, pattern: CRON, what: "a five-field cron expression (UTC)", example: `"0 5 * * *"` });
    return {
        aws: readAws(r, `${key}.aws`, o.aws),
        azure: readAzure(r, `${key}.azure`, o.azure),
        gcp: readGcp(r, `${key}.gcp`, o.gcp),
        driftSchedule,
        autoRemediate: o.autoRemediate === undefined ? undefined : r.boolean(`${key}.autoRemediate`, o.autoRemediate, { example: "false" }),
        agentPoolId: r.string(`${key}.agentPoolId`, o.agentPoolId, { optional: true, pattern: /^[A-Za-z0-9-]+$/, what: "an agent pool id", example: "9f2c1c7e-…" }),
        reviewTemplate: r.boolean(`${key}.reviewTemplate`, o.reviewTemplate, { default: false, example: "true" }),
        env,
    };
}

function readAws(r: ConfigReader, key: string, value: unknown): AwsOidc | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const o = r.object(key, value, "{ roleArn: arn:aws:iam::111111111111:role/delivery-dev-deployments }");
    r.unknownKeys(key, o, ["roleArn", "sessionName", "duration"]);
    return {
        roleArn: r.string(`${key}.roleArn`, o.roleArn, { pattern: ROLE_ARN, what: "an IAM role ARN", example: "arn:aws:iam::111111111111:role/delivery-dev-deployments" }),
        sessionName: r.string(`${key}.sessionName`, o.sessionName, { optional: true, pattern: SESSION_NAME, what: "an STS session name (2–64 of \\w+=,.@-)", example: "delivery-dev-deployments" }),
        duration: r.string(`${key}.duration`, o.duration, { optional: true, pattern: DURATION, what: "a duration like 1h0m0s", example: DEFAULT_AWS_SESSION_DURATION }),
    };
}

function readAzure(r: ConfigReader, key: string, value: unknown): AzureOidc | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const o = r.object(key, value, "{ clientId: …, tenantId: …, subscriptionId: … }");
    r.unknownKeys(key, o, ["clientId", "tenantId", "subscriptionId"]);
    const guid = (k: string) => r.string(`${key}.${k}`, o[k], { pattern: GUID, what: "a GUID", example: "00000000-0000-0000-0000-000000000000" });
    return { clientId: guid("clientId"), tenantId: guid("tenantId"), subscriptionId: guid("subscriptionId") };
}

function readGcp(r: ConfigReader, key: string, value: unknown): GcpOidc | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const o = r.object(key, value, "{ projectId: \"123456789012\", workloadPoolId: pulumi, providerId: pulumi-oidc, serviceAccount: deploy@acme-prod.iam.gserviceaccount.com }");
    r.unknownKeys(key, o, ["projectId", "workloadPoolId", "providerId", "serviceAccount", "region"]);
    return {
        projectId: r.string(`${key}.projectId`, o.projectId, { pattern: PROJECT_NUMBER, what: "the project number (digits, quoted)", example: `"123456789012"` }),
        workloadPoolId: r.string(`${key}.workloadPoolId`, o.workloadPoolId, { pattern: NAME, what: "a workload identity pool id", example: "pulumi" }),
        providerId: r.string(`${key}.providerId`, o.providerId, { pattern: NAME, what: "a workload identity provider id", example: "pulumi-oidc" }),
        serviceAccount: r.string(`${key}.serviceAccount`, o.serviceAccount, { pattern: EMAIL, what: "a service account email", example: "deploy@acme-prod.iam.gserviceaccount.com" }),
        region: r.string(`${key}.region`, o.region, { optional: true, pattern: /^[a-z]+-[a-z]+\d$/, what: "a GCP region", example: "europe-west1" }),
    };
}

/** Reads and validates this stack's configuration from the Pulumi runtime. */
export function loadDeploymentsConfig(): DeploymentsConfig {
    const { project, stack, values } = readRuntimeConfig();
    try {
        return parseDeploymentsConfig({ project, stack, values, defaultOrganization: pulumi.getOrganization() });
    } catch (e) {
        if (e instanceof ConfigValidationError) {
            throw new pulumi.RunError(e.message);
        }
        throw e;
    }
}
