/**
 * Automatic rollback after a failed update: the stack goes back to the release it ran before
 * (the `release` output of its last successful update), through the normal program, recorded.
 *
 * A failed rollout leaves the cluster half way (Pulumi stops waiting; the new ReplicaSet stays,
 * the old pods keep serving because the chart rolls with `maxUnavailable: 0`). Re-running the
 * update with the previous release puts every rendered object back to what that release rendered
 * — for any chart, not only Deployments — and the stack's outputs and in-cluster record keep
 * naming it. The stack file is not edited: the previous release goes in through a temporary
 * config file (`pulumi up --config-file`), as `delivery:release` on a development stack and as
 * `delivery:pin` with the failure as its reason elsewhere, so the record says why it runs what it
 * runs. The next update from the unchanged stack file tries the new release again.
 */
import { SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify as stringifyYaml, parse as parseYaml } from "yaml";
import { Environment } from "../config/environment";

export interface PreviousRelease {
    readonly version: string;
    readonly imageTag?: string;
    readonly imageDigest?: string;
    readonly chartVersion?: string;
}

/** The release a stack's outputs name, if it ran one. */
export function previousRelease(outputs: Record<string, unknown> | undefined): PreviousRelease | undefined {
    const r = outputs?.release as Record<string, unknown> | undefined;
    if (r === undefined || typeof r.version !== "string") {
        return undefined;
    }
    const pick = (k: string) => (typeof r[k] === "string" && r[k] !== "" ? { [k]: r[k] as string } : {});
    return { version: r.version, ...pick("imageTag"), ...pick("imageDigest") };
}

/** The pin reason an automatic rollback records; `failedCandidate` reads the version back. */
export const rollbackReason = (failed: string) => `automatic rollback: the update to ${failed} failed`;

/** The release whose update failed and was rolled back, when a record says so (`rollbackReason`). */
export function failedCandidate(pinReason: string | undefined): string | undefined {
    return /^automatic rollback: the update to (\S+) failed$/.exec(pinReason ?? "")?.[1];
}

/** The config that puts a stack back on `previous`: the key its environment takes a release from. */
export function rollbackConfig(project: string, environment: Environment, previous: PreviousRelease, failed: string): Record<string, unknown> {
    if (environment === "development") {
        return { [`${project}:release`]: { ...previous } };
    }
    return { [`${project}:pin`]: { ...previous, reason: rollbackReason(failed) } };
}

/** Writes the stack file with `override` on top to a temporary file; returns its path. */
export function writeRollbackFile(stackFilePath: string, override: Record<string, unknown>): string {
    const doc = (parseYaml(fs.readFileSync(stackFilePath, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config = { ...(doc.config ?? {}), ...override };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-rollback-"));
    const file = path.join(dir, path.basename(stackFilePath));
    fs.writeFileSync(file, stringifyYaml({ ...doc, config }), { mode: 0o600 });
    return file;
}

/** Runs one update with CLI-style arguments (`--config-file F` for the rollback); the exit status. */
export interface UpRunner {
    (args: string[]): Pick<SpawnSyncReturns<string>, "status"> | Promise<Pick<SpawnSyncReturns<string>, "status">>;
}

/** `pulumi up` of the stack; on failure, the same with the previous release, when there is one. */
export async function upWithRollback(opts: {
    stack: string; project: string; environment: Environment; stackFile: string; candidate: string;
    previous?: PreviousRelease; upArgs: string[]; run: UpRunner; say: (line: string) => void;
}): Promise<"updated" | "rolled-back" | "failed"> {
    if ((await opts.run(opts.upArgs)).status === 0) {
        return "updated";
    }
    if (opts.previous === undefined) {
        opts.say(`The update of ${opts.stack} to ${opts.candidate} failed; it ran no release before, so there is nothing to roll back to.`);
        return "failed";
    }
    opts.say(`The update of ${opts.stack} to ${opts.candidate} failed: rolling back to ${opts.previous.version}.`);
    const file = writeRollbackFile(opts.stackFile, rollbackConfig(opts.project, opts.environment, opts.previous, opts.candidate));
    try {
        const r = await opts.run([...opts.upArgs, "--config-file", file]);
        if (r.status !== 0) {
            opts.say(`ROLLBACK FAILED: ${opts.stack} could not be put back on ${opts.previous.version}; inspect it with pulumi stack -s ${opts.stack}.`);
            return "failed";
        }
    } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
    opts.say(`${opts.stack} is back on ${opts.previous.version}. The stack file still names ${opts.candidate}: fix it, or set the previous release there.`);
    return "rolled-back";
}
