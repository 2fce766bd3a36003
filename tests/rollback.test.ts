import { strict as assert } from "assert";
import * as fs from "fs";
import { readConfigFile, stackFile } from "../tools/offline/stackfile";
import { resolvedConfig } from "../tools/local/stores";
import { previousRelease, rollbackConfig, upWithRollback } from "../tools/rollback";

describe("automatic rollback after a failed update", () => {
    const previous = { version: "1.8.3", imageTag: "1.8.3" };

    it("takes the previous release from the stack's outputs, and nothing from a stack that ran none", () => {
        assert.deepEqual(previousRelease({ release: { version: "1.8.3", imageTag: "1.8.3", imageDigest: "", chart: "app" } }), previous);
        assert.equal(previousRelease({}), undefined);
        assert.equal(previousRelease(undefined), undefined);
    });

    it("puts a development stack back through delivery:release and the others through a pin with the failure as reason", () => {
        assert.deepEqual(rollbackConfig("delivery", "development", previous, "9.9.0"), { "delivery:release": previous });
        assert.deepEqual(rollbackConfig("delivery", "production", previous, "9.9.0"),
            { "delivery:pin": { ...previous, reason: "automatic rollback: the update to 9.9.0 failed" } });
    });

    for (const [stack, environment] of [["dev", "development"], ["staging", "staging"], ["prod", "production"]] as const) {
        it(`${stack}: on a failed update, runs the update again with the shipped stack file plus the rollback, which the program accepts`, async () => {
            const calls: string[][] = [];
            let seen: Record<string, unknown> | undefined;
            const lines: string[] = [];
            const outcome = await upWithRollback({
                stack, project: "delivery", environment, stackFile: stackFile(stack), candidate: "9.9.0", previous,
                upArgs: ["up", "--yes", "-s", stack],
                run: (args) => {
                    calls.push(args);
                    const i = args.indexOf("--config-file");
                    if (i >= 0) {
                        seen = readConfigFile(args[i + 1]);
                        assert.equal(fs.statSync(args[i + 1]).mode & 0o077, 0, "the temporary stack file is private");
                    }
                    return { status: calls.length === 1 ? 1 : 0 };
                },
                say: (l) => lines.push(l),
            });
            assert.equal(outcome, "rolled-back");
            assert.equal(calls.length, 2);
            assert.deepEqual(calls[1].slice(0, 4), ["up", "--yes", "-s", stack]);
            const cfg = resolvedConfig(stack, seen!);
            if (environment === "development") {
                assert.equal(cfg.release?.version, "1.8.3");
            } else {
                assert.equal(cfg.pin?.version, "1.8.3");
                assert.match(cfg.pin!.reason, /automatic rollback: the update to 9\.9\.0 failed/);
            }
            assert.equal(cfg.app.name, "storefront", "everything else is the shipped stack file");
            assert.match(lines.join("\n"), new RegExp(`${stack} is back on 1\\.8\\.3`));
            const i = calls[1].indexOf("--config-file");
            assert.ok(!fs.existsSync(calls[1][i + 1]), "the temporary file is removed");
        });
    }

    it("does not roll back a successful update, reports a stack with nothing to go back to, and says so loudly when the rollback fails", async () => {
        const base = { stack: "prod", project: "delivery", environment: "production" as const, stackFile: stackFile("prod"), candidate: "9.9.0", upArgs: ["up"] };
        let n = 0;
        assert.equal(await upWithRollback({ ...base, previous, run: () => ({ status: (n++, 0) }), say: () => undefined }), "updated");
        assert.equal(n, 1);
        const lines: string[] = [];
        assert.equal(await upWithRollback({ ...base, run: () => ({ status: 1 }), say: (l) => lines.push(l) }), "failed");
        assert.match(lines.join("\n"), /nothing to roll back to/);
        assert.equal(await upWithRollback({ ...base, previous, run: () => ({ status: 1 }), say: (l) => lines.push(l) }), "failed");
        assert.match(lines.join("\n"), /ROLLBACK FAILED: prod could not be put back on 1\.8\.3/);
    });
});
