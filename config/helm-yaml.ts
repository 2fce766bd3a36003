/**
 * YAML as Helm and the Kubernetes provider read it (go-yaml v2 through sigs.k8s.io/yaml): YAML 1.1
 * scalars — `yes`/`on`/`y` are true, `no`/`off`/`n` false, `0644` octal — while timestamps and
 * `1:20` stay strings, and the last of duplicate keys wins instead of failing. A chart's
 * Chart.yaml, values.yaml and rendered manifest are read this way, so what the program checks is
 * what Helm renders and the provider registers.
 */
import { DocumentOptions, ParseOptions, SchemaOptions, parse } from "yaml";

export const HELM_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
    version: "1.1",
    uniqueKeys: false,
    customTags: (tags) => tags.filter((t) => !(typeof t === "object" && (t.format === "TIME" || t.tag === "tag:yaml.org,2002:timestamp"))),
};

export function parseHelmYaml(text: string): unknown {
    return parse(text, HELM_YAML);
}
