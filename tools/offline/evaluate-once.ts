/**
 * Benchmark helper: evaluates one stack in a fresh process and exits.
 *
 *   node -r ./tools/register.js tools/offline/evaluate-once.ts <stack> [root]
 *       the stack after its upstream stacks (as `npm run plan` does). With a root other than the
 *       project (the benchmark's empty program), the stack has no file and empty config.
 *   … evaluate-once.ts <stack> --upstream <file>
 *       the stack alone, its stack references answered from a snapshot of upstream outputs, as
 *       the real engine answers them from the backend without running the upstream program.
 *   … evaluate-once.ts --snapshot <file>
 *       writes that snapshot: the outputs of every shipped stack, by stack reference name.
 */
import * as fs from "fs";
import * as path from "path";
import { evaluateChain } from "./chain";
import { ORGANIZATION, evaluateProgram, stackConfig } from "./evaluate";
import { UpstreamOutputs } from "./mocks";
import { ROOT, readProject } from "./stackfile";

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    if (argv[0] === "--snapshot") {
        const chain = await evaluateChain("prod", stackConfig("prod"));
        const project = readProject().name;
        const snapshot: UpstreamOutputs = {};
        for (const ev of [...Object.values(chain.upstream), chain.target]) {
            snapshot[`${ORGANIZATION}/${project}/${ev.stack}`] = { ...ev.outputs, __secretOutputNames: ev.secretOutputNames };
        }
        fs.writeFileSync(argv[1], JSON.stringify(snapshot));
        return;
    }
    const [stack, second, third] = argv;
    let count: number;
    if (second === "--upstream") {
        const upstream = JSON.parse(fs.readFileSync(third, "utf8")) as UpstreamOutputs;
        count = (await evaluateProgram({ stack, config: stackConfig(stack), upstream })).resources.length;
    } else if (second && path.resolve(second) !== ROOT) {
        count = (await evaluateProgram({ stack, config: {}, root: path.resolve(second) })).resources.length;
    } else {
        count = (await evaluateChain(stack, stackConfig(stack))).target.resources.length;
    }
    process.stdout.write(`${count}\n`);
}

main().then(() => process.exit(0), (e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
