import { resourcePolicy } from "../lib/define";
import { helmImages, parseImage } from "../lib/images";
import { read } from "../lib/props";
import { HELM_VALUES_TYPES, isHelmValues, isWorkload, WORKLOAD_TYPES } from "../lib/types";
import { containersOf, describeRelease, describeWorkload, podSpecOf } from "../lib/workloads";

export interface Params {
    /** Tags that move: an image under one of them is not the image that was reviewed. */
    readonly mutableTags: string[];
}

export const DEFAULT_MUTABLE_TAGS = [
    "latest", "main", "master", "develop", "development", "dev", "edge", "nightly", "stable", "head", "snapshot", "staging", "stage",
    "prod", "production", "release", "canary", "beta", "alpha", "test", "qa", "current", "next", "preview", "trunk",
];
/** `1`, `v1`, `1.8`, `v1.8`: a partial version moves with every patch release. */
export const PARTIAL_VERSION = /^v?\d+(\.\d+)?$/;

/** Images are pinned by version tag or digest, so what was reviewed is what runs. */
export const workloadImagePinned = resourcePolicy<Params>({
    name: "workload-image-pinned",
    description: "Container images are pinned to a version tag or a digest; never `latest`, another moving tag, or no tag at all.",
    severity: "high",
    topics: ["workloads", "supply-chain"],
    scope: "all",
    blocks: "images tagged `latest` (or another moving tag), or without tag and digest",
    remedy: "promote a versioned release (delivery:release.version, optionally imageDigest); for a pin use the version's tag, never latest",
    resourceTypes: [...WORKLOAD_TYPES, ...HELM_VALUES_TYPES],
    appliesTo: (t) => isWorkload(t) || isHelmValues(t),
    params: {
        mutableTags: { type: "array", items: { type: "string" }, default: DEFAULT_MUTABLE_TAGS, description: "Tags that are not pins (compared case-insensitively)." },
    },
    validate: ({ type, name, props, config, report }) => {
        const moving = (tag: string) => PARTIAL_VERSION.test(tag) || config.mutableTags.some((t) => t.toLowerCase() === tag.toLowerCase().replace(/-(latest)$/, ""));
        if (isHelmValues(type)) {
            for (const img of helmImages(props)) {
                if (img.digest) {
                    continue;
                }
                if (typeof img.rawTag === "string" && img.rawTag.trim() === "") {
                    report(`${describeRelease(name, props)} sets an empty image tag and no digest at ${img.path} (${img.repository})`);
                } else if (img.tag !== undefined && moving(img.tag)) {
                    report(`${describeRelease(name, props)} runs ${img.repository}:${img.tag} (${img.path}.tag), a moving tag`);
                }
            }
            return;
        }
        for (const c of containersOf(podSpecOf(type, props))) {
            const ref = read(c.spec, "image");
            if (typeof ref !== "string") {
                continue;
            }
            const img = parseImage(ref);
            if (img.digest) {
                continue;
            }
            if (img.tag === undefined) {
                report(`${describeWorkload(type, name)} ${c.label} runs ${ref} without a tag or digest, which pulls latest`, "pin the image to a version tag or a digest (image@sha256:…)");
            } else if (moving(img.tag)) {
                report(`${describeWorkload(type, name)} ${c.label} runs ${ref}, a moving tag`, "pin the image to a version tag or a digest (image@sha256:…)");
            }
        }
    },
});
