/**
 * A local chart source for the tests and the local platform: one HTTPS server on 127.0.0.1 that is
 * both a Helm repository (`/index.yaml`, `/charts/<name>-<version>.tgz`) and an OCI registry
 * (`/v2/charts/<name>/manifests/<version>`, `/v2/charts/<name>/blobs/<digest>`, read-only) for
 * the chart directories it is given, packaged with helm. Its certificate comes from a throw-away
 * CA; clients trust it through `SSL_CERT_FILE` (helm, the Kubernetes provider) or `caFile`.
 *
 * Run as its own process (`startChartServer`), because helm is called synchronously by the
 * offline renderer and an in-process server could not answer it.
 *
 *   node -r ./tools/register.js tools/local/chart-server.ts <workdir> <chart-dir>...
 *   → prints one JSON line { url, oci, caFile, charts: [{ name, version, digest }] }
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { helmBinary } from "../offline/render";

export interface ServedChart {
    readonly name: string;
    readonly version: string;
    /** sha256 of the packaged chart (the repository index's digest; the OCI layer's). */
    readonly digest: string;
}

export interface ChartServer {
    /** `https://127.0.0.1:<port>`: the Helm repository. */
    readonly url: string;
    /** `oci://127.0.0.1:<port>/charts`: the OCI registry's repository prefix. */
    readonly oci: string;
    /** The CA that signed the server's certificate (PEM). */
    readonly caFile: string;
    readonly charts: readonly ServedChart[];
    stop(): void;
}

const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

function openssl(args: string[], cwd: string): void {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function certificates(dir: string): { key: string; cert: string; ca: string } {
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=delivery-charts-ca", "-keyout", "ca.key", "-out", "ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr"], dir);
    fs.writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
    openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", "server.pem", "-extfile", "ext.cnf"], dir);
    return { key: path.join(dir, "server.key"), cert: path.join(dir, "server.pem"), ca: path.join(dir, "ca.pem") };
}

interface Packaged extends ServedChart {
    readonly file: string;
    readonly bytes: Buffer;
    readonly config: Buffer;
}

function packageCharts(dirs: readonly string[], out: string): Packaged[] {
    const helm = helmBinary();
    if (!helm) {
        throw new Error("the chart server packages charts with helm: run `npm run toolchain -- helm`");
    }
    fs.mkdirSync(out, { recursive: true });
    return dirs.map((dir) => {
        const meta = parseYaml(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as Record<string, unknown>;
        execFileSync(helm, ["package", dir, "--destination", out], { stdio: ["ignore", "ignore", "pipe"] });
        const file = `${String(meta.name)}-${String(meta.version)}.tgz`;
        const bytes = fs.readFileSync(path.join(out, file));
        return { name: String(meta.name), version: String(meta.version), digest: sha256(bytes), file, bytes, config: Buffer.from(JSON.stringify(meta)) };
    });
}

function indexYaml(charts: readonly Packaged[], url: string): string {
    const entries: Record<string, unknown[]> = {};
    for (const c of charts) {
        (entries[c.name] ??= []).push({ apiVersion: "v2", name: c.name, version: c.version, digest: c.digest, urls: [`${url}/charts/${c.file}`], created: "2026-01-01T00:00:00Z" });
    }
    return JSON.stringify({ apiVersion: "v1", entries, generated: "2026-01-01T00:00:00Z" });
}

function manifestOf(c: Packaged): Buffer {
    return Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: `sha256:${sha256(c.config)}`, size: c.config.length },
        layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: `sha256:${c.digest}`, size: c.bytes.length }],
    }));
}

/** Serves until the process ends; prints its address as one JSON line. */
function serve(work: string, dirs: readonly string[]): void {
    const tls = certificates(work);
    const charts = packageCharts(dirs, path.join(work, "packages"));
    const blobs = new Map<string, { type: string; body: Buffer }>();
    const manifests = new Map<string, Buffer>();
    for (const c of charts) {
        const m = manifestOf(c);
        blobs.set(`sha256:${c.digest}`, { type: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", body: c.bytes });
        blobs.set(`sha256:${sha256(c.config)}`, { type: "application/vnd.cncf.helm.config.v1+json", body: c.config });
        manifests.set(`${c.name}:${c.version}`, m);
        manifests.set(`${c.name}:sha256:${sha256(m)}`, m);
    }
    let url = "";
    const server = https.createServer({ key: fs.readFileSync(tls.key), cert: fs.readFileSync(tls.cert) }, (req, res) => {
        const send = (code: number, type: string, body: Buffer | string, headers: Record<string, string> = {}) => {
            const b = typeof body === "string" ? Buffer.from(body) : body;
            res.writeHead(code, { "Content-Type": type, "Content-Length": String(b.length), ...headers });
            res.end(req.method === "HEAD" ? undefined : b);
        };
        const u = (req.url ?? "/").split("?")[0];
        let m: RegExpExecArray | null;
        if (u === "/index.yaml") {
            return send(200, "application/x-yaml", indexYaml(charts, url));
        }
        if ((m = /^\/charts\/([^/]+\.tgz)$/.exec(u))) {
            const c = charts.find((x) => x.file === m![1]);
            return c ? send(200, "application/gzip", c.bytes) : send(404, "text/plain", "not found");
        }
        if (u === "/v2/" || u === "/v2") {
            return send(200, "application/json", "{}", { "Docker-Distribution-API-Version": "registry/2.0" });
        }
        if ((m = /^\/v2\/charts\/([^/]+)\/manifests\/([^/]+)$/.exec(u))) {
            const body = manifests.get(`${m[1]}:${decodeURIComponent(m[2])}`);
            return body
                ? send(200, "application/vnd.oci.image.manifest.v1+json", body, { "Docker-Content-Digest": `sha256:${sha256(body)}` })
                : send(404, "application/json", JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }));
        }
        if ((m = /^\/v2\/charts\/([^/]+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(u))) {
            const blob = blobs.get(m[2]);
            return blob ? send(200, blob.type, blob.body, { "Docker-Content-Digest": m[2] }) : send(404, "application/json", JSON.stringify({ errors: [{ code: "BLOB_UNKNOWN" }] }));
        }
        if ((m = /^\/v2\/charts\/([^/]+)\/tags\/list$/.exec(u))) {
            const name = m[1];
            return send(200, "application/json", JSON.stringify({ name: `charts/${name}`, tags: charts.filter((c) => c.name === name).map((c) => c.version) }));
        }
        return send(404, "text/plain", "not found");
    });
    server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as { port: number }).port;
        url = `https://127.0.0.1:${port}`;
        process.stdout.write(`${JSON.stringify({ url, oci: `oci://127.0.0.1:${port}/charts`, caFile: tls.ca, charts: charts.map(({ name, version, digest }) => ({ name, version, digest })) })}\n`);
    });
}

/** Starts a chart server process for `dirs`; `work` holds its certificates and packages. */
export function startChartServer(work: string, dirs: readonly string[]): Promise<ChartServer> {
    fs.mkdirSync(work, { recursive: true });
    const child: ChildProcess = spawn(process.execPath, ["-r", path.join(__dirname, "..", "register.js"), __filename, work, ...dirs.map((d) => path.resolve(d))], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout!.on("data", (d) => {
            out += String(d);
            const line = out.split("\n")[0];
            if (out.includes("\n")) {
                const info = JSON.parse(line) as Omit<ChartServer, "stop">;
                resolve({ ...info, stop: () => child.kill() });
            }
        });
        child.stderr!.on("data", (d) => (err += String(d)));
        child.on("exit", (code) => reject(new Error(`chart server exited (${code}): ${err.trim()}`)));
    });
}

if (require.main === module) {
    const [work, ...dirs] = process.argv.slice(2);
    serve(work, dirs);
}
