/**
 * `npm run local`: the program for real, offline. Starts a loopback Kubernetes control plane,
 * logs the real Pulumi CLI into a file backend, and runs `pulumi up` for dev, then staging
 * (which takes dev's release through its StackReference), then prod (which takes staging's),
 * each with the policy pack at its stack's enforcement levels. Prints what each stack runs and
 * what the API server holds, then stops the cluster and deletes everything it made.
 *
 *   npm run local                      dev → staging → prod, then stop
 *   npm run local -- --stacks dev      only some stacks (in the order given)
 *   npm run local -- --destroy         also `pulumi destroy` every stack before stopping
 *   npm run local -- --keep            leave the cluster and state running; prints how to use them
 *
 * Exit codes: 0 deployed; 1 a command failed (its output is shown); 2 bad usage or no toolchain.
 */
import * as path from "path";
import { policyConfigFile } from "./offline/policy-config";
import { ROOT } from "./offline/stackfile";
import { CommandError, LocalEnvironment } from "./local/environment";

const STACKS = ["dev", "staging", "prod"];

interface Args { stacks: string[]; destroy: boolean; keep: boolean }

function parseArgs(argv: string[]): Args {
    const args: Args = { stacks: STACKS, destroy: false, keep: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--destroy") {
            args.destroy = true;
        } else if (a === "--keep") {
            args.keep = true;
        } else if (a === "--stacks" && argv[i + 1] !== undefined) {
            args.stacks = argv[++i].split(",").map((s) => s.trim()).filter((s) => s !== "");
            const unknown = args.stacks.filter((s) => !STACKS.includes(s));
            if (unknown.length > 0) {
                throw new UsageError(`unknown stack(s) ${unknown.join(", ")}; the project ships ${STACKS.join(", ")}`);
            }
        } else {
            throw new UsageError(`unknown argument ${a}; usage: npm run local -- [--stacks dev,staging,prod] [--destroy] [--keep]`);
        }
    }
    return args;
}

class UsageError extends Error {}

async function main(): Promise<number> {
    let args: Args;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    const log = (line: string) => console.log(`  ${line}`);
    let local: LocalEnvironment;
    const started = Date.now();
    try {
        console.log("Starting the local platform (control plane, kwok nodes, External Secrets controller, kumo on 127.0.0.1)…");
        local = LocalEnvironment.start({ log, keepState: args.keep });
    } catch (e) {
        console.error(`local environment: ${(e as Error).message}`);
        return e instanceof CommandError ? 1 : 2;
    }
    const stopOnSignal = () => { local.stop(); process.exit(130); };
    process.once("SIGINT", stopOnSignal);
    process.once("SIGTERM", stopOnSignal);
    try {
        console.log(`  kubeconfig ${local.kubeconfig}; backend ${local.env.PULUMI_BACKEND_URL}`);
        const seeded = await local.prepareStores(args.stacks);
        console.log(`  seeded ${seeded.length} secrets with fake values: ${seeded.join(", ")}${local.stores.vault ? "" : " (Vault is not built: AWS stores only)"}`);
        for (const stack of args.stacks) {
            const policyConfig = policyConfigFile(stack);
            console.log(`\n== pulumi up -s ${stack} (policy pack: ${path.relative(ROOT, policyConfig)})`);
            local.initStack(stack);
            local.writeStack(stack, local.stackConfig(stack));
            const up = local.pulumi(["up", "--yes", "-s", stack, "--policy-pack", path.join(ROOT, "policy"),
                "--policy-pack-config", policyConfig]);
            process.stdout.write(summary(up.stdout));
            const out = local.outputs(stack);
            console.log(`  ${stack}: ${out.environment} runs ${out.release?.version} (image ${out.image}), namespace ${out.namespace}, ` +
                `release source: ${out.promotion?.source}${out.promotion?.upstreamStack ? ` (${out.promotion.upstreamStack})` : ""}`);
        }
        waitForSecrets(local);
        console.log("\n== kubectl: what the API server holds");
        const kinds = "namespaces,resourcequotas,limitranges,networkpolicies,secretstores.external-secrets.io,externalsecrets.external-secrets.io,configmaps";
        console.log(local.kubectl(["get", kinds, "-A", "-l", "delivery.example.com/stack"]).stdout);
        console.log("== kubectl: the chart's objects (rendered by helm.v4.Chart, each applied by Pulumi) and their pods on the kwok nodes");
        console.log(local.kubectl(["get", "deployments,pods,services,horizontalpodautoscalers,poddisruptionbudgets,ingresses", "-A",
            "-l", "app.kubernetes.io/managed-by=Helm", "-o", "wide"]).stdout);
        console.log("== kubectl: the Secrets the External Secrets controller wrote (names and key counts only)");
        console.log(local.kubectl(["get", "secrets", "-A", "--field-selector", "type=Opaque"]).stdout);
        if (args.destroy) {
            for (const stack of [...args.stacks].reverse()) {
                console.log(`\n== pulumi destroy -s ${stack}`);
                process.stdout.write(summary(local.pulumi(["destroy", "--yes", "-s", stack]).stdout));
            }
        }
        console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
        if (args.keep) {
            console.log("The cluster and state are kept. To use them (the passphrase file is mode 600):\n" +
                `  cd ${local.workspace}\n  export KUBECONFIG=${local.kubeconfig} PULUMI_HOME=${local.home} ` +
                `PULUMI_BACKEND_URL=${local.env.PULUMI_BACKEND_URL} PULUMI_CONFIG_PASSPHRASE_FILE=${local.writePassphraseFile()}\n` +
                `  export PATH=${path.dirname(local.pulumiBinary)}:$PATH\n  stop with: bash toolchain/local-cluster.sh stop ${local.clusterState}`);
        }
        return 0;
    } catch (e) {
        console.error(`\n${(e as Error).message}`);
        return 1;
    } finally {
        if (!args.keep) {
            local.stop();
        }
    }
}

/**
 * Waits up to a minute for every ExternalSecret to be Ready and every autoscaled Deployment to
 * reach its autoscaler's minimum (the autoscaler raises a new Deployment to it within a sync
 * period); the listing shows whatever is still not there.
 */
function waitForSecrets(local: LocalEnvironment): void {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
        const items = local.kubectlJson(["get", "externalsecrets.external-secrets.io", "-A"]).items as { status?: { conditions?: { type: string; status: string }[] } }[];
        const hpas = local.kubectlJson(["get", "horizontalpodautoscalers", "-A"]).items as { spec: { minReplicas?: number }; status?: { currentReplicas?: number } }[];
        const deployments = local.kubectlJson(["get", "deployments", "-A"]).items as { spec: { replicas?: number }; status?: { readyReplicas?: number } }[];
        if (items.every((e) => e.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) &&
            hpas.every((h) => (h.status?.currentReplicas ?? 0) >= (h.spec.minReplicas ?? 1)) &&
            deployments.every((d) => (d.status?.readyReplicas ?? 0) === (d.spec.replicas ?? 1))) {
            return;
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
}

/** The resource lines and summary of a `pulumi up`/`destroy` (its diagnostics stay in). */
function summary(stdout: string): string {
    return stdout.split("\n").filter((l) => l.trim() !== "").map((l) => `    ${l}\n`).join("");
}

main().then((code) => { process.exitCode = code; });
