import { checkStack, eks, fails, namespace, notApplicable, pack, passes, record, recordData, DEV_LABELS, resource, NAMESPACE } from "../fixtures";

const policy = pack("stack-policy-config-environment");
const devNamespace = () => resource(NAMESPACE, "storefront-ns", { metadata: { name: "storefront-dev", labels: DEV_LABELS } }, { stack: "dev" });

describe("stack-policy-config-environment", () => {
    it("passes a config written for the stack's environment, or a stricter one", async () => {
        passes(await checkStack(policy, [devNamespace()], { environment: "development" }));
        passes(await checkStack(policy, [eks(), namespace()], { environment: "production" }));
        passes(await checkStack(policy, [devNamespace()], { environment: "production" }));
    });

    it("fails production resources reviewed with the development config", async () => {
        fails(await checkStack(policy, [eks(), namespace()], { environment: "development" }),
            "The policy config is for development, but this stack's resources are production (e.g. delivery-prod-eks); its advisory levels must not apply here. " +
            "Remedy: run the pack with the stack's own config: --policy-pack-config policy/config/<stack>.json.");
    });

    it("sees production in a resource's labels even when the stack name says staging", async () => {
        fails(await checkStack(policy, [record({ ...recordData() }, { stack: "staging" })], { environment: "staging" }),
            "The policy config is for staging, but this stack's resources are production (e.g. storefront-record); its advisory levels must not apply here. " +
            "Remedy: run the pack with the stack's own config: --policy-pack-config policy/config/<stack>.json.");
    });

    it("does not apply when the config names no environment", async () => {
        notApplicable(await checkStack(policy, [eks()]), "names no environment");
    });
});
