/** Content digests (pure: no Pulumi runtime, so the offline renderer and tools load it cheaply). */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** `sha256:` over a directory's files (paths and contents, sorted): the same chart gives the same digest anywhere. */
export function directoryDigest(dir: string): string {
    const h = crypto.createHash("sha256");
    const walk = (d: string, rel: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            if (e.isDirectory()) {
                walk(path.join(d, e.name), r);
            } else if (e.isFile()) {
                h.update(`${r}\0`).update(fs.readFileSync(path.join(d, e.name))).update("\0");
            }
        }
    };
    walk(dir, "");
    return `sha256:${h.digest("hex")}`;
}

