/**
 * Benchmark helper: times the offline plan of prod as its declared secrets grow (base, 10×,
 * 100×), in one process, median of N runs each; prints JSON points.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { plan } from "../plan";

async function main(): Promise<void> {
    const runs = Number(process.argv[2] ?? 3);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scale-"));
    const points: { entries: number; resources: number; seconds: number }[] = [];
    await plan({ stack: "prod", configFiles: [], json: true }); // warm the module cache and upstream stacks
    for (const entries of [2, 20, 200]) {
        const file = path.join(dir, `secrets-${entries}.yaml`);
        const secrets = Array.from({ length: entries }, (_, i) => ({ name: `secret-${i}`, remoteKey: `key-${i}` }));
        fs.writeFileSync(file, stringify({ config: { "delivery:secrets": { secrets }, "delivery:namespace": { quota: { pods: 40 } } } }));
        const times: number[] = [];
        let resources = 0;
        for (let i = 0; i < runs; i++) {
            const t = process.hrtime.bigint();
            const result = await plan({ stack: "prod", configFiles: [file], json: true });
            times.push(Number(process.hrtime.bigint() - t) / 1e9);
            resources = result.evaluation.resources.length;
        }
        times.sort((a, b) => a - b);
        points.push({ entries, resources, seconds: times[Math.floor(times.length / 2)] });
    }
    fs.rmSync(dir, { recursive: true, force: true });
    process.stdout.write(JSON.stringify(points));
}

main().then(() => process.exit(0), (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
});
