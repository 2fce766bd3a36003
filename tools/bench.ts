/**
 * npm run bench [-- --runs N] [-- --only typecheck,eval,tests,scaling,engine,review]
 *
 * Prints each figure next to a floor measured in the same run (median of several runs) and the
 * ratio. Nothing here passes or fails: the figures are for people (README, "Performance").
 */
import { DEFAULT_KUBERNETES_VERSION } from "../config/parse";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { LocalEnvironment, TOOLCHAIN_DIR, missingToolchain } from "./local/environment";

const ROOT = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1] || 3) || 3;
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : ["typecheck", "eval", "tests", "scaling", "engine", "review"];
const TS7_DIR = path.join(os.homedir(), ".cache", "delivery-bench", "ts7");
const TS7_VERSION = "7.0.2";
/**
 * Runtime options of a TypeScript program run by the Node.js language host through ts-node,
 * transpile only: how this program ran before it shipped as JavaScript (main.js), and how the
 * review floor (an empty TypeScript program) runs.
 */
const TS_RUNTIME = { name: "nodejs", options: { packagemanager: "npm", tsconfig: "tsconfig.pulumi.json" } };
/** policy/sdk-startup.js turned off (the SDK's start-up as it ships), for before/after figures. */
const EAGER = { DELIVERY_SDK_EAGER: "1" };
/** policy/shared-inputs.js turned off (each policy deserializes every resource again), for before/after figures. */
const PER_POLICY_INPUTS = { DELIVERY_POLICY_SHARED_INPUTS: "0" };
/** The transpile-and-cache loader the tools and tests use (tools/register.js). */
const REGISTER = path.join(ROOT, "tools", "register.js");

interface Sample { seconds: number; maxRssMb: number; code: number; stdout: string }

/** Runs a command under /usr/bin/time to get wall time and peak memory. */
function measure(cmd: string, argv: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}): Sample {
    const r = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %M", cmd, ...argv], { cwd, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 << 20 });
    const m = /__TIME__ ([\d.]+) (\d+)/.exec(r.stderr ?? "");
    if (!m) {
        throw new Error(`could not time ${cmd} ${argv.join(" ")}: ${r.stderr}`);
    }
    return { seconds: Number(m[1]), maxRssMb: Number(m[2]) / 1024, code: r.status ?? -1, stdout: r.stdout };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function repeat(n: number, f: () => Sample): { seconds: number; maxRssMb: number; samples: Sample[] } {
    const samples = Array.from({ length: n }, f);
    return { seconds: median(samples.map((s) => s.seconds)), maxRssMb: Math.max(...samples.map((s) => s.maxRssMb)), samples };
}

const rows: string[][] = [];
function row(figure: string, value: string, floor: string, ratio: string, note = ""): void {
    rows.push([figure, value, floor, ratio, note]);
    process.stderr.write(`  ${figure}: ${value} (floor ${floor}, ${ratio}) ${note}\n`);
}
const fmt = (s: number) => `${s.toFixed(2)} s`;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** The provider modules the program imports, so the floor pays for the same declarations. */
function programImports(): string[] {
    const files = ["index.ts", ...["config", "components"].flatMap((d) => walk(path.join(ROOT, d)))];
    const specs = new Set<string>();
    for (const f of files) {
        for (const m of fs.readFileSync(path.resolve(ROOT, f), "utf8").matchAll(/from "(@pulumi\/[^"]+)"/g)) {
            specs.add(m[1]);
        }
    }
    return [...specs].sort();
}

function walk(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
}

/**
 * A throwaway project beside the real one (same tsconfig options and node_modules): with
 * `withImports` it imports every provider module the program imports (the type-check floor),
 * without it it is an empty program (the evaluation floor).
 */
function floorProject(withImports: boolean): string {
    const dir = fs.mkdtempSync(path.join(ROOT, ".bench-floor-"));
    const imports = withImports ? programImports() : [];
    const body = imports.map((spec, i) => `import * as m${i} from "${spec}";`).join("\n") +
        `\nexport const used = [${imports.map((_, i) => `m${i}`).join(", ")}].length;\n` +
        `export = async () => ({ used });\n`;
    fs.writeFileSync(path.join(dir, "index.ts"), body);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: floor\nruntime: nodejs\n");
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
    tsconfig.include = ["index.ts"];
    tsconfig.compilerOptions.types = ["node"];
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    return dir;
}

function typecheck(floorDir: string): void {
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    // tsconfig.json is incremental (build info under node_modules/.cache): cold = build info
    // deleted before each run (CI, a fresh clone), warm = nothing changed since the last run.
    const buildInfo = (dir: string) => path.join(dir, "node_modules", ".cache", "delivery-tsc", "tsconfig.tsbuildinfo");
    const check = (dir: string, cold: boolean) => () => {
        if (cold) {
            fs.rmSync(buildInfo(dir), { force: true });
        }
        return measure("node", [tsc, "--noEmit", "-p", "tsconfig.json"], dir);
    };
    const project = repeat(RUNS, check(ROOT, true));
    const floor = repeat(RUNS, check(floorDir, true));
    row("type-check (tsc 5.9 --noEmit), cold", fmt(project.seconds), fmt(floor.seconds), x(project.seconds, floor.seconds), "target ≤ 1.10×");
    row("type-check, peak memory", `${project.maxRssMb.toFixed(0)} MB`, `${floor.maxRssMb.toFixed(0)} MB`, x(project.maxRssMb, floor.maxRssMb), "target < 1024 MB");
    const projectWarm = repeat(RUNS, check(ROOT, false));
    const floorWarm = repeat(RUNS, check(floorDir, false));
    row("type-check, warm (incremental, no change)", fmt(projectWarm.seconds), fmt(floorWarm.seconds), x(projectWarm.seconds, floorWarm.seconds), "target ≤ 1.10×");

    // TypeScript 7 (native compiler), installed outside the project: --noEmit only.
    const ts7 = path.join(TS7_DIR, "node_modules", "typescript", "bin", "tsc");
    if (!fs.existsSync(ts7)) {
        fs.mkdirSync(TS7_DIR, { recursive: true });
        spawnSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", TS7_DIR, `typescript@${TS7_VERSION}`], { stdio: "ignore" });
    }
    if (fs.existsSync(ts7)) {
        const native = repeat(RUNS, () => measure("node", [ts7, "--noEmit", "--incremental", "false", "-p", "tsconfig.json"]));
        // Agreement: same exit code and the same diagnostics (file, position, code) as tsc 5.9.
        const diagnostics = (out: string) => out.split("\n").filter((l) => /error TS\d+/.test(l)).map((l) => l.replace(/: error (TS\d+):.*/, " $1")).sort().join("\n");
        const agrees = native.samples[0].code === project.samples[0].code && diagnostics(native.samples[0].stdout) === diagnostics(project.samples[0].stdout);
        row(`type-check (typescript ${TS7_VERSION} native)`, fmt(native.seconds), fmt(project.seconds), x(native.seconds, project.seconds),
            `${native.maxRssMb.toFixed(0)} MB; exit ${native.samples[0].code} vs ${project.samples[0].code}: ${agrees ? "agrees" : "DISAGREES"}`);
    } else {
        row(`type-check (typescript ${TS7_VERSION} native)`, "n/a", "-", "-", "could not install typescript 7");
    }
}

/**
 * One cold process per run: load the TypeScript loader (tools/register.js) and the evaluator, evaluate one stack, exit. Each stack
 * alone (stack references answered from a snapshot of upstream outputs, as the engine answers them
 * from the backend), and as `npm run plan` runs it (upstream stacks evaluated first).
 */
function evaluation(floorDir: string): void {
    const runner = path.join(ROOT, "tools", "offline", "evaluate-once.ts");
    const node = (...a: string[]) => measure("node", ["-r", REGISTER, runner, ...a]);
    const snapshot = path.join(floorDir, "upstream.json");
    const made = node("--snapshot", snapshot);
    if (made.code !== 0) {
        throw new Error(`could not snapshot the upstream outputs: ${made.stdout}`);
    }
    const floor = repeat(RUNS + 2, () => node("dev", floorDir));
    for (const stack of ["dev", "staging", "prod"]) {
        const alone = repeat(RUNS + 2, () => node(stack, "--upstream", snapshot));
        row(`evaluate ${stack} (cold process, mocks)`, fmt(alone.seconds), fmt(floor.seconds), x(alone.seconds, floor.seconds),
            "target ≤ 1.5×; floor = empty program, same harness; upstream outputs from a snapshot");
    }
    for (const stack of ["staging", "prod"]) {
        const chain = repeat(RUNS, () => node(stack, ROOT));
        row(`evaluate ${stack} after its upstream chain (npm run plan)`, fmt(chain.seconds), fmt(floor.seconds), x(chain.seconds, floor.seconds),
            stack === "staging" ? "evaluates dev first" : "evaluates dev and staging first");
    }
}

function tests(): void {
    const mocha = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");
    const s = repeat(Math.max(1, RUNS - 1), () => measure("node", [mocha, "--reporter", "dot"]));
    row("test suite (mocha, unit + policy)", fmt(s.seconds), "15 s", x(s.seconds, 15), `target < 15 s; ${s.maxRssMb.toFixed(0)} MB`);
}

function scaling(): void {
    const runner = path.join(ROOT, "tools", "offline", "scale-plan.ts");
    const r = spawnSync("node", ["-r", REGISTER, runner, String(RUNS)], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) {
        row("plan scaling", "failed", "-", "-", r.stderr.slice(0, 200));
        return;
    }
    const points = JSON.parse(r.stdout) as { entries: number; resources: number; seconds: number }[];
    const base = points[0];
    for (const p of points) {
        const perResource = (p.seconds / p.resources) * 1000;
        row(`plan + policy, prod with ${p.entries} declared secrets`, fmt(p.seconds), fmt(base.seconds), x(p.seconds, base.seconds),
            `${p.resources} resources, ${perResource.toFixed(1)} ms/resource`);
    }
}

/**
 * The real engine on the local control plane (needs `npm run toolchain`): `pulumi preview` and a
 * no-change `pulumi up` of the dev stack, with the program type-checked at run time, transpiled
 * only by ts-node, and precompiled to JavaScript (the shipped Pulumi.yaml); floor: `helm template` of the
 * same chart with the same values.
 */
function engine(): void {
    const missing = missingToolchain();
    if (missing.length > 0) {
        row("real engine (pulumi preview / up)", "n/a", "-", "-", `toolchain not built (npm run toolchain): ${missing.join(", ")}`);
        return;
    }
    const helm = path.join(TOOLCHAIN_DIR, "bin", "helm");
    if (!fs.existsSync(helm)) {
        spawnSync("bash", [path.join(ROOT, "toolchain", "build.sh"), "helm"], { stdio: "inherit" });
    }
    const local = LocalEnvironment.start();
    try {
        local.initStack("dev");
        local.writeStack("dev", local.stackConfig("dev"));
        local.pulumi(["up", "--yes", "--skip-preview", "-s", "dev"]);
        const state = JSON.parse(local.pulumi(["stack", "export", "-s", "dev"]).stdout);
        const release = (state.deployment.resources as { type: string; inputs: Record<string, any> }[])
            .find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "./charts/app");
        if (release === undefined) {
            throw new Error("the dev stack has no helm.v4.Chart of ./charts/app");
        }
        const valuesFile = path.join(local.root, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(release.inputs.values));
        const floor = fs.existsSync(helm)
            ? repeat(RUNS, () => measure(helm, ["template", release.inputs.name, path.join(ROOT, "charts", "app"), "-f", valuesFile, "--namespace", release.inputs.namespace, "--kube-version", `${DEFAULT_KUBERNETES_VERSION}.0`], ROOT))
            : undefined;
        const floorText = floor ? fmt(floor.seconds) : "n/a";
        if (floor) {
            row("helm template of the same chart and values (floor)", fmt(floor.seconds), "-", "-", `${floor.maxRssMb.toFixed(0)} MB`);
        }

        const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        const { main: _main, ...fromSources } = project;
        const variants: [string, () => void][] = [
            ["type-checked at run time", () => local.setProjectFile(stringifyYaml({ ...fromSources, runtime: { name: "nodejs", options: { packagemanager: "npm" } } }))],
            ["transpile-only (ts-node, tsconfig.pulumi.json)", () => local.setProjectFile(stringifyYaml({ ...fromSources, runtime: TS_RUNTIME }))],
            ["precompiled JavaScript (shipped Pulumi.yaml, main.js)", () => local.setProjectFile(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"))],
        ];
        const pulumi = local.pulumiBinary;
        for (const [name, setUp] of variants) {
            setUp();
            const preview = repeat(RUNS, () => measure(pulumi, ["preview", "-s", "dev", "--non-interactive", "--expect-no-changes"], local.workspace, local.env));
            const up = repeat(RUNS, () => measure(pulumi, ["up", "--yes", "--skip-preview", "-s", "dev", "--non-interactive"], local.workspace, local.env));
            const failed = [...preview.samples, ...up.samples].filter((s) => s.code !== 0).length;
            const vs = (s: number) => floor ? x(s, floor.seconds) : "-";
            row(`pulumi preview, dev, ${name}`, fmt(preview.seconds), floorText, vs(preview.seconds), `${preview.maxRssMb.toFixed(0)} MB${failed ? `; ${failed} runs FAILED` : ""}`);
            row(`pulumi up (no change), dev, ${name}`, fmt(up.seconds), floorText, vs(up.seconds), `${up.maxRssMb.toFixed(0)} MB`);
        }
    } finally {
        local.stop();
    }
}

/**
 * The pack's start-up alone: from launching the analyzer as the language host launches it
 * (`node run-policy-pack <engine> <pack dir>`, in the pack's directory) to its first answer (the
 * port it serves on, printed once the gRPC server listens).
 */
function packStartup(dir: string, env: NodeJS.ProcessEnv = {}): Promise<number> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const runner = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
        const p = spawn(process.execPath, [runner, "127.0.0.1:1", dir], { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let err = "";
        p.stderr.on("data", (d) => (err += String(d)));
        p.stdout.once("data", (d) => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            p.kill();
            /^\d+\s*$/.test(String(d)) ? resolve(seconds) : reject(new Error(`the pack printed ${String(d).slice(0, 80)} instead of its port`));
        });
        p.on("exit", (code) => code !== null && code !== 0 && reject(new Error(`the pack exited ${code}: ${err.slice(0, 400)}`)));
    });
}

/**
 * Waits until the local platform is quiet: every Deployment available (the rollouts the stacks'
 * `up` started) and a few seconds for the controllers' follow-up work. Best effort: a platform that
 * does not settle in two minutes is measured as it is.
 */
function settle(local: LocalEnvironment): void {
    local.kubectl(["wait", "--for=condition=Available", "deployment", "--all", "--all-namespaces", "--timeout=120s"], { allowFailure: true });
    spawnSync("sleep", ["5"]);
}

/** A copy of the pack run from its TypeScript sources (ts-node type-checks it): the "before" of the JavaScript build. */
function sourcePack(): string {
    const dir = fs.mkdtempSync(path.join(ROOT, ".bench-floor-pack-"));
    fs.cpSync(path.join(ROOT, "policy"), dir, { recursive: true, filter: (f) => !f.startsWith(path.join(ROOT, "policy", "bin")) && !f.endsWith(".js") });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...pkg, main: "index.ts" }, null, 2));
    return dir;
}

/**
 * Review speed on the real engine (needs `npm run toolchain`): what every pull request, drift check
 * and promotion pays per stack. Floor: an empty TypeScript program run through ts-node (transpile
 * only), previewed on the same engine and file backend. Target: each stack's preview with the
 * policy pack within 2.0× the floor; the pack's start-up alone under 1 s.
 */
async function review(): Promise<void> {
    const missing = missingToolchain();
    if (missing.length > 0) {
        row("review speed (real engine)", "n/a", "-", "-", `toolchain not built (npm run toolchain): ${missing.join(", ")}`);
        return;
    }
    spawnSync(process.execPath, [path.join(ROOT, "policy", "build.js")], { stdio: "inherit" });
    const before = sourcePack();
    const local = LocalEnvironment.start();
    try {
        // The floor: an empty TypeScript program, run by the language host through ts-node
        // (transpile only). For comparison, the same empty program as JavaScript.
        const pulumi = local.pulumiBinary;
        const emptyProgram = (name: string, typescript: boolean) => {
            const dir = path.join(local.root, name);
            fs.mkdirSync(dir);
            const main = typescript ? "index.ts" : "index.js";
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringifyYaml({ name, runtime: typescript ? TS_RUNTIME : { name: "nodejs", options: { packagemanager: "npm", typescript: false } } }));
            fs.writeFileSync(path.join(dir, main), typescript ? "export = async () => ({ ok: true });\n" : "module.exports = async () => ({ ok: true });\n");
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, main }));
            if (typescript) {
                const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
                fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...tsconfig.compilerOptions, incremental: false, types: ["node"] }, include: ["index.ts"] }));
                fs.copyFileSync(path.join(ROOT, "tsconfig.pulumi.json"), path.join(dir, "tsconfig.pulumi.json"));
            }
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
            const run = (argv: string[]) => measure(pulumi, argv, dir, local.env);
            run(["stack", "init", name, "--non-interactive"]);
            run(["up", "--yes", "--skip-preview", "-s", name, "--non-interactive"]);
            const preview = () => run(["preview", "-s", name, "--non-interactive", "--expect-no-changes"]);
            return { ...repeat(RUNS, preview), preview };
        };
        const floor = emptyProgram("floor", true);
        const floorText = fmt(floor.seconds);
        row("empty TypeScript program, `pulumi preview` (floor)", floorText, "-", "-", `${floor.maxRssMb.toFixed(0)} MB`);
        const emptyJs = emptyProgram("floor-js", false);
        row("… the same empty program as JavaScript", fmt(emptyJs.seconds), floorText, x(emptyJs.seconds, floor.seconds), `${emptyJs.maxRssMb.toFixed(0)} MB`);

        const jsStart: number[] = [];
        const eagerStart: number[] = [];
        const tsStart: number[] = [];
        for (let i = 0; i < RUNS; i++) {
            jsStart.push(await packStartup(path.join(ROOT, "policy")));
            eagerStart.push(await packStartup(path.join(ROOT, "policy"), EAGER));
            tsStart.push(await packStartup(before));
        }
        row("policy pack start-up alone (launch → first answer), JavaScript build (shipped)", fmt(median(jsStart)), "1 s", x(median(jsStart), 1), "target < 1 s");
        row("… the same build with the SDK loaded as it ships (DELIVERY_SDK_EAGER=1; before)", fmt(median(eagerStart)), "1 s", x(median(eagerStart), 1));
        row("… the same pack from its TypeScript sources (ts-node type-check; before)", fmt(median(tsStart)), "1 s", x(median(tsStart), 1));

        await local.prepareStores(["dev", "staging", "prod"]);
        for (const stack of ["dev", "staging", "prod"]) {
            local.initStack(stack);
            local.writeStack(stack, local.stackConfig(stack));
            local.pulumi(["up", "--yes", "--skip-preview", "-s", stack]);
        }
        // The local platform settles (rollouts, External Secrets' first syncs) before anything is timed.
        settle(local);
        const pack = (dir: string, stack: string) => ["--policy-pack", dir, "--policy-pack-config", path.join(ROOT, "policy", "config", `${stack}.json`)];
        for (const stack of ["dev", "staging", "prod"]) {
            const previewOnce = (extra: string[], env: NodeJS.ProcessEnv = {}) => measure(pulumi, ["preview", "-s", stack, "--non-interactive", "--expect-no-changes", ...extra], local.workspace, { ...local.env, ...env });
            const preview = (extra: string[], env: NodeJS.ProcessEnv = {}) => repeat(RUNS, () => previewOnce(extra, env));
            // Side by side: each round previews the floor, the stack without and with the pack, so
            // the three see the same machine (a shared VM's speed drifts within a run).
            const rounds = Array.from({ length: RUNS }, () => [floor.preview(), previewOnce([]), previewOnce(pack(path.join(local.workspace, "policy"), stack))]);
            const summary = (i: number) => ({ seconds: median(rounds.map((r) => r[i].seconds)), maxRssMb: Math.max(...rounds.map((r) => r[i].maxRssMb)), samples: rounds.map((r) => r[i]) });
            const stackFloor = summary(0);
            const bare = summary(1);
            const withPack = summary(2);
            const up = repeat(RUNS, () => measure(pulumi, ["up", "--yes", "--skip-preview", "-s", stack, "--non-interactive"], local.workspace, local.env));
            const failed = (r: { samples: Sample[] }) => r.samples.filter((z) => z.code !== 0).length;
            const note = (r: { maxRssMb: number; samples: Sample[] }, extra = "") => `${r.maxRssMb.toFixed(0)} MB${failed(r) ? `; ${failed(r)} runs FAILED` : ""}${extra}`;
            const stackFloorText = fmt(stackFloor.seconds);
            row(`\`pulumi preview -s ${stack}\`, no pack`, fmt(bare.seconds), stackFloorText, x(bare.seconds, stackFloor.seconds), note(bare, "; floor previewed alongside"));
            row(`\`pulumi preview -s ${stack}\` with the policy pack`, fmt(withPack.seconds), stackFloorText, x(withPack.seconds, stackFloor.seconds), note(withPack, `; target ≤ 2.00×; samples ${withPack.samples.map((z) => z.seconds.toFixed(2)).join(" / ")}`));
            if (stack === "dev") {
                // policy/sdk-startup.js turned off: @pulumi/pulumi loads its function-serialisation
                // modules (TypeScript, arborist) at start-up, in the program and in the pack.
                const eagerBare = preview([], EAGER);
                const eagerPack = preview(pack(path.join(local.workspace, "policy"), stack), EAGER);
                row("… no pack / with the pack, the SDK loaded as it ships (DELIVERY_SDK_EAGER=1; before)",
                    `${fmt(eagerBare.seconds)} / ${fmt(eagerPack.seconds)}`, stackFloorText, `${x(eagerBare.seconds, stackFloor.seconds)} / ${x(eagerPack.seconds, stackFloor.seconds)}`, note(eagerPack));
                const perPolicy = preview(pack(path.join(local.workspace, "policy"), stack), PER_POLICY_INPUTS);
                row("… with the pack, inputs deserialized once per policy (DELIVERY_POLICY_SHARED_INPUTS=0; before)", fmt(perPolicy.seconds), stackFloorText, x(perPolicy.seconds, stackFloor.seconds), note(perPolicy));
                const old = preview(pack(before, stack));
                row("… with the pack from its TypeScript sources (before)", fmt(old.seconds), stackFloorText, x(old.seconds, stackFloor.seconds), note(old));
                // The program from its TypeScript sources through ts-node, as it ran before main.js.
                const { main: _main, ...fromSources } = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
                local.setProjectFile(stringifyYaml({ ...fromSources, runtime: TS_RUNTIME }));
                try {
                    const tsBare = preview([]);
                    const tsPack = preview(pack(path.join(local.workspace, "policy"), stack));
                    row("… no pack / with the pack, the program from its TypeScript sources (ts-node; before)",
                        `${fmt(tsBare.seconds)} / ${fmt(tsPack.seconds)}`, stackFloorText, `${x(tsBare.seconds, stackFloor.seconds)} / ${x(tsPack.seconds, stackFloor.seconds)}`, note(tsBare));
                } finally {
                    local.setProjectFile(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
                }
            }
            row(`\`pulumi up -s ${stack}\`, no change`, fmt(up.seconds), stackFloorText, x(up.seconds, stackFloor.seconds), note(up));
        }
    } finally {
        local.stop();
        fs.rmSync(before, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    process.stderr.write(`bench: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${RUNS} runs per figure (median)\n`);
    const importsFloor = floorProject(true);
    const emptyFloor = floorProject(false);
    try {
        if (ONLY.includes("typecheck")) typecheck(importsFloor);
        if (ONLY.includes("eval")) evaluation(emptyFloor);
        if (ONLY.includes("tests")) tests();
        if (ONLY.includes("scaling")) scaling();
        if (ONLY.includes("engine")) engine();
        if (ONLY.includes("review")) await review();
    } finally {
        fs.rmSync(importsFloor, { recursive: true, force: true });
        fs.rmSync(emptyFloor, { recursive: true, force: true });
    }
    const header = ["figure", "value", "floor", "ratio", "note"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    console.log([line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n"));
}

main().catch((e) => {
    process.stderr.write(`bench failed: ${(e as Error).message}\n`);
    process.exit(1);
});
