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

export const BUNDLED_CHART_PATH = "charts/app";
/** Where the release lands in the bundled chart's values (and in charts that follow its names). */
export const BUNDLED_IMAGE_VALUES: Required<ImageValuePaths> = { repository: "image.repository", tag: "image.tag", digest: "image.digest" };

const SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const CHART_NAME = /^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/;
const DOTTED = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
const HTTPS_REPO = /^https:\/\/[^\s/]+(\/[^\s]*)?$/;
const OCI_REPO = /^oci:\/\/[^\s/]+(\/[^\s]+)*$/;

/** Reads `delivery:chart`. `root` is the project directory (charts and values files are relative to it). */
export function readChart(r: ConfigReader, value: unknown, root: string): ChartConfig {
    const o = r.object("chart", value, "{ path: charts/app }");
    r.unknownKeys("chart", o, ["path", "repository", "name", "version", "caFile", "imageValues", "appValues"]);
    const iv = r.object("chart.imageValues", o.imageValues, "{ repository: connect.image.repository, tag: connect.image.tag }");
    r.unknownKeys("chart.imageValues", iv, ["repository", "tag", "digest"]);
    const dotted = (k: "repository" | "tag" | "digest") => r.string(`chart.imageValues.${k}`, iv[k], {
        optional: true, pattern: DOTTED, what: "a dotted path into the chart's values", example: `connect.image.${k}`,
    });
    const given: ImageValuePaths = { repository: dotted("repository"), tag: dotted("tag"), digest: dotted("digest") };
    const hasPaths = given.repository !== undefined || given.tag !== undefined || given.digest !== undefined;

    if (o.path !== undefined && o.repository !== undefined) {
        r.issue("chart", "sets both path and repository; choose one", "{ repository: https://charts.acme.io, name: storefront, version: 0.4.1 }");
    }
    let chart: ChartConfig;
    const issuesBefore = r.issues.length;
    if (o.repository !== undefined) {
        const repository = r.string("chart.repository", o.repository, {
            pattern: /^(https|oci):\/\//, what: "an https:// Helm repository or an oci:// registry URL", example: "https://charts.acme.io",
        });
        const oci = repository.startsWith("oci://");
        if (repository !== "" && !(oci ? OCI_REPO : HTTPS_REPO).test(repository)) {
            r.issue("chart.repository", `is not a valid ${oci ? "oci://" : "https://"} URL; got ${show(repository)}`, oci ? "oci://ghcr.io/acme/charts" : "https://charts.acme.io");
        }
        const name = r.string("chart.name", o.name, { pattern: CHART_NAME, what: "a chart name", example: "storefront" });
        const version = r.string("chart.version", o.version, { pattern: SEMVER, what: "an exact chart version (no ranges, no latest)", example: `"0.4.1"` });
        const caFile = r.string("chart.caFile", o.caFile, { optional: true, example: "certs/charts-ca.pem" });
        if (oci && caFile !== undefined) {
            r.issue("chart.caFile", "is only used with an https:// repository", "remove chart.caFile");
        }
        if (!oci && caFile !== undefined && !fs.existsSync(path.resolve(root, caFile))) {
            r.issue("chart.caFile", `names ${caFile}, which does not exist`, "certs/charts-ca.pem");
        }
        chart = oci
            ? { kind: "oci", repository: repository.replace(/\/+$/, ""), name, version, bundled: false, imageValues: given, appValues: false }
            : { kind: "repository", repository, name, version, caFile, bundled: false, imageValues: given, appValues: false };
    } else {
        const p = r.string("chart.path", o.path, { default: BUNDLED_CHART_PATH, example: BUNDLED_CHART_PATH });
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
    const appValues = r.boolean("chart.appValues", o.appValues, { default: chart.bundled, example: "true" });
    const imageValues = hasPaths ? given : appValues ? BUNDLED_IMAGE_VALUES : given;
    // A chart that could not be read is the root cause; where its release lands is not asked on top.
    if (imageValues.tag === undefined && imageValues.digest === undefined && r.issues.length === issuesBefore) {
        r.issue("chart.imageValues", "must name where the promoted release lands in this chart's values (tag and/or digest): without it promotion would not change what runs",
            "{ repository: connect.image.repository, tag: connect.image.tag }");
    }
    return { ...chart, appValues, imageValues };
}

/** A values file: where it came from and what it holds. */
export interface ValuesFile {
    readonly path: string;
    readonly values: Record<string, unknown>;
}

export function readValuesFiles(r: ConfigReader, value: unknown, root: string): ValuesFile[] {
    const files = r.stringList("valuesFiles", value, { default: [], example: "[values/prod.yaml]" });
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
    return r.object("values", value, "{ connect: { replicas: 3 } }");
}
