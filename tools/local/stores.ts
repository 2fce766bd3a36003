/**
 * The secret stores of the local platform, started by toolchain/local-cluster.sh when the toolchain
 * built them: kumo (AWS Secrets Manager and STS `AssumeRoleWithWebIdentity`) and a Vault dev server
 * with TLS. The External Secrets Operator's controller runs against both, out of cluster.
 *
 * This module does what, in a real environment, the people who own the stores do: it seeds each
 * stack's declared secrets with obviously fake values (never in the repository, never printed), and
 * it sets up Vault's side for the "existing role" mode (KV v2 mount, the program's read policy,
 * Kubernetes auth reviewing tokens with a dedicated service account, one role per environment
 * bound to the operator's service account and namespace). Vault enforces those policies, so one
 * environment's identity is refused another's path for real.
 */
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { vaultReadPolicy } from "../../components/secrets/vault";
import { parseConfig } from "../../config/parse";
import { StackConfig } from "../../config/model";
import { StoreConfig } from "../../config/secrets";
import { ConfigMap, ROOT, projectValues, readProject, toProgramConfig } from "../offline/stackfile";

export interface VaultServer {
    readonly addr: string;
    readonly caCert: string;
    readonly token: string;
}

export interface LocalStores {
    /** kumo's endpoint (Secrets Manager and STS), when built. */
    readonly kumo?: string;
    readonly vault?: VaultServer;
}

/** What local-cluster.sh started, from its state directory. */
export function readLocalStores(clusterState: string): LocalStores {
    const file = path.join(clusterState, "secrets.env");
    if (!fs.existsSync(file)) {
        return {};
    }
    const env: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line);
        if (m) {
            env[m[1]] = m[2];
        }
    }
    const vault = env.VAULT_ADDR !== undefined
        ? { addr: env.VAULT_ADDR, caCert: fs.readFileSync(env.VAULT_CACERT, "utf8"), token: fs.readFileSync(path.join(clusterState, "vault-token"), "utf8").trim() }
        : undefined;
    return { ...(env.KUMO_ENDPOINT !== undefined ? { kumo: env.KUMO_ENDPOINT } : {}), ...(vault ? { vault } : {}) };
}

/** The program's view of a stack's config (defaults applied), as `pulumi up` would see it. */
export function resolvedConfig(stack: string, config: ConfigMap): StackConfig {
    const project = readProject(ROOT);
    const { values, secretKeys } = projectValues(toProgramConfig(project.name, project.defaults, config));
    return parseConfig({ project: project.name, stack, values, secretKeys, root: ROOT });
}

/** An obviously fake value for one secret of one stack; `generation` changes it. */
export function fakeValue(stack: string, secret: string, property: string, generation = 1): string {
    return `fake-${stack}-${secret}-${property}-not-a-real-secret-${generation}`.toLowerCase();
}

/** The JSON document a declared secret is seeded with: its property, or a username/password pair. */
export function fakeDocument(stack: string, secret: { name: string; property?: string }, generation = 1): Record<string, string> {
    const props = secret.property !== undefined ? [secret.property] : ["username", "password"];
    return Object.fromEntries(props.map((p) => [p, fakeValue(stack, secret.name, p, generation)]));
}

// --- AWS Secrets Manager (kumo) ----------------------------------------------------------

/** One Secrets Manager JSON-protocol call. kumo routes by target and credential scope; it checks no signature. */
async function secretsManager(endpoint: string, region: string, action: string, body: object): Promise<{ status: number; json: any }> {
    const res = await fetch(endpoint, {
        method: "POST",
        headers: {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": `secretsmanager.${action}`,
            authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${region}/secretsmanager/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = {};
    try {
        json = text === "" ? {} : JSON.parse(text);
    } catch {
        json = { message: text.slice(0, 200) };
    }
    return { status: res.status, json };
}

/** Creates the secret, or puts a new current version of it. */
export async function putAwsSecret(endpoint: string, region: string, id: string, value: string): Promise<void> {
    const created = await secretsManager(endpoint, region, "CreateSecret", { Name: id, SecretString: value });
    if (created.status === 200) {
        return;
    }
    const put = await secretsManager(endpoint, region, "PutSecretValue", { SecretId: id, SecretString: value });
    if (put.status !== 200) {
        throw new Error(`kumo: could not write secret ${id}: ${put.status} ${put.json?.__type ?? ""} ${put.json?.message ?? put.json?.Message ?? ""}`);
    }
}

// --- Vault ----------------------------------------------------------------------------------

/** One Vault API call with the root token; returns the parsed body. Refuses on an unexpected status. */
export function vaultRequest(vault: VaultServer, method: string, apiPath: string, body?: object, token = vault.token): Promise<{ status: number; json: any }> {
    const url = new URL(`/v1/${apiPath}`, vault.addr);
    const payload = body !== undefined ? JSON.stringify(body) : undefined;
    return new Promise((resolve, reject) => {
        const req = https.request(url, {
            method, ca: vault.caCert,
            headers: { "x-vault-token": token, ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}) },
        }, (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (text += c));
            res.on("end", () => {
                let json: any = {};
                try {
                    json = text === "" ? {} : JSON.parse(text);
                } catch {
                    json = {};
                }
                resolve({ status: res.statusCode ?? 0, json });
            });
        });
        req.on("error", reject);
        req.end(payload);
    });
}

async function vaultOk(vault: VaultServer, method: string, apiPath: string, body?: object, tolerate: number[] = []): Promise<any> {
    const r = await vaultRequest(vault, method, apiPath, body);
    if (r.status >= 300 && !tolerate.includes(r.status)) {
        throw new Error(`vault: ${method} ${apiPath} answered ${r.status}: ${(r.json?.errors ?? []).join("; ")}`);
    }
    return r.json;
}

export interface VaultEnvironment {
    readonly cfg: StackConfig;
    readonly store: Extract<StoreConfig, { provider: "vault" }>;
}

/**
 * Vault's side of one environment, as its owners would set it up for the "existing role" mode:
 * the KV v2 mount, the program's read policy for the app's path, Kubernetes auth on the
 * environment's auth mount (reviewing tokens against this API server), and the role.
 */
export async function configureVault(vault: VaultServer, env: VaultEnvironment, k8s: { host: string; caCert: string; reviewerJwt: string }): Promise<void> {
    const { cfg, store } = env;
    const role = store.role!;
    await vaultOk(vault, "POST", `sys/mounts/${store.mount}`, { type: "kv", options: { version: "2" } }, [400]);
    const policy = `${role}-read`;
    await vaultOk(vault, "PUT", `sys/policies/acl/${policy}`, { policy: vaultReadPolicy(store.mount, store.path) });
    await vaultOk(vault, "POST", `sys/auth/${store.authMount}`, { type: "kubernetes" }, [400]);
    await vaultOk(vault, "POST", `auth/${store.authMount}/config`, {
        kubernetes_host: k8s.host, kubernetes_ca_cert: k8s.caCert, token_reviewer_jwt: k8s.reviewerJwt, disable_local_ca_jwt: true,
    });
    await vaultOk(vault, "POST", `auth/${store.authMount}/role/${role}`, {
        bound_service_account_names: [cfg.secrets.serviceAccount], bound_service_account_namespaces: [cfg.namespace.name],
        token_policies: [policy], token_ttl: 3600, audience: "vault",
    });
}

/** Writes one KV v2 secret. */
export async function putVaultSecret(vault: VaultServer, mount: string, key: string, data: Record<string, string>): Promise<void> {
    await vaultOk(vault, "POST", `${mount}/data/${key}`, { data });
}

// --- seeding -----------------------------------------------------------------------------------

/** Seeds every secret the stack declares, in the store it names, with `fakeDocument` values. */
export async function seedStack(stores: LocalStores, cfg: StackConfig, generation = 1): Promise<string[]> {
    const seeded: string[] = [];
    for (const d of cfg.secrets.secrets) {
        const store = cfg.secrets.stores.find((s) => s.name === d.store);
        const doc = JSON.stringify(fakeDocument(cfg.stack, d, generation));
        if (store?.provider === "aws" && store.service === "SecretsManager" && stores.kumo) {
            await putAwsSecret(stores.kumo, store.region, `${store.prefix}${d.remoteKey}`, doc);
            seeded.push(`aws:${store.prefix}${d.remoteKey}`);
        } else if (store?.provider === "vault" && stores.vault) {
            await putVaultSecret(stores.vault, store.mount, `${store.path}/${d.remoteKey}`, JSON.parse(doc));
            seeded.push(`vault:${store.mount}/${store.path}/${d.remoteKey}`);
        }
    }
    return seeded;
}
