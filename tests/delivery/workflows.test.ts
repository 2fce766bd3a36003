/**
 * The GitHub workflows, read as data: they name only stacks and files that exist, promote only
 * dev → staging → prod, start only from the right tags, and give every job explicit permissions
 * and a concurrency group. (actionlint checks the syntax: npm run lint:workflows.)
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { GIT_EVENTS } from "../../deployments/config";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const ACTIONS = path.join(ROOT, ".github", "actions");
const SCRIPTS = path.join(ROOT, ".github", "scripts");

type Job = Record<string, any>;
interface Workflow {
    readonly file: string;
    readonly text: string;
    readonly doc: Record<string, any>;
    readonly jobs: Record<string, Job>;
}

function load(file: string): Workflow {
    const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
    const doc = parseYaml(text) as Record<string, any>;
    return { file, text, doc, jobs: doc.jobs ?? {} };
}

const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const workflows: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, load(f)]));
const stacksWithFiles = fs.readdirSync(ROOT).map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
/** The per-stack policy configs land with the policy pack; until the first one does, that check waits. */

/** The matrix combinations of a job ([{}] without a matrix). */
function combinations(job: Job): Record<string, string>[] {
    const matrix = job.strategy?.matrix;
    if (!matrix) {
        return [{}];
    }
    if (Array.isArray(matrix.include) && Object.keys(matrix).length === 1) {
        return matrix.include as Record<string, string>[];
    }
    const keys = Object.keys(matrix).filter((k) => k !== "include" && k !== "exclude");
    let out: Record<string, string>[] = [{}];
    for (const k of keys) {
        out = out.flatMap((c) => (matrix[k] as string[]).map((v) => ({ ...c, [k]: v })));
    }
    return out;
}

/** The job (with the workflow's env) as text, once per matrix combination, matrix values filled in. */
function expanded(wf: Workflow, job: Job): string[] {
    const text = JSON.stringify({ env: wf.doc.env ?? {}, job });
    return combinations(job).map((c) => text.replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (m, k) => (k in c ? String(c[k]) : m)));
}

/** Every stack a text names: <org>/delivery/<stack>, -s/--stack <stack>, Pulumi.<stack>.yaml, policy/config/<stack>.json. */
function stackReferences(text: string): string[] {
    const found = new Set<string>();
    const patterns = [
        /\/delivery\/([A-Za-z0-9_.-]+)/g,
        /(?:\s-s|--stack)\s+["']?([A-Za-z][\w.-]*)/g,
        /Pulumi\.([A-Za-z][\w-]*)\.yaml/g,
        /policy\/config\/([A-Za-z][\w-]*)\.json/g,
        /promotion-guard\.sh\s+([A-Za-z][\w-]*)/g,
    ];
    for (const re of patterns) {
        for (const m of text.matchAll(re)) {
            if (m[1] !== "deployments") {
                found.add(m[1]);
            }
        }
    }
    return [...found];
}

function steps(job: Job): Job[] {
    return (job.steps ?? []) as Job[];
}

function runs(job: Job): string {
    return steps(job).map((s) => String(s.run ?? "")).join("\n");
}

/** Jobs that log in to a cloud (the pulumi-login action), which alone may request an OIDC token. */
function logsIn(job: Job): boolean {
    return steps(job).some((s) => s.uses === "./.github/actions/pulumi-login");
}

/** Whether a job runs `pulumi up` (through the official action). */
function updates(job: Job): boolean {
    return steps(job).some((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
}

/**
 * GitHub's filter pattern for branches and tags: * (not /), ** (anything), ? and + after a
 * character, [..] classes. https://docs.github.com/actions/reference/workflow-syntax-for-github-actions#filter-pattern-cheat-sheet
 */
function filterRegex(pattern: string): RegExp {
    let re = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*") {
            if (pattern[i + 1] === "*") {
                re += ".*";
                i++;
            } else {
                re += "[^/]*";
            }
        } else if (c === "?" || c === "+") {
            re += c;
        } else if (c === "[") {
            const end = pattern.indexOf("]", i);
            re += pattern.slice(i, end + 1);
            i = end;
        } else {
            re += c.replace(/[.^$(){}|\\]/g, "\\$&");
        }
    }
    return new RegExp(`^${re}$`);
}

/** The workflows a pushed tag starts. */
function startedByTag(tag: string): string[] {
    return files.filter((f) => {
        const push = workflows[f].doc.on?.push;
        const tags = push?.tags as string[] | undefined;
        return Array.isArray(tags) && tags.some((p) => filterRegex(p).test(tag));
    });
}

/** Runs promotion-guard.sh the way a workflow would; returns its exit code and output. */
function guard(stack: string, env: Record<string, string>) {
    const out = fs.mkdtempSync(path.join(require("os").tmpdir(), "guard-"));
    const githubOutput = path.join(out, "output");
    fs.writeFileSync(githubOutput, "");
    const r = spawnSync("bash", [path.join(SCRIPTS, "promotion-guard.sh"), stack], {
        cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH ?? "", GITHUB_OUTPUT: githubOutput, ...env },
    });
    const output = fs.readFileSync(githubOutput, "utf8");
    fs.rmSync(out, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, output };
}

describe("delivery: GitHub workflows", () => {
    it("include the five the runbooks describe", () => {
        for (const f of ["deploy-dev.yml", "drift.yml", "preview.yml", "promote-prod.yml", "promote-staging.yml"]) {
            assert.ok(files.includes(f), `.github/workflows/${f} is missing`);
        }
    });

    describe("references", () => {
        it("name only stacks that have a Pulumi.<stack>.yaml", () => {
            for (const wf of Object.values(workflows)) {
                for (const [id, job] of Object.entries(wf.jobs)) {
                    for (const text of expanded(wf, job)) {
                        for (const stack of stackReferences(text)) {
                            assert.ok(stacksWithFiles.includes(stack), `${wf.file} job ${id} names stack "${stack}", which has no Pulumi.${stack}.yaml`);
                        }
                    }
                }
            }
        });

        it("preview and plan every stack that has a stack file, and check drift on each", () => {
            const stacksOf = (wf: string, job: string) => combinations(workflows[wf].jobs[job]).map((c) => c.stack).sort();
            assert.deepEqual(stacksOf("preview.yml", "offline-plan"), stacksWithFiles);
            assert.deepEqual(stacksOf("preview.yml", "preview"), stacksWithFiles);
            assert.deepEqual(stacksOf("drift.yml", "drift"), stacksWithFiles);
        });

        it("run only scripts and local actions that exist", () => {
            for (const wf of Object.values(workflows)) {
                for (const m of wf.text.matchAll(/bash\s+(\.github\/scripts\/[\w.-]+\.sh)/g)) {
                    assert.ok(fs.existsSync(path.join(ROOT, m[1])), `${wf.file} runs ${m[1]}, which does not exist`);
                }
                for (const m of wf.text.matchAll(/uses:\s+(\.\/[\w./-]+)/g)) {
                    assert.ok(fs.existsSync(path.join(ROOT, m[1], "action.yml")), `${wf.file} uses ${m[1]}, which has no action.yml`);
                }
            }
        });

        it("point to runbooks and files that exist (workflows, actions, scripts)", () => {
            const sources = [
                ...files.map((f) => path.join(WORKFLOWS, f)),
                ...fs.readdirSync(ACTIONS).map((a) => path.join(ACTIONS, a, "action.yml")),
                ...fs.readdirSync(SCRIPTS).map((s) => path.join(SCRIPTS, s)),
            ];
            for (const file of sources) {
                const text = fs.readFileSync(file, "utf8");
                for (const m of text.matchAll(/\b((?:docs|deployments|tools)\/[\w./-]+\.(?:md|yaml|sh|ts))\b/g)) {
                    assert.ok(fs.existsSync(path.join(ROOT, m[1])), `${path.relative(ROOT, file)} refers to ${m[1]}, which does not exist`);
                }
            }
        });

        it("use each stack's policy/config/<stack>.json with the policy pack in policy/", () => {
            for (const wf of Object.values(workflows)) {
                for (const job of Object.values(wf.jobs)) {
                    for (const text of expanded(wf, job)) {
                        for (const m of text.matchAll(/policy\/config\/([\w-]+)\.json/g)) {
                            assert.ok(fs.existsSync(path.join(ROOT, "policy", "config", `${m[1]}.json`)), `${wf.file} uses policy/config/${m[1]}.json, which does not exist`);
                        }
                    }
                }
            }
        });

        it("pass every pulumi preview and up the policy pack with the stack's own config", () => {
            for (const wf of Object.values(workflows)) {
                for (const [id, job] of Object.entries(wf.jobs)) {
                    for (const step of steps(job).filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command)) {
                        assert.equal(step.with.policyPacks, "policy", `${wf.file} ${id}: ${step.with.command} without --policy-pack policy`);
                        const stack = /\/delivery\/([\w-]+)$/.exec(String(wf.doc.env?.STACK ?? job.env?.STACK ?? ""))?.[1] ?? "${{ matrix.stack }}";
                        assert.equal(step.with.policyPackConfigs, `policy/config/${stack}.json`, `${wf.file} ${id}`);
                    }
                }
            }
        });
    });

    describe("promotion", () => {
        it("promotes prod from staging only: no step, input or variable of promote-prod names dev", () => {
            const wf = workflows["promote-prod.yml"];
            assert.equal(wf.doc.env.SOURCE, "staging");
            assert.equal(wf.doc.env.STACK, "${{ vars.PULUMI_ORG }}/delivery/prod");
            assert.deepEqual(Object.keys(wf.doc.on.workflow_dispatch.inputs), ["version"]);
            for (const [id, job] of Object.entries(wf.jobs)) {
                for (const text of expanded(wf, job)) {
                    assert.deepEqual(stackReferences(text).filter((s) => s === "dev"), [], `promote-prod job ${id} names dev`);
                    assert.doesNotMatch(text, /_DEV\b/, `promote-prod job ${id} uses a dev variable`);
                }
            }
        });

        it("promotes staging from dev only", () => {
            const wf = workflows["promote-staging.yml"];
            assert.deepEqual([wf.doc.env.SOURCE, wf.doc.env.STACK], ["dev", "${{ vars.PULUMI_ORG }}/delivery/staging"]);
            assert.deepEqual(Object.keys(wf.doc.on.workflow_dispatch.inputs), ["version"]);
        });

        it("checks the source stack in the plan and again right before pulumi up", () => {
            for (const file of ["promote-staging.yml", "promote-prod.yml"]) {
                const { jobs } = workflows[file];
                for (const id of ["plan", "promote"]) {
                    assert.match(runs(jobs[id]), /promotion-diff\.sh "\$STACK" "\$SOURCE" "\$VERSION"/, `${file} ${id}`);
                }
            }
        });

        it("waits for the production environment's reviewers before prod, and deploys each stack from its environment", () => {
            assert.equal(workflows["promote-prod.yml"].jobs.promote.environment, "production");
            assert.equal(workflows["promote-staging.yml"].jobs.promote.environment, "staging");
            assert.equal(workflows["deploy-dev.yml"].jobs.deploy.environment, "dev");
            for (const wf of Object.values(workflows)) {
                for (const [id, job] of Object.entries(wf.jobs)) {
                    if (updates(job)) {
                        assert.ok(job.environment, `${wf.file} ${id} runs pulumi up outside a GitHub environment`);
                    }
                }
            }
        });

        it("rolls back by pinning the previous release when the update or the health check fails", () => {
            for (const file of ["promote-staging.yml", "promote-prod.yml"]) {
                const rollback = steps(workflows[file].jobs.promote).find((s) => s.id === "rollback");
                assert.ok(rollback, file);
                assert.equal(rollback.if, "failure() && steps.diff.outputs.previous != ''");
                assert.match(rollback.run, /rollback\.sh "\$STACK" "\$PREVIOUS"/);
            }
        });
    });

    describe("triggers", () => {
        it("start promotions only from <stack>-v<semver> tags, and dev from v<semver> tags", () => {
            assert.deepEqual(startedByTag("staging-v1.9.0"), ["promote-staging.yml"]);
            assert.deepEqual(startedByTag("prod-v1.9.0"), ["promote-prod.yml"]);
            assert.deepEqual(startedByTag("prod-v2.0.0-rc.1"), ["promote-prod.yml"]);
            assert.deepEqual(startedByTag("v1.9.0"), ["deploy-dev.yml"]);
        });

        it("ignore tags of any other pattern", () => {
            for (const tag of ["prod-1.9.0", "prod-v1.9", "prod-vlatest", "production-v1.9.0", "staging-v1.9.0/x", "dev-v1.9.0", "v1.9", "release-1.9.0", "prod-v1.9.0x"]) {
                assert.deepEqual(startedByTag(tag), [], tag);
            }
        });

        it("start promotions from no branch push, pull request or schedule", () => {
            for (const file of ["promote-staging.yml", "promote-prod.yml"]) {
                const on = workflows[file].doc.on;
                assert.deepEqual(Object.keys(on).sort(), ["push", "workflow_dispatch"]);
                assert.deepEqual(Object.keys(on.push), ["tags"]);
            }
        });

        it("refuse, before any credentials, a tag that slipped past the filter or a dispatch outside main", () => {
            const tag = guard("prod", { GITHUB_EVENT_NAME: "push", GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "prod-v1.9.0.1" });
            assert.equal(tag.status, 1);
            assert.match(tag.stderr, /tag prod-v1\.9\.0\.1 is not prod-v<semver> \(e\.g\. prod-v1\.9\.0\); nothing was promoted/);
            const branch = guard("prod", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF: "refs/heads/feature", VERSION: "1.9.0" });
            assert.equal(branch.status, 1);
            assert.match(branch.stderr, /run it from main, not refs\/heads\/feature/);
            const bad = guard("staging", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF: "refs/heads/main", VERSION: "latest" });
            assert.equal(bad.status, 1);
            assert.match(bad.stderr, /version 'latest' is not a semantic version/);
        });

        it("take a dispatched version from main", () => {
            const ok = guard("prod", { GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF: "refs/heads/main", VERSION: "1.9.0" });
            assert.equal(ok.status, 0, ok.stderr);
            assert.equal(ok.output, "version=1.9.0\n");
        });

        it("check drift on a schedule", () => {
            assert.ok(Array.isArray(workflows["drift.yml"].doc.on.schedule));
            assert.match(runs(workflows["drift.yml"].jobs.drift), /pulumi preview --refresh --expect-no-changes/);
            assert.match(runs(workflows["drift.yml"].jobs.drift), /pulumi refresh --preview-only --expect-no-changes/);
        });
    });

    describe("permissions and concurrency", () => {
        it("grant nothing at the workflow level", () => {
            for (const wf of Object.values(workflows)) {
                assert.deepEqual(wf.doc.permissions, {}, wf.file);
            }
        });

        it("give every job explicit permissions and a concurrency group", () => {
            for (const wf of Object.values(workflows)) {
                for (const [id, job] of Object.entries(wf.jobs)) {
                    assert.equal(typeof job.permissions, "object", `${wf.file} ${id} has no permissions`);
                    assert.ok(job.concurrency?.group, `${wf.file} ${id} has no concurrency group`);
                }
            }
        });

        it("request an OIDC token only in jobs that log in to a cloud", () => {
            for (const wf of Object.values(workflows)) {
                for (const [id, job] of Object.entries(wf.jobs)) {
                    assert.equal(job.permissions["id-token"] === "write", logsIn(job), `${wf.file} ${id}`);
                }
            }
        });

        it("write only where they must: PR comments in preview, issues in the drift report", () => {
            for (const wf of Object.values(workflows)) {
                for (const [id, job] of Object.entries(wf.jobs)) {
                    const writes = Object.entries(job.permissions).filter(([scope, level]) => level === "write" && scope !== "id-token").map(([scope]) => scope);
                    const allowed = wf.file === "preview.yml" && id === "preview" ? ["pull-requests"] : wf.file === "drift.yml" && id === "report" ? ["issues"] : [];
                    assert.deepEqual(writes, allowed, `${wf.file} ${id}`);
                }
            }
        });

        it("serialize every update of a stack in one group, stack-<stack>, never cancelled", () => {
            const groups: string[] = [];
            for (const wf of Object.values(workflows)) {
                for (const [id, job] of Object.entries(wf.jobs)) {
                    if (updates(job)) {
                        const stack = /\/delivery\/([\w-]+)$/.exec(String(wf.doc.env?.STACK ?? job.env?.STACK))?.[1];
                        assert.deepEqual(job.concurrency, { group: `stack-${stack}`, "cancel-in-progress": false }, `${wf.file} ${id}`);
                        groups.push(job.concurrency.group);
                    }
                }
            }
            assert.deepEqual(groups.sort(), ["stack-dev", "stack-prod", "stack-staging"]);
        });
    });

    describe("credentials and actions", () => {
        it("use no stored secrets: Pulumi Cloud and AWS through OIDC", () => {
            for (const wf of Object.values(workflows)) {
                assert.doesNotMatch(wf.text, /secrets\./, wf.file);
                assert.doesNotMatch(wf.text, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|PULUMI_ACCESS_TOKEN/, wf.file);
            }
            const login = fs.readFileSync(path.join(ACTIONS, "pulumi-login", "action.yml"), "utf8");
            assert.match(login, /uses: pulumi\/auth-actions@v1/);
            assert.match(login, /role-to-assume:/);
        });

        it("pin every action to a major version or a commit", () => {
            const sources = [...files.map((f) => path.join(WORKFLOWS, f)), ...fs.readdirSync(ACTIONS).map((a) => path.join(ACTIONS, a, "action.yml"))];
            for (const file of sources) {
                for (const m of fs.readFileSync(file, "utf8").matchAll(/uses:\s+([^\s#]+)/g)) {
                    if (!m[1].startsWith("./")) {
                        assert.match(m[1], /@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${path.relative(ROOT, file)}: ${m[1]}`);
                    }
                }
            }
        });

        it("stand down where Pulumi Deployments owns git events, as deployments/Pulumi.deployments.yaml says", () => {
            for (const [file, id] of [["deploy-dev.yml", "deploy"], ["preview.yml", "preview"]]) {
                assert.match(runs(workflows[file].jobs[id]), /git-events\.sh/, `${file} ${id}`);
            }
            const r = spawnSync("bash", [path.join(SCRIPTS, "git-events.sh")], { cwd: ROOT, encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            assert.ok((GIT_EVENTS as readonly string[]).includes(r.stdout.trim()), r.stdout);
        });
    });
});
