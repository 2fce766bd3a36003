/**
 * The chart a stack deploys and the values it gives it: `delivery:chart` (where the chart comes
 * from, where the promoted release lands in its values), `delivery:valuesFiles` and
 * `delivery:values`. Any chart works: the bundled one, a directory, a Helm repository or an OCI
 * registry. Values are flat per stack (no base/overlay hierarchy); see `composeValues` for the order.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ChartConfig, ImageValuePaths } from "./model";
import { ConfigReader, show } from "./reader";
import { ChartSchema, ValuesFilesSchema, ValuesSchema } from "./schema";

export const BUNDLED_CHART_PATH = ChartSchema.properties.path.default as string;
/** Where the release lands in the bundled chart's values (and in charts that follow its names). */
export const BUNDLED_IMAGE_VALUES: Required<ImageValuePaths> = { repository: "image.repository", tag: "image.tag", digest: "image.digest" };

const H = ChartSchema.properties;
const HTTPS_REPO = /^https:\/\/[^\s/]+(\/[^\s]*)?$/;
const OCI_REPO = /^oci:\/\/[^\s/]+(\/[^\s]+)*$/;

/** Reads `delivery:chart`. `root` is the project directory (charts and values files are relative to it). */
export function readChart(r: ConfigReader, value: unknown, root: string): ChartConfig {
    const o = r.object("chart", value, ChartSchema);
    const iv = r.object("chart.imageValues", o.imageValues, H.imageValues);
    const dotted = (k: "repository" | "tag" | "digest") => r.string(`chart.imageValues.${k}`, iv[k], H.imageValues.properties[k], { optional: true });
    const given: ImageValuePaths = { repository: dotted("repository"), tag: dotted("tag"), digest: dotted("digest") };
    const hasPaths = given.repository !== undefined || given.tag !== undefined || given.digest !== undefined;

    if (o.path !== undefined && o.repository !== undefined) {
        r.issue("chart", "sets both path and repository; choose one", "{ repository: https://charts.acme.io, name: storefront, version: 0.4.1 }");
    }
    let chart: ChartConfig;
    const issuesBefore = r.issues.length;
    if (o.repository !== undefined) {
        const repository = r.string("chart.repository", o.repository, H.repository, { optional: false });
        const oci = repository.startsWith("oci://");
        if (repository !== "" && !(oci ? OCI_REPO : HTTPS_REPO).test(repository)) {
            r.issue("chart.repository", `is not a valid ${oci ? "oci://" : "https://"} URL; got ${show(repository)}`, oci ? "oci://ghcr.io/acme/charts" : "https://charts.acme.io");
        }
        const name = r.string("chart.name", o.name, H.name, { optional: false });
        const version = r.string("chart.version", o.version, H.version, { optional: false });
        const caFile = r.string("chart.caFile", o.caFile, H.caFile, { optional: true });
        if (oci && caFile !== undefined) {
            r.issue("chart.caFile", "is only used with an https:// repository", "remove chart.caFile");
        }
        if (!oci && caFile !== undefined && !fs.existsSync(path.resolve(root, caFile))) {
            r.issue("chart.caFile", `names ${caFile}, which does not exist`, "certs/charts-ca.pem");
        } else if (!oci && caFile !== undefined && !isCertificateFile(path.resolve(root, caFile))) {
            r.issue("chart.caFile", `names ${caFile}, which is not a file of PEM CA certificates (its content is not shown)`, "certs/charts-ca.pem");
        }
        chart = oci
            ? { kind: "oci", repository: repository.replace(/\/+$/, ""), name, version, bundled: false, imageValues: given, appValues: false }
            : { kind: "repository", repository, name, version, caFile, bundled: false, imageValues: given, appValues: false };
    } else {
        const p = r.string("chart.path", o.path, H.path);
        const normal = path.posix.normalize(p.replace(/\\/g, "/")).replace(/\/+$/, "");
        if (path.isAbsolute(normal) || normal.startsWith("..")) {
            r.issue("chart.path", `must be a directory inside the project (relative, no ..); got ${show(p)}`, BUNDLED_CHART_PATH);
        } else if (!fs.existsSync(path.join(root, normal, "Chart.yaml"))) {
            r.issue("chart.path", `${p} has no Chart.yaml`, BUNDLED_CHART_PATH);
        }
        if (o.version !== undefined) {
            r.issue("chart.version", "is only used with chart.repository: a chart directory's version is the one in its Chart.yaml", "remove chart.version");
        }
        if (o.name !== undefined) {
            r.issue("chart.name", "is only used with chart.repository: a chart directory's name is the one in its Chart.yaml", "remove chart.name");
        }
        if (o.caFile !== undefined) {
            r.issue("chart.caFile", "is only used with an https:// repository", "remove chart.caFile");
        }
        const bundled = normal === BUNDLED_CHART_PATH;
        chart = { kind: "path", path: normal, bundled, imageValues: given, appValues: bundled };
    }
    const appValues = r.boolean("chart.appValues", o.appValues, H.appValues, { default: chart.bundled });
    const imageValues = hasPaths ? given : appValues ? BUNDLED_IMAGE_VALUES : given;
    // A chart that could not be read is the root cause; where its release lands is not asked on top.
    if (imageValues.tag === undefined && imageValues.digest === undefined && r.issues.length === issuesBefore) {
        r.issue("chart.imageValues", "must name where the promoted release lands in this chart's values (tag and/or digest): without it promotion would not change what runs",
            "{ repository: connect.image.repository, tag: connect.image.tag }");
    }
    // The bundled chart builds its image from image.*: the release lands there or nowhere it would run.
    if (chart.bundled && hasPaths) {
        for (const k of ["repository", "tag", "digest"] as const) {
            if (given[k] !== undefined && given[k] !== BUNDLED_IMAGE_VALUES[k]) {
                r.issue(`chart.imageValues.${k}`, `is ${show(given[k])}, but the bundled chart builds its image from ${BUNDLED_IMAGE_VALUES[k]}: the promoted release would not be what runs`,
                    BUNDLED_IMAGE_VALUES[k]);
            }
        }
    }
    return { ...chart, appValues, imageValues };
}

/** A values file: where it came from and what it holds. */
export interface ValuesFile {
    readonly path: string;
    readonly values: Record<string, unknown>;
}

/** A readable file of PEM certificates and nothing secret (a private key is never a CA bundle). */
function isCertificateFile(file: string): boolean {
    try {
        const stat = fs.statSync(file);
        if (!stat.isFile() || stat.size > 1024 * 1024) {
            return false;
        }
        const text = fs.readFileSync(file, "utf8");
        return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text) && !/PRIVATE KEY-----/.test(text);
    } catch {
        return false;
    }
}

export function readValuesFiles(r: ConfigReader, value: unknown, root: string): ValuesFile[] {
    const files = r.stringList("valuesFiles", value, ValuesFilesSchema);
    const out: ValuesFile[] = [];
    files.forEach((f, i) => {
        const key = `valuesFiles[${i}]`;
        if (f === "") {
            return;
        }
        const normal = path.posix.normalize(f.replace(/\\/g, "/"));
        if (path.isAbsolute(normal) || normal.startsWith("..")) {
            r.issue(key, `must be a file inside the project (relative, no ..); got ${show(f)}`, "values/prod.yaml");
            return;
        }
        const file = path.join(root, normal);
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
            r.issue(key, `names ${f}, which does not exist`, "values/prod.yaml");
            return;
        }
        let doc: unknown;
        try {
            doc = parseYaml(fs.readFileSync(file, "utf8"));
        } catch (e) {
            const first = String((e as Error).message).split("\n")[0];
            r.issue(key, `${f} is not valid YAML (${first})`, "values/prod.yaml");
            return;
        }
        if (doc === null || doc === undefined) {
            out.push({ path: normal, values: {} });
            return;
        }
        if (typeof doc !== "object" || Array.isArray(doc)) {
            r.issue(key, `${f} must hold a map of chart values at the top level`, "values/prod.yaml");
            return;
        }
        out.push({ path: normal, values: doc as Record<string, unknown> });
    });
    return out;
}

export function readInlineValues(r: ConfigReader, value: unknown): Record<string, unknown> {
    return r.object("values", value, ValuesSchema);
}
