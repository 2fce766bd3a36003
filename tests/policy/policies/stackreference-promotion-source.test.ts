import { check, fails, notApplicable, pack, passes, record, recordData, stackReference } from "../fixtures";

const policy = pack("stackreference-promotion-source");
const REMEDY = "Remedy: promote from staging (delivery:promotion.from: <org>/delivery/staging) and run production on its own cluster.";

describe("stackreference-promotion-source", () => {
    it("passes production reading staging, or another production stack", async () => {
        passes(await check(policy, stackReference("organization/delivery/staging")));
        passes(await check(policy, stackReference("acme/delivery/prod-eu")));
    });

    it("fails production depending on a dev stack", async () => {
        fails(await check(policy, stackReference("organization/delivery/dev")),
            `StackReference upstream-dev makes production depend on organization/delivery/dev, a development stack (dev → staging → prod only). ${REMEDY}`);
    });

    it("reads the references a release record lists (the engine never shows StackReferences to policies)", async () => {
        passes(await check(policy, record()));
        fails(await check(policy, record({ ...recordData(), stackReferences: "organization/delivery/dev,organization/delivery/staging" })),
            `A StackReference recorded in storefront-record makes production depend on organization/delivery/dev, a development stack (dev → staging → prod only). ${REMEDY}`);
    });

    it("fails a stack whose name does not say its environment", async () => {
        fails(await check(policy, stackReference("organization/delivery/blue")),
            "StackReference upstream-blue points at organization/delivery/blue, whose name does not say its environment, so production's source cannot be verified. " +
            "Remedy: reference the staging stack by a name that says so (…/staging), or a production stack.");
    });

    it("applies when the policy config says production, whatever the stack is called", async () => {
        fails(await check(policy, stackReference("organization/delivery/dev", { stack: "blue" }), { environment: "production" }),
            `StackReference upstream-dev makes production depend on organization/delivery/dev, a development stack (dev → staging → prod only). ${REMEDY}`);
    });

    it("does not apply to staging reading dev", async () => {
        notApplicable(await check(policy, stackReference("organization/delivery/dev", { stack: "staging" })), "production only");
    });
});
