/** Parameter schemas several policies share. */
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { DEFAULT_APP_LABEL, DEFAULT_PLATFORM_NAMESPACES } from "./namespaces";
import { DEFAULT_PLATFORM_CHARTS } from "./workloads";

type Param<T> = PolicyConfigJSONSchema & { readonly default: T };

const strings = (def: readonly string[], description: string): Param<string[]> =>
    ({ type: "array", items: { type: "string" }, default: [...def], description });

export const platformCharts = (): Param<string[]> =>
    strings(DEFAULT_PLATFORM_CHARTS, "Charts of cluster add-ons, exempt from the application's availability and sizing rules.");

export const platformNamespaces = (): Param<string[]> =>
    strings(DEFAULT_PLATFORM_NAMESPACES, "Namespaces of cluster add-ons, exempt from application-namespace rules.");

export const appLabel = (): Param<string> =>
    ({ type: "string", default: DEFAULT_APP_LABEL, description: "Label that marks a Namespace as the application's." });
