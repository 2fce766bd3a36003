/**
 * What waits for a chart (the smoke check, the blue-green switch) depends on the chart and on each
 * rendered object the SDK hands back as a resource. A chart's `resources` comes back from the
 * engine as references; the SDK rebuilds only those whose @pulumi/kubernetes module is loaded, and
 * hands any other kind (a CRD's, from a chart nobody here wrote) back as its ID.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { renderedObjects } from "../components/app/release";

class FakeChart extends pulumi.ComponentResource {
    readonly resources: pulumi.Output<unknown[] | undefined>;
    constructor(name: string, resources: pulumi.Input<unknown[] | undefined>) {
        super("test:index:FakeChart", name);
        this.resources = pulumi.output(resources) as pulumi.Output<unknown[] | undefined>;
    }
}

class FakeDeployment extends pulumi.CustomResource {
    constructor(name: string) {
        super("kubernetes:apps/v1:Deployment", name, {});
    }
}

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply((v) => { resolve(v); return v; }));

describe("what waits for a chart's rendered objects", () => {
    before(async () => {
        await pulumi.runtime.setMocks({
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: (args) => args.inputs,
        }, "delivery", "dev", true);
    });

    it("depends on the chart and every object rebuilt as a resource, never on a bare ID", async () => {
        const deployment = new FakeDeployment("web");
        const chart = new FakeChart("release", [deployment, "storefront/web-monitor", "urn:pulumi:dev::delivery::x$kubernetes:monitoring.coreos.com/v1:ServiceMonitor::m"]);
        const deps = await value(renderedObjects(chart));
        assert.deepEqual(deps, [chart, deployment]);
        assert.ok(deps.every((d) => pulumi.Resource.isInstance(d)), "dependsOn takes only resources");
    });

    it("depends on the chart alone when it hands back no objects (preview of a chart whose objects are unknown)", async () => {
        const chart = new FakeChart("empty", undefined);
        assert.deepEqual(await value(renderedObjects(chart)), [chart]);
    });
});
