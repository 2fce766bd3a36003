/**
 * GCP labels from the program's tags: keys and values lower-case letters, digits, `_` and `-`, at
 * most 63 characters. One function, so the labels GKE resources carry and the label a budget
 * filters on (components/budget) are the same.
 */
export function gcpLabelValue(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, 63);
}

export function gcpLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(tags).map(([k, v]) => [gcpLabelValue(k), gcpLabelValue(v)]));
}
