/**
 * The local environment: the real Pulumi CLI (built by `npm run toolchain`), a file backend and
 * a loopback Kubernetes control plane (toolchain/local-cluster.sh), all under one temporary
 * directory that `stop()` removes. The program runs unchanged from a workspace whose top-level
 * entries link to the repository; only its `Pulumi.<stack>.yaml` files are generated (the
 * shipped file with the local overlay, see overlay.ts, plus any test overrides).
 *
 * Used by `npm run local` (tools/local.ts) and the end-to-end tests (tests/e2e).
 */
import { SpawnSyncReturns, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { environmentFromStackName } from "../../config/environment";
import { ConfigMap, ROOT, mergeConfig, readConfigFile, stackFile } from "../offline/stackfile";
import { localConfig, withLocalVault } from "./overlay";
import { LocalStores, VaultEnvironment, configureVault, readLocalStores, resolvedConfig, seedStack } from "./stores";

export const TOOLCHAIN_DIR = process.env.PULUMI_TOOLCHAIN_DIR ?? path.join(os.homedir(), ".cache", "delivery-toolchain");

/** Everything the local environment runs, relative to the toolchain directory. */
const REQUIRED = [
    "bin/pulumi", "bin/pulumi-language-nodejs", "bin/etcd", "bin/kube-apiserver", "bin/kubectl",
    "bin/kube-controller-manager", "bin/kube-scheduler", "bin/kwok", "fixtures/kwok/stages-crd.yaml",
    "bin/external-secrets", "fixtures/external-secrets/crds.yaml", "bin/kumo",
];
/** Built when it compiles within the toolchain's budget; without it the Vault cases say so and fail. */
export const OPTIONAL = ["bin/vault"];

/** Top-level repository entries the workspace links to (everything the program reads). */
const WORKSPACE_LINKS = [
    "Pulumi.yaml", "main.js", "package.json", "tsconfig.json", "tsconfig.pulumi.json", "index.ts",
    "components", "config", "charts", "node_modules", "policy",
    // the fixture charts and values files the end-to-end suite deploys
    "tests",
];

export interface CommandResult {
    readonly command: string;
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

export class CommandError extends Error {
    constructor(readonly result: CommandResult) {
        super(`${result.command} exited ${result.code} after ${result.seconds.toFixed(1)} s\n${tail(result.stdout)}\n${tail(result.stderr)}`);
    }
}

function tail(text: string, lines = 40): string {
    return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** What is missing from the toolchain directory (empty when everything is built). */
/**
 * The file backend's URL. `metadata=skip`: the blob library behind the file backend keeps each
 * file's metadata in a sidecar (`<file>.attrs`) that it rewrites in place, so a stack reference
 * read while the engine saves that stack's checkpoint could find it half written ("failed to load
 * checkpoint: EOF") — and every update reads its own stack (the release record's history). The
 * checkpoint itself is replaced atomically; without the sidecar nothing is read half written.
 */
export function backendUrl(dir: string): string {
    return `file://${dir}?metadata=skip`;
}

export function missingToolchain(dir = TOOLCHAIN_DIR): string[] {
    return REQUIRED.filter((f) => !fs.existsSync(path.join(dir, f)));
}

export interface LocalOptions {
    /** Write command lines and their output as they finish. */
    readonly log?: (line: string) => void;
    /** Keep the temporary directory on stop (for debugging). */
    readonly keepState?: boolean;
}

export class LocalEnvironment {
    readonly root: string;
    readonly workspace: string;
    readonly home: string;
    readonly backend: string;
    readonly clusterState: string;
    readonly env: NodeJS.ProcessEnv;
    private kubeconfigPath = "";
    private stopped = false;
    private readonly log: (line: string) => void;

    private constructor(private readonly opts: LocalOptions) {
        this.log = opts.log ?? (() => undefined);
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-local-"));
        this.workspace = path.join(this.root, "workspace");
        this.home = path.join(this.root, "pulumi-home");
        this.backend = path.join(this.root, "state");
        this.clusterState = path.join(this.root, "cluster");
        for (const d of [this.workspace, this.home, this.backend]) {
            fs.mkdirSync(d, { recursive: true });
        }
        this.env = {
            ...process.env,
            PATH: `${path.join(TOOLCHAIN_DIR, "bin")}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_HOME: this.home,
            PULUMI_BACKEND_URL: backendUrl(this.backend),
            // A fresh passphrase per environment: it encrypts this run's state and is never shown.
            PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(18).toString("base64"),
            PULUMI_SKIP_UPDATE_CHECK: "1",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "1",
            PULUMI_SKIP_CONFIRMATIONS: "1",
            NO_COLOR: "1",
            PULUMI_TOOLCHAIN_DIR: TOOLCHAIN_DIR,
        };
        delete this.env.KUBECONFIG;
        delete this.env.PULUMI_ACCESS_TOKEN;
    }

    /** Starts the control plane, prepares the workspace and logs into the file backend. */
    static start(opts: LocalOptions = {}): LocalEnvironment {
        const missing = missingToolchain();
        if (missing.length > 0) {
            throw new Error(
                `the offline toolchain is not built (missing in ${TOOLCHAIN_DIR}: ${missing.join(", ")}); ` +
                "run `npm run toolchain` first (about 31 minutes on 2 cores the first time, seconds afterwards)");
        }
        const local = new LocalEnvironment(opts);
        try {
            local.startCluster();
            local.prepareWorkspace();
            local.run("bash", [path.join(ROOT, "toolchain", "build.sh"), "link-plugins", local.home]);
            local.pulumi(["login", backendUrl(local.backend)]);
        } catch (e) {
            local.stop();
            throw e;
        }
        return local;
    }

    get kubeconfig(): string {
        return this.kubeconfigPath;
    }

    private startCluster(): void {
        // One retry: a port chosen free can still be taken before the server binds it.
        let r = this.run("bash", [path.join(ROOT, "toolchain", "local-cluster.sh"), "start", this.clusterState], { allowFailure: true });
        if (r.code !== 0) {
            this.log(`local cluster did not start, retrying once:\n${tail(r.stderr, 5)}`);
            r = this.run("bash", [path.join(ROOT, "toolchain", "local-cluster.sh"), "start", this.clusterState]);
        }
        const last = r.stdout.trim().split("\n").pop() ?? "";
        if (!fs.existsSync(last)) {
            throw new Error(`local-cluster.sh start did not print a kubeconfig path:\n${tail(r.stderr)}`);
        }
        this.kubeconfigPath = last;
        this.env.KUBECONFIG = last;
    }

    private prepareWorkspace(): void {
        for (const entry of WORKSPACE_LINKS) {
            fs.symlinkSync(path.join(ROOT, entry), path.join(this.workspace, entry));
        }
    }

    /** kumo and Vault, as local-cluster.sh started them. */
    get stores(): LocalStores {
        return readLocalStores(this.clusterState);
    }

    /**
     * What the stores' owners do before the stacks deploy: Vault's side of each environment (the
     * existing-role mode) and every declared secret of each stack seeded with a fake value.
     */
    async prepareStores(stacks: readonly string[]): Promise<string[]> {
        const stores = this.stores;
        const seeded: string[] = [];
        if (stores.vault) {
            const ns = "vault-auth";
            this.kubectl(["create", "namespace", ns]);
            this.kubectl(["create", "serviceaccount", "vault-token-reviewer", "-n", ns]);
            this.kubectl(["create", "clusterrolebinding", "vault-token-reviewer", "--clusterrole", "system:auth-delegator", `--serviceaccount=${ns}:vault-token-reviewer`]);
            const reviewerJwt = this.kubectl(["create", "token", "vault-token-reviewer", "-n", ns, "--duration", "24h"]).stdout.trim();
            const host = (/server: (\S+)/.exec(fs.readFileSync(this.kubeconfigPath, "utf8")) ?? [])[1];
            const caCert = fs.readFileSync(path.join(this.clusterState, "pki", "ca.crt"), "utf8");
            for (const stack of stacks) {
                const cfg = resolvedConfig(stack, this.stackConfig(stack));
                const store = cfg.secrets.stores.find((s) => s.provider === "vault");
                if (store?.provider === "vault") {
                    await configureVault(stores.vault, { cfg, store } as VaultEnvironment, { host, caCert, reviewerJwt });
                }
            }
        }
        for (const stack of stacks) {
            seeded.push(...await seedStack(stores, resolvedConfig(stack, this.stackConfig(stack))));
        }
        return seeded;
    }

    /** Runs a command in the workspace with the environment's variables; throws unless `allowFailure`. */
    run(command: string, args: readonly string[], opts: { allowFailure?: boolean; timeoutSeconds?: number } = {}): CommandResult {
        const started = process.hrtime.bigint();
        const r: SpawnSyncReturns<string> = spawnSync(command, args, {
            cwd: this.workspace,
            env: this.env,
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
            timeout: (opts.timeoutSeconds ?? 900) * 1000,
        });
        const result: CommandResult = {
            command: [path.basename(command), ...args].join(" "),
            code: r.status ?? (r.signal ? 128 : 1),
            stdout: r.stdout ?? "",
            stderr: (r.stderr ?? "") + (r.error ? `\n${r.error.message}` : ""),
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
        };
        this.log(`$ ${result.command}  (exit ${result.code}, ${result.seconds.toFixed(1)} s)`);
        if (result.code !== 0 && !opts.allowFailure) {
            throw new CommandError(result);
        }
        return result;
    }

    readonly pulumiBinary = path.join(TOOLCHAIN_DIR, "bin", "pulumi");

    /** Writes the state passphrase to a mode-600 file (for `--keep`) and returns its path. */
    writePassphraseFile(): string {
        const file = path.join(this.root, "passphrase");
        fs.writeFileSync(file, this.env.PULUMI_CONFIG_PASSPHRASE ?? "", { mode: 0o600 });
        return file;
    }

    pulumi(args: readonly string[], opts: { allowFailure?: boolean } = {}): CommandResult {
        return this.run(this.pulumiBinary, [...args, "--non-interactive", ...(needsColorFlag(args) ? ["--color", "never"] : [])], opts);
    }

    kubectl(args: readonly string[], opts: { allowFailure?: boolean } = {}): CommandResult {
        return this.run(path.join(TOOLCHAIN_DIR, "bin", "kubectl"), ["--kubeconfig", this.kubeconfigPath, ...args], opts);
    }

    /** A JSON document from kubectl (`-o json` is added). */
    kubectlJson<T = any>(args: readonly string[]): T {
        return JSON.parse(this.kubectl([...args, "-o", "json"]).stdout) as T;
    }

    /** Replaces the workspace's `Pulumi.yaml` (a link to the repository's) with `text`. */
    setProjectFile(text: string): void {
        const file = path.join(this.workspace, "Pulumi.yaml");
        fs.rmSync(file, { force: true });
        fs.writeFileSync(file, text);
    }

    /**
     * Creates the stack in the file backend (once). The workspace's stacks share one passphrase
     * salt: the first stack's is written into the next stack's file before `stack init`, which
     * keeps a salt it finds there. A stack reading another's outputs (its StackReferences) then
     * reuses the key it derived for itself instead of deriving the other stack's (PBKDF2 with
     * 1,000,000 rounds: about 0.3 s per upstream stack on every preview and update).
     */
    initStack(stack: string): void {
        if (this.stackExists(stack)) {
            return;
        }
        const file = path.join(this.workspace, `Pulumi.${stack}.yaml`);
        const salt = this.sharedSalt();
        if (salt !== undefined && !fs.existsSync(file)) {
            fs.writeFileSync(file, stringifyYaml({ encryptionsalt: salt }));
        }
        this.pulumi(["stack", "init", stack]);
    }

    /** The passphrase salt of the workspace's stacks, once one exists. */
    sharedSalt(): string | undefined {
        for (const f of fs.readdirSync(this.workspace).filter((n) => /^Pulumi\..+\.yaml$/.test(n)).sort()) {
            const doc = parseYaml(fs.readFileSync(path.join(this.workspace, f), "utf8")) as { encryptionsalt?: unknown } | null;
            if (typeof doc?.encryptionsalt === "string") {
                return doc.encryptionsalt;
            }
        }
        return undefined;
    }

    stackExists(stack: string): boolean {
        const r = this.pulumi(["stack", "ls", "--json"]);
        return (JSON.parse(r.stdout) as { name: string }[]).some((s) => s.name === stack || s.name.endsWith(`/${stack}`));
    }

    /** The config the stack runs with locally: shipped file, local overlay, then `overrides`. */
    stackConfig(stack: string, ...overrides: ConfigMap[]): ConfigMap {
        const shipped = readConfigFile(stackFile(stack));
        const vault = this.stores.vault;
        const environment = environmentFromStackName(stack);
        const base = localConfig(stack, shipped, this.kubeconfigPath);
        const platform = vault && environment ? withLocalVault(base, stack, environment, vault) : base;
        return overrides.reduce((acc, o) => mergeConfig(acc, o), platform);
    }

    /** Writes `Pulumi.<stack>.yaml` in the workspace, keeping the encryption salt `stack init` wrote. */
    writeStack(stack: string, config: ConfigMap): void {
        const file = path.join(this.workspace, `Pulumi.${stack}.yaml`);
        const existing = fs.existsSync(file) ? (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, unknown> : {};
        const doc = { ...(existing.encryptionsalt !== undefined ? { encryptionsalt: existing.encryptionsalt } : {}), config };
        fs.writeFileSync(file, stringifyYaml(doc));
    }

    /** Stack outputs (secrets shown: only for assertions, never printed). */
    outputs(stack: string): Record<string, any> {
        return JSON.parse(this.pulumi(["stack", "output", "--json", "--show-secrets", "-s", stack]).stdout);
    }

    /** Resources in the stack's state, by type. */
    resourceTypes(stack: string): string[] {
        const state = JSON.parse(this.pulumi(["stack", "export", "-s", stack]).stdout);
        return ((state.deployment?.resources ?? []) as { type: string }[]).map((r) => r.type);
    }

    stop(): void {
        if (this.stopped) {
            return;
        }
        this.stopped = true;
        if (this.kubeconfigPath !== "" || fs.existsSync(path.join(this.clusterState, "etcd.pid"))) {
            spawnSync("bash", [path.join(ROOT, "toolchain", "local-cluster.sh"), "stop", this.clusterState], {
                env: { ...this.env, KEEP_CLUSTER_STATE: this.opts.keepState ? "1" : "" }, encoding: "utf8",
            });
        }
        if (!this.opts.keepState) {
            fs.rmSync(this.root, { recursive: true, force: true });
        }
    }
}

/** The commands that print progress, where `--color never` keeps the captured output plain. */
function needsColorFlag(args: readonly string[]): boolean {
    return ["up", "preview", "destroy", "refresh"].includes(args[0]);
}
