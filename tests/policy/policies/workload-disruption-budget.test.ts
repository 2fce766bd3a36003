import {
    change, checkStack, deployment, esoRelease, fails, notApplicable, pack, passes, pdb, release, releaseInputs,
} from "../fixtures";

const policy = pack("workload-disruption-budget");
const REMEDY = "Remedy: set delivery:app.pdb.minAvailable to 1 or more (below the replica count).";

describe("workload-disruption-budget", () => {
    it("passes a release with a budget, a Deployment with a matching PodDisruptionBudget, and platform charts", async () => {
        passes(await checkStack(policy, [release(), esoRelease()]));
        passes(await checkStack(policy, [deployment(), pdb()]));
    });

    it("fails a release with the budget disabled", async () => {
        fails(await checkStack(policy, [release(change(releaseInputs(), "values.podDisruptionBudget", { enabled: false, minAvailable: 0 }))]),
            `Helm release storefront-helm (chart ./charts/app) has no PodDisruptionBudget (values.podDisruptionBudget.enabled is not true). ${REMEDY}`);
    });

    it("fails a release whose budget lets every pod go", async () => {
        fails(await checkStack(policy, [release(change(releaseInputs(), "values.podDisruptionBudget.minAvailable", 0))]),
            `Helm release storefront-helm (chart ./charts/app) has a PodDisruptionBudget with minAvailable 0, which lets a drain evict every pod. ${REMEDY}`);
    });

    it("accepts a PodDisruptionBudget object in the release's namespace instead of chart values", async () => {
        const noValues = change(releaseInputs(), "values.podDisruptionBudget", undefined);
        passes(await checkStack(policy, [release(noValues), pdb()]));
    });

    it("fails a Deployment without a PodDisruptionBudget selecting its pods", async () => {
        const other = pdb({ spec: { minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "worker" } } } });
        fails(await checkStack(policy, [deployment(), other]),
            'Deployment api has no PodDisruptionBudget selecting its pods in storefront-prod. Remedy: add a PodDisruptionBudget (policy/v1) with minAvailable ≥ 1 whose selector matches {"app.kubernetes.io/name":"api","app.kubernetes.io/part-of":"storefront"}.');
    });

    it("fails a PodDisruptionBudget of minAvailable 0", async () => {
        fails(await checkStack(policy, [deployment(), pdb({ spec: { minAvailable: 0, selector: { matchLabels: { "app.kubernetes.io/name": "api" } } } })]),
            "PodDisruptionBudget api-pdb has minAvailable 0, which protects nothing. Remedy: set spec.minAvailable to 1 or more.");
    });

    it("does not apply outside production", async () => {
        const dev = change(change(releaseInputs(), "values.podDisruptionBudget.enabled", false), "values.environment", "development");
        notApplicable(await checkStack(policy, [release(dev, { stack: "dev" })]), "production only; this stack is development");
    });
});
