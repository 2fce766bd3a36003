import { resourcePolicy } from "../lib/define";
import { helmImages, parseImage, underPrefix } from "../lib/images";
import { read } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, podSpecOf } from "../lib/workloads";

export interface Params {
    /** Registry/repository prefixes images may come from, e.g. `ghcr.io/acme/`. */
    readonly allowedRegistries: string[];
}

/** The organisation's registry: where CI publishes and scans the application's images. */
export const DEFAULT_ALLOWED_REGISTRIES = ["ghcr.io/acme/"];

/** Images come only from registries the organisation controls and scans. */
export const workloadImageRegistry = resourcePolicy<Params>({
    name: "workload-image-registry",
    description: "Container images come from an allowed registry (by default the organisation's ghcr.io/acme/).",
    severity: "high",
    topics: ["workloads", "supply-chain"],
    scope: "all",
    blocks: "images from registries outside `allowedRegistries`",
    remedy: "publish the image to an allowed registry and point delivery:app.image at it",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t),
    params: {
        allowedRegistries: { type: "array", items: { type: "string" }, minItems: 1, default: DEFAULT_ALLOWED_REGISTRIES, description: "Allowed image prefixes (registry, optionally with a path)." },
    },
    validate: ({ type, name, props, config, report }) => {
        const allowed = (repository: string) => config.allowedRegistries.some((p) => underPrefix(repository, p));
        const list = config.allowedRegistries.join(", ");
        if (isHelmValues(type)) {
            for (const img of helmImages(props)) {
                if (!allowed(img.repository)) {
                    report(`${describeRelease(name, props)} pulls ${img.repository} (${img.path}), which is not under an allowed registry (${list})`);
                }
            }
            return;
        }
        for (const c of containersOf(podSpecOf(type, props))) {
            const ref = read(c.spec, "image");
            if (typeof ref === "string" && !allowed(parseImage(ref).repository)) {
                report(`${describeWorkload(type, name)} ${c.label} pulls ${ref}, which is not under an allowed registry (${list})`,
                    `mirror the image into an allowed registry (${list}) and reference it from there`);
            }
        }
    },
});
