/**
 * One stage of a promotion through the Automation API (`@pulumi/pulumi/automation`), in order:
 * preview with the stack's policy pack → `up` with the same pack (a failed update rolls the stack
 * back, tools/rollback.ts) → verification read back from the stack's own record. The gates were
 * checked before (tools/promote.ts); the program checks them again inside the update.
 */
import * as path from "path";
import type * as automation from "@pulumi/pulumi/automation";
import { Environment } from "../config/environment";
import { PreviousRelease, upWithRollback } from "./rollback";

export interface StageRun {
    readonly stack: string;
    readonly project: string;
    readonly environment: Environment;
    readonly root: string;
    readonly stackFile: string;
    /** The version the update should deploy. */
    readonly candidate: string;
    readonly previous?: PreviousRelease;
    /** The stack's outputs after the update (the configured backend). */
    readonly outputs: () => Record<string, unknown> | undefined;
    readonly say: (line: string) => void;
    /** Where the engine's own output goes (the operator's terminal). */
    readonly engineOutput: (text: string) => void;
}

export type StageOutcome = "promoted" | "preview-failed" | "rolled-back" | "failed" | "unverified";

/** The Automation API's stack, on the CLI named by PULUMI_BIN (`<dir>/bin/pulumi`) or on PATH. */
async function openStack(stack: string, root: string): Promise<automation.Stack> {
    // Loaded when a stage runs, not for `status`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation") as typeof automation;
    const bin = process.env.PULUMI_BIN;
    const pulumiCommand = bin && path.basename(path.dirname(bin)) === "bin"
        ? await PulumiCommand.get({ root: path.dirname(path.dirname(bin)), skipVersionCheck: true })
        : undefined;
    return LocalWorkspace.selectStack({ stackName: stack, workDir: root }, pulumiCommand ? { pulumiCommand } : {});
}

/** The first line that says why (the engine's own output was already shown). */
function why(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    const line = text.split("\n").map((l) => l.trim()).find((l) => /^error:|failed|refus|frozen|soak|mandatory/i.test(l));
    return (line ?? text.split("\n")[0]).slice(0, 400);
}

export async function runStage(r: StageRun): Promise<StageOutcome> {
    const stack = await openStack(r.stack, r.root);
    const policy = {
        policyPacks: [path.join(r.root, "policy")],
        policyPackConfigs: [path.join(r.root, "policy", "config", `${r.stack}.json`)],
    };
    r.say(`[1/3] preview of ${r.stack} with the policy pack (policy/config/${r.stack}.json)`);
    try {
        await stack.preview({ ...policy, onOutput: r.engineOutput });
    } catch (e) {
        r.say(`The preview of ${r.stack} failed, nothing was changed: ${why(e)}`);
        return "preview-failed";
    }
    r.say(`[2/3] update of ${r.stack} to ${r.candidate}`);
    const outcome = await upWithRollback({
        stack: r.stack, project: r.project, environment: r.environment, stackFile: r.stackFile, candidate: r.candidate, previous: r.previous,
        upArgs: ["up"],
        run: async (args) => {
            const i = args.indexOf("--config-file");
            try {
                await stack.up({ ...policy, ...(i >= 0 ? { configFile: args[i + 1] } : {}), onOutput: r.engineOutput });
                return { status: 0 };
            } catch (e) {
                r.say(`The update of ${r.stack} failed: ${why(e)}`);
                return { status: 1 };
            }
        },
        say: r.say,
    });
    if (outcome !== "updated") {
        return outcome;
    }
    r.say(`[3/3] verification of ${r.stack}`);
    const promotion = r.outputs()?.promotion as { release?: { version?: string }; verification?: { status?: string; at?: string; checked?: string[] } } | undefined;
    const v = promotion?.verification;
    if (promotion?.release?.version !== r.candidate || v?.status !== "passed") {
        r.say(`${r.stack} does not record ${r.candidate} as verified (it records ${promotion?.release?.version ?? "nothing"}, verification ${v?.status ?? "missing"}).`);
        return "unverified";
    }
    r.say(`${r.stack} runs ${r.candidate}, verified at ${v.at}:`);
    for (const c of v.checked ?? []) {
        r.say(`  ✓ ${c}`);
    }
    return "promoted";
}
