import { PolicyResource } from "@pulumi/policy";
import { peek, stringMap } from "./props";
import { CONFIG_MAP } from "./types";

/** The ConfigMap the program writes next to the release: where the running release came from. */
export const RECORD_LABEL = "delivery.example.com/record";

export function isRecord(r: Pick<PolicyResource, "type" | "props">): boolean {
    return r.type === CONFIG_MAP && (stringMap(r.props, "metadata", "labels")[RECORD_LABEL] === "promotion" ||
        /-release-record$/.test(String(peek(r.props, "metadata", "name") ?? "")));
}

export function recordField(props: Record<string, unknown>, key: string): string {
    const v = peek(props, "data", key);
    return typeof v === "string" ? v : "";
}

/**
 * The stacks a release record says its stack reads (data.stackReferences, comma-separated). The
 * engine gives policies registered resources only, never the StackReferences themselves (they are
 * reads), so this list is how the pack sees what a stack depends on.
 */
export function recordedReferences(props: Record<string, unknown>): string[] {
    return recordField(props, "stackReferences").split(",").map((s) => s.trim()).filter((s) => s !== "");
}
