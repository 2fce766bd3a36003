/** Kubernetes resource quantities as numbers (shared by the pack and the config reader). */
/** CPU in millicores or memory in bytes, from a Kubernetes quantity; undefined when unreadable. */
export function quantity(v: unknown, kind: "cpu" | "memory"): number | undefined {
    const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim() : "";
    if (kind === "cpu") {
        const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(s);
        return m ? Number(m[1]) * (m[2] === "m" ? 1 : 1000) : undefined;
    }
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?$/.exec(s);
    const unit: Record<string, number> = { "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
    return m ? Number(m[1]) * unit[m[2] ?? ""] : undefined;
}
