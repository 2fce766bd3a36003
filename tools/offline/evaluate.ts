/**
 * Runs the program for one stack under Pulumi's mock runtime and records every resource it
 * registers (type, name, inputs, parent, protect, provider) and its stack outputs. Both the
 * offline plan and the test suite use this; nothing here knows what the program builds.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ConfigMap, ROOT, mergeConfig, projectValues, readConfigFile, readProject, stackFile, toProgramConfig } from "./stackfile";
import { UpstreamOutputs, createMocks } from "./mocks";
import { DEFAULT_KUBERNETES_VERSION, chartSchemaIssues, parseConfig } from "../../config/parse";
import { ConfigValidationError } from "../../config/reader";
import { readChartDir, readPath } from "../../config/values";
import { isLiteralSecretValue, isSecretName, secretShape } from "../../policy/lib/secrets";
import { HELM_CHART_V4, RenderError, RenderedObject, childName, pullChart, renderChart, servedApiVersions, typeToken } from "./render";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const ORGANIZATION = "organization";

export interface RegisteredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent ("" for the stack itself). */
    readonly parent: string;
    readonly custom: boolean;
    /** Read, not registered (StackReferences, `get` functions): the engine's policies never see these. */
    readonly read: boolean;
    readonly protect: boolean;
    /** Provider reference (`<urn>::<id>`), "" for the default provider. */
    readonly provider: string;
    /** Inputs with secrets unwrapped (never print these; use `display`). */
    readonly inputs: Record<string, any>;
    /** Inputs with secret values replaced by "[secret]". */
    readonly display: Record<string, any>;
    /** An object a chart rendered (a child of a `helm.v4.Chart`), added by rendering the chart here. */
    readonly rendered?: boolean;
    /** URNs this resource waits for (dependsOn and input dependencies). */
    readonly dependencies?: readonly string[];
    /** Resource options that decide how a change is applied. */
    readonly deleteBeforeReplace?: boolean;
    readonly replaceOnChanges?: readonly string[];
    /** Tokens of the transforms registered with it (the engine applies them to a component's children). */
    readonly transforms?: readonly string[];
}

export interface Evaluation {
    readonly project: string;
    readonly stack: string;
    readonly resources: RegisteredResource[];
    /** Stack outputs with secrets unwrapped. */
    readonly outputs: Record<string, unknown>;
    readonly secretOutputNames: string[];
}

function isSecretWrapper(v: any): boolean {
    return v !== null && typeof v === "object" && v[SECRET_SIG_KEY] === SECRET_SIG;
}

function transform(v: any, secret: (inner: any) => any): any {
    if (isSecretWrapper(v)) {
        return secret(transform(v.value, secret));
    }
    if (Array.isArray(v)) {
        return v.map((x) => transform(x, secret));
    }
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, transform(x, secret)]));
    }
    return v;
}

export const plain = (v: any) => transform(v, (inner) => inner);
export const redact = (v: any) => transform(v, () => "[secret]");

/** Lets pending registrations finish: done when nothing new arrived for a few turns. */
async function settle(count: () => number): Promise<void> {
    let last = -1;
    let quiet = 0;
    while (quiet < 5) {
        await new Promise((r) => setTimeout(r, 2));
        const now = count();
        quiet = now === last ? quiet + 1 : 0;
        last = now;
    }
}

export interface EvaluateOptions {
    readonly stack: string;
    /** The stack's config map (as in a stack file, after overrides). */
    readonly config: ConfigMap;
    /** Outputs of the stacks this one references, by reference name. */
    readonly upstream?: UpstreamOutputs;
    /** This stack's own outputs from a previous update (its history); none by default. */
    readonly previous?: Record<string, unknown>;
    readonly root?: string;
    /** The module that exports the program, relative to `root`: its sources by default; main.js is the build Pulumi runs. */
    readonly entry?: string;
}

let running = false;

export async function evaluateProgram(opts: EvaluateOptions): Promise<Evaluation> {
    if (running) {
        throw new Error("evaluations share the Pulumi runtime and must run one at a time");
    }
    running = true;
    try {
        return await evaluateOnce(opts);
    } finally {
        running = false;
    }
}

async function evaluateOnce(opts: EvaluateOptions): Promise<Evaluation> {
    const root = opts.root ?? ROOT;
    const project = readProject(root);
    const programConfig = toProgramConfig(project.name, project.defaults, opts.config);
    // The stack reads its own previous outputs (its promotion history); offline it has none unless given.
    const upstream = { [`${ORGANIZATION}/${project.name}/${opts.stack}`]: opts.previous ?? {}, ...(opts.upstream ?? {}) };

    await pulumi.runtime.setMocks(createMocks(upstream), project.name, opts.stack, false, ORGANIZATION);
    pulumi.runtime.setAllConfig(programConfig.values, programConfig.secretKeys);

    const resources: RegisteredResource[] = [];
    const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): any };
    const monitor = settings.getMonitor();
    for (const method of ["registerResource", "readResource"] as const) {
        const original = monitor[method].bind(monitor);
        monitor[method] = (req: any, callback: (err: any, res: any) => void) =>
            original(req, (err: any, res: any) => {
                if (!err) {
                    const inputs = pulumi.runtime.deserializeProperties(method === "registerResource" ? req.getObject() : req.getProperties());
                    resources.push({
                        urn: res.getUrn(),
                        type: req.getType(),
                        name: req.getName(),
                        parent: req.getParent(),
                        custom: method === "readResource" ? true : req.getCustom(),
                        read: method === "readResource",
                        protect: method === "registerResource" ? req.getProtect() === true : false,
                        provider: req.getProvider(),
                        inputs: plain(inputs),
                        display: redactForDisplay(redact(inputs), req.getType() === "kubernetes:core/v1:Secret" ? "Secret" : undefined),
                        ...(method === "registerResource" ? {
                            dependencies: req.getDependenciesList() as string[],
                            deleteBeforeReplace: req.getDeletebeforereplace() === true,
                            replaceOnChanges: req.getReplaceonchangesList() as string[],
                            transforms: (req.getTransformsList() as { getToken(): string }[]).map((t) => t.getToken()),
                        } : {}),
                    });
                }
                callback(err, res);
            });
    }

    // The program is the function index.ts exports; each call reads the config set above.
    const program = require(path.join(root, opts.entry ?? "index.ts")) as () => Promise<Record<string, unknown>>;
    let raw: Record<string, unknown> = {};
    // Like the language host, a rejection nobody handles (an error thrown inside an apply) ends
    // the run with that error instead of leaving it waiting on outputs that never resolve.
    let onRejection: (reason: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
        onRejection = reject;
    });
    process.on("unhandledRejection", onRejection);
    // The SDK records a stack trace for every resource and promise (source positions, leak
    // reports); under ts-node each is also source-mapped. That was most of an evaluation's time,
    // and neither is used offline, so traces stay short and unmapped while the program runs.
    const { prepareStackTrace, stackTraceLimit } = Error;
    Reflect.deleteProperty(Error, "prepareStackTrace");
    Error.stackTraceLimit = 1;
    // The program function itself (it awaits its cluster's registration before building the rest).
    let programReturned: Promise<unknown> = Promise.resolve();
    try {
        await Promise.race([
            (async () => {
                await pulumi.runtime.runInPulumiStack(async () => {
                    const run = program();
                    programReturned = run.catch(() => undefined);
                    raw = await run;
                    return raw;
                });
                await settle(() => resources.length);
            })(),
            failed,
        ]);
    } catch (e) {
        Object.assign(Error, { prepareStackTrace, stackTraceLimit });
        // A failed run can leave more rejections in flight; absorb them here so they do not
        // surface in the next evaluation.
        process.off("unhandledRejection", onRejection);
        const absorb = () => undefined;
        process.on("unhandledRejection", absorb);
        // A run that failed early can find its program still building: let it finish (bounded)
        // so none of its registrations land in the next evaluation.
        await Promise.race([programReturned, new Promise((r) => setTimeout(r, 5000))]);
        await new Promise((r) => setTimeout(r, 50));
        process.off("unhandledRejection", absorb);
        throw e;
    }
    Object.assign(Error, { prepareStackTrace, stackTraceLimit });
    process.off("unhandledRejection", onRejection);
    const clusterCfg = opts.config[`${project.name}:cluster`] as { version?: unknown } | undefined;
    await addRenderedObjects(resources, root, typeof clusterCfg?.version === "string" ? clusterCfg.version : DEFAULT_KUBERNETES_VERSION,
        appChartCheck(project.name, opts.stack, programConfig, root), { project: project.name, stack: opts.stack });

    const outputs: Record<string, unknown> = {};
    const secretOutputNames: string[] = [];
    for (const [k, v] of Object.entries(raw)) {
        if (v === undefined) {
            continue;
        }
        const o = pulumi.output(v) as any;
        if (await o.isSecret) {
            secretOutputNames.push(k);
        }
        outputs[k] = await o.promise();
    }
    return { project: project.name, stack: opts.stack, resources, outputs, secretOutputNames };
}

/**
 * What a reviewer may see of a resource's inputs: Pulumi secrets are already "[secret]"; on top,
 * every literal that looks like a secret — under a secret-looking key (`password`, `DB_PASS`,
 * `apiKey`…), as the value of a secret-looking env var, or shaped like one (an access key, a URL
 * with a password) — and all of a Secret's data. Plan text and --json print only this.
 */
export function redactForDisplay(v: any, kind?: string): any {
    const hide = (key: string, x: unknown) =>
        (typeof x === "string" || typeof x === "number") && (isSecretName(key) ? isLiteralSecretValue(String(x)) : typeof x === "string" && secretShape(x) !== undefined);
    const walk = (x: any): any => {
        if (Array.isArray(x)) {
            return x.map(walk);
        }
        if (x === null || typeof x !== "object") {
            return typeof x === "string" && secretShape(x) ? "[secret]" : x;
        }
        const out: Record<string, any> = {};
        const pairName = typeof x.name === "string" && ("value" in x) ? x.name : undefined;
        for (const [k, val] of Object.entries(x)) {
            if (k === "value" && pairName !== undefined && hide(pairName, val)) {
                out[k] = "[secret]";
            } else if (hide(k, val)) {
                out[k] = "[secret]";
            } else {
                out[k] = walk(val);
            }
        }
        return out;
    };
    const copy = walk(v);
    if (kind === "Secret") {
        for (const k of ["data", "stringData"]) {
            if (copy[k] && typeof copy[k] === "object") {
                copy[k] = Object.fromEntries(Object.keys(copy[k]).map((x) => [x, "[secret]"]));
            }
        }
    }
    return copy;
}

/**
 * Under the mock runtime `helm.v4.Chart` registers no children; render each chart with helm and
 * add its objects as the Chart's children, named and typed as the provider names them.
 */
interface ChartCheck {
    /** The Chart is the app's, from a repository or registry. */
    wants(chart: RegisteredResource): boolean;
    check(chart: RegisteredResource, dir: string): void;
}

// The SDK's own modules the engine's side of a transform call needs (loaded once, with the SDK).
const resproto = require("@pulumi/pulumi/proto/resource_pb");
const gstruct = require("google-protobuf/google/protobuf/struct_pb");
const rpc = require("@pulumi/pulumi/runtime/rpc") as { serializeProperties(label: string, p: unknown): Promise<any>; deserializeProperties(s: unknown): any };
type SdkSettings = { getCallbacks(): { _callbacks: Map<string, (bytes: Uint8Array) => Promise<any>> } | undefined };

/**
 * Runs the program's transforms registered on `parent` over one object it renders, as the engine
 * does for a remote component's children: through the SDK's callback server, with the same request.
 */
async function applyTransforms(parent: RegisteredResource, type: string, name: string, props: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!parent.transforms?.length) {
        return props;
    }
    const callbacks = (require("@pulumi/pulumi/runtime/settings") as SdkSettings).getCallbacks();
    let current = props;
    for (const token of parent.transforms) {
        const cb = callbacks?._callbacks.get(token);
        if (!cb) {
            throw new Error(`the transform registered on ${parent.name} is gone (callback ${token})`);
        }
        const req = new resproto.TransformRequest();
        req.setType(type);
        req.setName(name);
        req.setCustom(true);
        req.setParent(parent.urn);
        req.setProperties(gstruct.Struct.fromJavaScript(await rpc.serializeProperties("transform", current)));
        req.setOptions(new resproto.TransformResourceOptions());
        const res = await cb(req.serializeBinary());
        const out = res.getProperties();
        current = out === undefined ? current : plain(rpc.deserializeProperties(out));
    }
    return current;
}

/** The strings of `inputs` that `display` shows as "[secret]" (Pulumi secrets, secret-looking values). */
function hiddenStrings(inputs: unknown, display: unknown, out: string[] = []): string[] {
    if (display === "[secret]" && (typeof inputs === "string" || typeof inputs === "number") && String(inputs) !== "") {
        out.push(String(inputs));
    } else if (inputs !== null && display !== null && typeof inputs === "object" && typeof display === "object") {
        for (const [k, v] of Object.entries(inputs as Record<string, unknown>)) {
            hiddenStrings(v, (display as Record<string, unknown>)[k], out);
        }
    }
    return out;
}

/**
 * A chart that does not render (a template's `required` or `fail`, a value of the wrong shape) or
 * renders what the provider refuses is the stack's configuration problem: the message names the
 * stack and the keys that choose the chart and its values, and echoes no secret-looking value,
 * whether it came from the stack or from the chart's own defaults.
 */
export function chartRenderProblem(e: RenderError, chart: RegisteredResource, where: { project: string; stack: string }): RenderError {
    let text = e.message;
    for (const s of hiddenStrings(chart.inputs.values, chart.display.values).sort((a, b) => b.length - a.length)) {
        text = text.split(s).join("[secret]");
    }
    text = text.replace(/[^\s"'()]+/g, (w) => (secretShape(w) ? "[secret]" : w));
    const p = where.project;
    // A template that stops on the values (its `required` or `fail`, a nil value, the chart's
    // values.schema.json) points at the values; the rest (a library chart, a missing dependency,
    // an object the provider refuses) at the chart.
    const helmFailed = /execution error at \(|Error: template: |values don't meet the specifications of the schema/.test(text);
    const key = helmFailed ? `${p}:values` : `${p}:chart`;
    const fix = helmFailed ? `the value the chart's message names, in ${p}:values or ${p}:valuesFiles (or another chart in ${p}:chart)`
        : `an application chart that renders on its own: dependencies in its charts/, objects with kind, apiVersion and a name of their own (${p}:chart)`;
    return new RenderError(
        `Invalid configuration for stack "${where.stack}" (1 problem); nothing was deployed:\n` +
        `  - ${key}: ${text.split("\n").join("\n    ")}\n      e.g. ${fix}\n` +
        `Fix the values in Pulumi.${where.stack.split("/").pop()}.yaml (or with \`pulumi config set --path\`).`);
}

async function addRenderedObjects(resources: RegisteredResource[], root: string, kubeVersion: string, check: ChartCheck | undefined,
    where: { project: string; stack: string }): Promise<void> {
    // What the program registers besides the charts' objects: the cluster serves those APIs.
    const served = servedApiVersions(resources.filter((r) => r.custom && !r.read).map((r) => r.type));
    for (const chart of resources.filter((r) => r.type === HELM_CHART_V4)) {
        const i = chart.inputs;
        const input = {
            name: String(i.name ?? chart.name),
            namespace: String(i.namespace ?? "default"),
            chart: String(i.chart),
            version: typeof i.version === "string" ? i.version : undefined,
            repositoryOpts: i.repositoryOpts,
            values: i.values ?? {},
            skipCrds: i.skipCrds === true,
            kubeVersion,
            apiVersions: served,
        };
        // The app's repository or OCI chart is pulled first: its values.schema.json (if it ships
        // one) judges the stack's values in the program's format, before Helm's own check would.
        let objects: RenderedObject[];
        try {
            if (check?.wants(chart)) {
                check.check(chart, pullChart(input, root));
            }
            objects = renderChart(input, root);
        } catch (e) {
            throw e instanceof RenderError && e.origin === "chart" ? chartRenderProblem(e, chart, where) : e;
        }
        const prefix = typeof i.resourcePrefix === "string" ? i.resourcePrefix : chart.name;
        const head = chart.urn.slice(0, chart.urn.lastIndexOf("::"));
        for (const rendered of objects) {
            const type = typeToken(rendered.apiVersion, rendered.kind);
            const name = childName(prefix, rendered);
            const urn = `${head}$${type}::${name}`;
            // What the engine registers: the object after the program's transforms.
            const o = await applyTransforms(chart, type, name, rendered as unknown as Record<string, unknown>) as unknown as RenderedObject;
            resources.push({
                urn, type, name, parent: chart.urn, custom: true, read: false, protect: chart.protect, provider: chart.provider,
                inputs: o as unknown as Record<string, any>, display: redactForDisplay(o, o.kind), rendered: true,
            });
        }
    }
}

/**
 * For the app's chart (the Chart the release registers, named after the app): checks the stack's
 * values against the pulled chart's values.schema.json and throws the configuration error the
 * program throws for a chart directory's.
 */
function appChartCheck(projectName: string, stack: string, program: ReturnType<typeof toProgramConfig>, root: string): ChartCheck {
    // The program ran with this config, so it parses; parsed once, on the first chart.
    let parsed: ReturnType<typeof parseConfig> | undefined;
    const config = () => {
        const { values, secretKeys } = projectValues(program);
        return (parsed ??= parseConfig({ project: projectName, stack, values, secretKeys, root }));
    };
    const wants = (chart: RegisteredResource) => {
        // A chart directory was checked at start-up: no need to parse the config again for it.
        if (/^(\.{1,2}\/|\/)/.test(String(chart.inputs.chart))) {
            return false;
        }
        const c = config().chart;
        return c.kind !== "path" && chart.inputs.chart === (c.kind === "oci" ? `${c.repository}/${c.name}` : c.name) && chart.inputs.version === c.version;
    };
    return { wants, check: (chart, dir) => {
        const cfg = config();
        if (cfg.chart.kind === "path") {
            return;
        }
        const chartDir = readChartDir(dir);
        const tag = cfg.chart.imageValues.tag ? readPath(chart.inputs.values ?? {}, cfg.chart.imageValues.tag) : undefined;
        const digest = cfg.chart.imageValues.digest ? readPath(chart.inputs.values ?? {}, cfg.chart.imageValues.digest) : undefined;
        const release = { imageTag: typeof tag === "string" ? tag : "0.0.0", imageDigest: typeof digest === "string" ? digest : undefined };
        const label = `${cfg.chart.name} ${cfg.chart.version} values.schema.json`;
        // A schema Ajv cannot compile (a remote $ref, say) is left to Helm, which checks it again when rendering.
        const issues = chartSchemaIssues(chartDir, { chart: cfg.chart, app: cfg.app, environment: cfg.environment, observability: cfg.observability, ...cfg.values }, release, label,
            { skipUnusableSchema: true });
        if (issues.length > 0) {
            throw new ConfigValidationError(stack, issues.map((x) => ({ ...x, key: `${projectName}:${x.key}` })));
        }
    } };
}

/** A stack's config: its real stack file, then override maps in order. */
export function stackConfig(stack: string, ...overrides: ConfigMap[]): ConfigMap {
    return overrides.reduce((acc, o) => mergeConfig(acc, o), readConfigFile(stackFile(stack)));
}

export { ConfigMap, mergeConfig, readConfigFile, stackFile };
