import { stackPolicy } from "../lib/define";
import { COLOUR_LABEL } from "../lib/colours";
import { ImageRef, parseImage } from "../lib/images";
import { peek } from "../lib/props";
import { isRecord, recordField } from "../lib/record";
import { WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeWorkload, namespaceOf, podLabelsOf, podSpecOf } from "../lib/workloads";

const RECORD_TYPE = "kubernetes:core/v1:ConfigMap";

const refOf = (i: ImageRef) => `${i.repository}${i.tag ? `:${i.tag}` : ""}${i.digest ? `@${i.digest}` : ""}`;

/** The digest decides what runs when there is one; otherwise the tag, with no digest beside it. */
function runs(image: ImageRef, promoted: ImageRef): boolean {
    return promoted.digest ? image.digest === promoted.digest : image.digest === undefined && image.tag === promoted.tag;
}

/** Each colour's release in a blue-green record (data.rollout), as the image it must run. */
function colourImages(rollout: string, repository: string): Map<string, ImageRef> {
    const out = new Map<string, ImageRef>();
    let parsed: unknown;
    try {
        parsed = JSON.parse(rollout);
    } catch {
        return out;
    }
    const colours = (parsed as { colours?: Record<string, { imageTag?: unknown; imageDigest?: unknown }> } | null)?.colours ?? {};
    for (const [colour, r] of Object.entries(colours)) {
        const digest = typeof r?.imageDigest === "string" && r.imageDigest !== "" ? r.imageDigest : undefined;
        const tag = typeof r?.imageTag === "string" && r.imageTag !== "" ? r.imageTag : undefined;
        if (digest || tag) {
            out.set(colour, { repository, tag: digest ? undefined : tag, digest });
        }
    }
    return out;
}

/**
 * What runs is what was promoted, judged on the rendered workloads: in the namespace holding the
 * release record, every container of the release's image repository runs the recorded tag or
 * digest (a blue-green colour its own colour's release), and the app's long-running workloads run
 * the promoted release at all (its repository, or its tag or digest for a chart that composes its
 * own repositories) — so no chart value, values file or image path can put an image into
 * production that the promotion chain never carried.
 */
export const workloadImagePromoted = stackPolicy({
    name: "workload-image-promoted",
    description: "Production runs the image its release record names: the promoted tag or digest, not one set by chart values beside the promotion.",
    severity: "critical",
    topics: ["supply-chain", "promotion"],
    scope: "production",
    blocks: "production workloads running another tag or digest of the app's image than the release record's, or an app that does not run the promoted image at all",
    remedy: "remove the image tag, digest or repository from delivery:values and delivery:valuesFiles, and point delivery:chart.imageValues at the values the chart builds its image from; the release comes from promotion or delivery:pin",
    resourceTypes: [...WORKLOAD_TYPES, RECORD_TYPE],
    validate: ({ resources, report }) => {
        for (const record of resources.filter((r) => isRecord(r))) {
            const namespace = namespaceOf(record.props);
            const recorded = recordField(record.props, "image");
            if (namespace === undefined || recorded === "") {
                continue;
            }
            const promoted = parseImage(recorded);
            const colours = colourImages(recordField(record.props, "rollout"), promoted.repository);
            const workloads = resources.filter((r) => WORKLOAD_TYPES.includes(r.type) && namespaceOf(r.props) === namespace);
            const serving = new Map<string, { found: boolean; first: typeof workloads[number]; images: string[] }>();
            for (const w of workloads) {
                const colour = podLabelsOf(w.type, w.props)[COLOUR_LABEL] ?? "";
                const expected = colours.get(colour) ?? promoted;
                const longRunning = !w.type.endsWith(":Job") && !w.type.endsWith(":CronJob");
                const group = serving.get(colour) ?? { found: false, first: w, images: [] };
                for (const c of containersOf(podSpecOf(w.type, w.props))) {
                    const ref = peek(c.spec, "image");
                    if (typeof ref !== "string") {
                        continue;
                    }
                    const image = parseImage(ref);
                    if (image.repository === promoted.repository) {
                        group.found = group.found || longRunning;
                        if (!runs(image, expected)) {
                            report(`${describeWorkload(w.type, w.name)} ${c.label} runs ${refOf(image)}, but the release record of ${namespace} promoted ${refOf(expected)}`, w);
                        }
                    } else if (longRunning) {
                        // A chart that composes its own repositories (an umbrella's subcharts) still carries the promoted tag or digest.
                        group.found = group.found || runs({ ...image, repository: expected.repository }, expected);
                        group.images.push(refOf(image));
                    }
                }
                if (longRunning) {
                    serving.set(colour, group);
                }
            }
            for (const [colour, g] of serving) {
                if (!g.found) {
                    report(`no ${colour ? `${colour} ` : ""}workload of the app in ${namespace} runs the promoted image ${refOf(colours.get(colour) ?? promoted)} (they run ${[...new Set(g.images)].join(", ") || "no image"})`, g.first);
                }
            }
        }
    },
});
