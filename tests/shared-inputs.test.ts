/**
 * policy/shared-inputs.js: the pack's process deserializes each resource's inputs once for all
 * policies instead of once per policy. The pack is started as the language host starts it
 * (`run-policy-pack`, in policy/) and asked over gRPC, as the engine asks it, to analyze the
 * policy specs' fixtures — with sharing (as shipped) and without (DELIVERY_POLICY_SHARED_INPUTS=0):
 * the same diagnostics, far fewer deserializations. The offline check hands policies the same
 * read-only view (tools/offline/policy-check.ts), so every policy spec runs on shared inputs too.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { unknownCheckingProxy } from "@pulumi/policy";
import { CheckResource } from "../tools/offline/policy-check";
import { eks } from "./policy/fixtures/clusters";
import { POD_LABELS, defaultDeny, deployment, deploymentInputs, namespace, pdb, quota, record, secretStore } from "./policy/fixtures/kubernetes";

const ROOT = path.resolve(__dirname, "..");
const PACK = path.join(ROOT, "policy");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { shareDeserializedInputs } = require("../policy/shared-inputs") as { shareDeserializedInputs: (dir: string) => boolean };

/**
 * Preloaded into the pack's process: counts the analyzer's real deserializations (the function
 * shared-inputs.js wraps), one line on stderr each.
 */
const COUNTER = `const Module = require("module");
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const m = load.apply(this, arguments);
  if (/[\\\\/]@pulumi[\\\\/]policy[\\\\/]deserialize(\\.js)?$/.test(Module._resolveFilename(request, parent, isMain)) && !m.counted) {
    const real = m.deserializeProperties;
    m.deserializeProperties = function () { process.stderr.write("deserialized\\n"); return real.apply(this, arguments); };
    m.counted = true;
  }
  return m;
};`;

interface Pack {
    readonly client: any;
    readonly process: ChildProcess;
    readonly deserializations: () => number;
}

function startPack(env: NodeJS.ProcessEnv): Promise<Pack> {
    const preload = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "delivery-pack-")), "count.js");
    fs.writeFileSync(preload, COUNTER);
    const runner = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    const p = spawn(process.execPath, ["-r", preload, runner, "127.0.0.1:1", PACK], { cwd: PACK, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    p.stderr!.on("data", (d) => (stderr += String(d)));
    return new Promise((resolve, reject) => {
        p.once("exit", (code) => reject(new Error(`the pack exited ${code}: ${stderr.slice(0, 400)}`)));
        p.stdout!.once("data", (d) => {
            const port = String(d).trim();
            const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            resolve({ client, process: p, deserializations: () => stderr.split("\n").filter((l) => l === "deserialized").length });
        });
    });
}

function call<T>(client: any, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

/** One resource as the engine sends it (Analyze and AnalyzeStack carry the same fields). */
function asSent<T>(req: T & Record<string, (v: unknown) => void>, r: CheckResource): T {
    req.setType(r.type);
    req.setUrn(r.urn);
    req.setName(r.name);
    req.setProperties(Struct.fromJavaScript(r.inputs as Record<string, any>));
    const opts = new analyzerPb.AnalyzerResourceOptions();
    opts.setProtect(r.protect === true);
    req.setOptions(opts);
    return req;
}

/** Every diagnostic of one response as `policy: message`, sorted. */
function diagnostics(res: any): string[] {
    return res.getDiagnosticsList().map((d: any) => `${d.getPolicyname()}: ${d.getMessage()}`).sort();
}

const unsafe = deploymentInputs();
unsafe.spec.replicas = 1;
unsafe.spec.template.spec.hostNetwork = true;
unsafe.spec.template.spec.containers[0].image = "nginx:latest";
unsafe.spec.template.spec.containers[0].securityContext = { privileged: true, runAsUser: 0 };
const RESOURCES: CheckResource[] = [eks(), namespace(), quota(), defaultDeny(), secretStore(), pdb(), deployment(), deployment(unsafe, {}), record()];

async function analyzeAll(env: NodeJS.ProcessEnv): Promise<{ perResource: string[][]; stack: string[]; deserializations: number }> {
    const pack = await startPack(env);
    try {
        const perResource: string[][] = [];
        for (const r of RESOURCES) {
            perResource.push(diagnostics(await call(pack.client, "analyze", asSent(new analyzerPb.AnalyzeRequest(), r))));
        }
        const stackReq = new analyzerPb.AnalyzeStackRequest();
        stackReq.setResourcesList(RESOURCES.map((r) => asSent(new analyzerPb.AnalyzerResource(), r)));
        const stack = diagnostics(await call(pack.client, "analyzeStack", stackReq));
        return { perResource, stack, deserializations: pack.deserializations() };
    } finally {
        pack.client.close();
        pack.process.kill();
    }
}

describe("policy pack: each resource's inputs deserialized once for all policies (policy/shared-inputs.js)", function () {
    this.timeout(120_000);

    it("reports exactly the same on the real analyzer, with far fewer deserializations", async () => {
        const shared = await analyzeAll({ DELIVERY_POLICY_SHARED_INPUTS: "" });
        const perPolicy = await analyzeAll({ DELIVERY_POLICY_SHARED_INPUTS: "0" });
        assert.deepEqual(shared.perResource, perPolicy.perResource);
        assert.deepEqual(shared.stack, perPolicy.stack);
        // The fixtures can fail: the unsafe Deployment is reported by the policies that guard it.
        const unsafeReport = shared.perResource[RESOURCES.length - 2].join("\n");
        for (const policy of ["workload-privileged", "workload-host-namespaces", "workload-image-pinned", "workload-run-as-non-root"]) {
            assert.ok(unsafeReport.includes(`${policy}: `), `${policy} missing from:\n${unsafeReport}`);
        }
        // Once per resource for Analyze, once per resource for AnalyzeStack.
        assert.ok(shared.deserializations <= 2 * RESOURCES.length, `shared: ${shared.deserializations} deserializations`);
        assert.ok(perPolicy.deserializations > 10 * shared.deserializations, `per policy: ${perPolicy.deserializations}, shared: ${shared.deserializations}`);
        const pkg = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8"));
        assert.ok(pkg.files.includes("shared-inputs.js"), "the published pack ships shared-inputs.js");
    });

    it("hands out read-only inputs, keeps unknowns unknown, and leaves remediation alone", () => {
        // The installed @pulumi/policy's own module, wrapped in this process (restored after).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require("@pulumi/policy/deserialize");
        const original = mod.deserializeProperties;
        try {
            assert.equal(shareDeserializedInputs(ROOT), true);
            assert.equal(shareDeserializedInputs(ROOT), false, "installed twice");
            const inputs = { metadata: { labels: POD_LABELS }, spec: { replicas: 3, host: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } };
            const struct = Struct.fromJavaScript(inputs);
            const first = mod.deserializeProperties(struct, false);
            assert.equal(mod.deserializeProperties(struct, false), first, "a second policy gets the first one's result");
            assert.deepEqual(JSON.parse(JSON.stringify(first)), JSON.parse(JSON.stringify(original(struct, false))));
            assert.throws(() => { first.spec.replicas = 1; }, /policy inputs are shared by every policy of the pack and cannot be changed \(spec\.replicas\)/);
            assert.throws(() => { delete first.metadata.labels; }, /\(metadata\.labels\)/);
            assert.equal(first.spec.replicas, 3);
            assert.throws(() => unknownCheckingProxy(first).spec.host, /string value at \.spec\.host can't be known during preview/);
            const remediation = mod.deserializeProperties(struct, true);
            assert.notEqual(remediation, mod.deserializeProperties(struct, true), "remediation inputs are the policy's own");
            remediation.spec.replicas = 5;
            assert.equal(first.spec.replicas, 3);
        } finally {
            mod.deserializeProperties = original;
        }
    });
});
