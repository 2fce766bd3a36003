/**
 * Benchmark helper: evaluates one stack (after its upstream stacks) in a fresh process and exits.
 * Usage: node -r ts-node/register/transpile-only tools/offline/evaluate-once.ts <stack> [root]
 * With a root other than the project (the benchmark's empty program), the stack has no file
 * and is evaluated with empty config.
 */
import * as path from "path";
import { evaluateChain } from "./chain";
import { evaluateProgram, stackConfig } from "./evaluate";
import { ROOT } from "./stackfile";

async function main(): Promise<void> {
    const [stack, root] = process.argv.slice(2);
    const ev = root && path.resolve(root) !== ROOT
        ? await evaluateProgram({ stack, config: {}, root: path.resolve(root) })
        : (await evaluateChain(stack, stackConfig(stack))).target;
    process.stdout.write(`${ev.resources.length}\n`);
}

main().then(() => process.exit(0), (e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
