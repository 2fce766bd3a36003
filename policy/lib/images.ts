/** Container image references, from pod specs and from Helm values (`image: { registry?, repository, tag, digest }`). */
import { Found } from "./props";
import { findInValues } from "./workloads";

export interface ImageRef {
    /** Fully qualified repository: `docker.io/library/nginx`, `ghcr.io/acme/storefront`. */
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** `nginx` → docker.io/library/nginx (tag unset); `ghcr.io/acme/app:1.2@sha256:…` → all three parts. */
export function parseImage(ref: string): ImageRef {
    let rest = ref.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    return { repository: qualify(rest), tag, digest };
}

/** Adds Docker Hub's implicit registry and `library/` namespace. */
export function qualify(repository: string): string {
    const parts = repository.split("/");
    const hasRegistry = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === "localhost");
    if (hasRegistry) {
        return repository;
    }
    return `docker.io/${parts.length === 1 ? `library/${repository}` : repository}`;
}

/** Whether `repository` is under `prefix` (`ghcr.io/acme/` or `ghcr.io/acme` both mean the acme org). */
export function underPrefix(repository: string, prefix: string): boolean {
    const p = prefix.replace(/\/+$/, "");
    return repository === p || repository.startsWith(`${p}/`);
}

export interface HelmImage extends ImageRef {
    /** Where in the values, e.g. `values.image`. */
    readonly path: string;
    /** The tag as written (may be empty or non-string). */
    readonly rawTag: unknown;
}

/** Image settings anywhere in a Helm release's values. */
export function helmImages(props: unknown): HelmImage[] {
    const out: HelmImage[] = [];
    for (const f of findInValues(props, (key) => key === "image")) {
        const image = imageOf(f);
        if (image) {
            out.push(image);
        }
    }
    return out;
}

function imageOf(f: Found): HelmImage | undefined {
    const v = f.value;
    if (typeof v === "string" && v !== "") {
        const ref = parseImage(v);
        return { ...ref, path: f.path, rawTag: ref.tag };
    }
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (typeof o.repository !== "string" || o.repository === "") {
            return undefined;
        }
        const registry = typeof o.registry === "string" && o.registry !== "" ? `${o.registry.replace(/\/+$/, "")}/` : "";
        return {
            repository: qualify(`${registry}${o.repository}`),
            tag: typeof o.tag === "string" ? o.tag : undefined,
            digest: typeof o.digest === "string" && o.digest !== "" ? o.digest : undefined,
            path: f.path,
            rawTag: o.tag,
        };
    }
    return undefined;
}
