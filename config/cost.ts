/**
 * The monthly cost estimate of a stack, from the dated price table in config/prices.json: nodes at
 * the autoscaling floor and at the ceiling (with their disks), the cluster fee, NAT gateways and
 * the load balancer in front of the ingress. Plainly an estimate: on-demand list prices, no
 * traffic, no storage beyond node disks, no discounts. Only for clusters the stack creates; an
 * existing or borrowed cluster is paid by its owner.
 */
import PRICES from "./prices.json";
import { StackConfig } from "./model";

export const PRICE_DATE: string = PRICES.date;

export interface CostLine {
    readonly item: string;
    readonly floorUsd: number;
    readonly ceilingUsd: number;
}

export interface CostEstimate {
    /** The cloud whose prices were used, or undefined when the stack creates no cluster. */
    readonly cloud?: "aws" | "azure" | "gcp";
    readonly lines: readonly CostLine[];
    readonly floorUsd: number;
    readonly ceilingUsd: number;
    /** Why a line could not be priced (a node size missing from the table). */
    readonly unpriced: readonly string[];
    readonly priceDate: string;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function estimateCost(cfg: Pick<StackConfig, "cluster" | "app">): CostEstimate {
    const c = cfg.cluster;
    if (c.provider !== "aws" && c.provider !== "azure" && c.provider !== "gcp") {
        return { lines: [], floorUsd: 0, ceilingUsd: 0, unpriced: [], priceDate: PRICE_DATE };
    }
    const p = PRICES[c.provider];
    const hours = PRICES.hoursPerMonth;
    const lines: CostLine[] = [];
    const unpriced: string[] = [];
    const node = (p.nodesPerHour as Record<string, number>)[c.nodes.size];
    if (node === undefined) {
        unpriced.push(`node size ${c.nodes.size} is not in config/prices.json (${c.provider})`);
    } else {
        lines.push({ item: `nodes: ${c.nodes.min}–${c.nodes.max} × ${c.nodes.size}`, floorUsd: c.nodes.min * node * hours, ceilingUsd: c.nodes.max * node * hours });
    }
    lines.push({ item: `node disks: ${c.nodes.diskGiB} GiB each`, floorUsd: c.nodes.min * c.nodes.diskGiB * p.diskPerGiBMonth, ceilingUsd: c.nodes.max * c.nodes.diskGiB * p.diskPerGiBMonth });
    lines.push({ item: "cluster fee", floorUsd: p.clusterPerHour * hours, ceilingUsd: p.clusterPerHour * hours });
    // EKS: one NAT gateway per zone when natPerZone, else one; AKS and GKE: one NAT gateway.
    const nats = c.provider === "aws" && c.natPerZone ? Math.max(c.zones.length, 1) : 1;
    lines.push({ item: `NAT gateways: ${nats}`, floorUsd: nats * p.natGatewayPerHour * hours, ceilingUsd: nats * p.natGatewayPerHour * hours });
    if (cfg.app.ingress.enabled) {
        lines.push({ item: "load balancer (ingress)", floorUsd: p.loadBalancerPerHour * hours, ceilingUsd: p.loadBalancerPerHour * hours });
    }
    const rounded = lines.map((l) => ({ ...l, floorUsd: round(l.floorUsd), ceilingUsd: round(l.ceilingUsd) }));
    return {
        cloud: c.provider,
        lines: rounded,
        floorUsd: round(rounded.reduce((a, l) => a + l.floorUsd, 0)),
        ceilingUsd: round(rounded.reduce((a, l) => a + l.ceilingUsd, 0)),
        unpriced,
        priceDate: PRICE_DATE,
    };
}

/** Lines for the plan: the estimate and how it compares with the budget. */
export function describeCost(stack: string, e: CostEstimate, budget: { monthlyUsd: number } | undefined): string[] {
    if (e.cloud === undefined) {
        return [`cost estimate (${stack}): none, the stack creates no cluster (its owner pays for it)`];
    }
    const usd = (x: number) => `$${x.toFixed(2)}`;
    const out = [`cost estimate (${stack}, ${e.cloud} list prices of ${e.priceDate}; an estimate, not a bill): ${usd(e.floorUsd)}/month at the autoscaling floor, ${usd(e.ceilingUsd)} at the ceiling`];
    for (const l of e.lines) {
        out.push(`  ${l.item}: ${usd(l.floorUsd)} – ${usd(l.ceilingUsd)}`);
    }
    for (const u of e.unpriced) {
        out.push(`  not priced: ${u}`);
    }
    if (budget === undefined) {
        out.push("  budget: none (delivery:budget is not set)");
    } else if (e.ceilingUsd > budget.monthlyUsd) {
        out.push(`  OVER BUDGET: the ceiling (${usd(e.ceilingUsd)}) exceeds delivery:budget.monthlyUsd (${usd(budget.monthlyUsd)})`);
    } else {
        out.push(`  budget: ${usd(budget.monthlyUsd)}/month; the ceiling uses ${Math.round((e.ceilingUsd / budget.monthlyUsd) * 100)} % of it`);
    }
    return out;
}
