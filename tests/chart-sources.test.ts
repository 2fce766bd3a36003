/**
 * The four chart sources: the bundled chart, a chart directory, a Helm repository over https and an
 * OCI registry, the last two served by a local chart server (tools/local/chart-server.ts) and
 * pulled by helm exactly as the provider pulls them. Each renders with the stack's own values.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Evaluation } from "../tools/offline/evaluate";
import { ChartServer, startChartServer } from "../tools/local/chart-server";
import { ofType, rejects, runChain } from "./harness";

const SPARK = path.resolve(__dirname, "fixtures", "charts", "spark-connect");
const IMAGE_VALUES = { repository: "connect.image.repository", tag: "connect.image.tag" };
const values = { "delivery:values": { connect: { replicas: 2, dynamicAllocation: { enabled: true, maxExecutors: 9 } } } };

describe("chart sources: directory, https repository, OCI registry", function () {
    this.timeout(120000);
    let server: ChartServer;
    let savedCert: string | undefined;
    let work: string;

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-charts-"));
        server = await startChartServer(work, [SPARK]);
        savedCert = process.env.SSL_CERT_FILE;
        process.env.SSL_CERT_FILE = server.caFile; // helm trusts the local CA (the OCI client has no per-chart CA option)
    });

    after(() => {
        server?.stop();
        fs.rmSync(work, { recursive: true, force: true });
        if (savedCert === undefined) {
            delete process.env.SSL_CERT_FILE;
        } else {
            process.env.SSL_CERT_FILE = savedCert;
        }
    });

    const connect = (ev: Evaluation) => ofType(ev, "kubernetes:apps/v1:Deployment").find((d) => d.rendered && d.name.endsWith("-connect"))!;
    const conf = (ev: Evaluation) => ofType(ev, "kubernetes:core/v1:ConfigMap").find((c) => c.rendered && c.name.endsWith("spark-defaults"))!.inputs.data["spark-defaults.conf"];

    it("a Helm repository chart (https, exact version) renders with dev's values and the release's image", async () => {
        const { target } = await runChain("dev", [{
            "delivery:chart": { repository: server.url, name: "spark-connect", version: "1.4.0", caFile: server.caFile, imageValues: IMAGE_VALUES },
        }, values]);
        const chart = ofType(target, "kubernetes:helm.sh/v4:Chart")[0];
        assert.deepEqual([chart.inputs.chart, chart.inputs.version, chart.inputs.repositoryOpts.repo], ["spark-connect", "1.4.0", server.url]);
        assert.equal(connect(target).inputs.spec.replicas, 2);
        assert.equal(connect(target).inputs.spec.template.spec.containers[0].image, "ghcr.io/acme/storefront:1.8.3");
        assert.match(conf(target), /maxExecutors 9/);
        assert.deepEqual((target.outputs.release as Record<string, string>).chartSource, server.url);
    });

    it("an OCI chart renders the same objects", async () => {
        const { target } = await runChain("dev", [{
            "delivery:chart": { repository: server.oci, name: "spark-connect", version: "1.4.0", imageValues: IMAGE_VALUES },
        }, values]);
        const chart = ofType(target, "kubernetes:helm.sh/v4:Chart")[0];
        assert.deepEqual([chart.inputs.chart, chart.inputs.version], [`${server.oci}/spark-connect`, "1.4.0"]);
        assert.equal(connect(target).inputs.spec.replicas, 2);
        assert.match(conf(target), /maxExecutors 9/);
    });

    for (const source of ["https repository", "OCI registry"] as const) {
        it(`a ${source} chart's own values.schema.json judges the stack's values, in the program's format and naming the stack key`, async () => {
            const repository = source === "OCI registry" ? server.oci : server.url;
            const message = await rejects(runChain("dev", [{
                "delivery:chart": { repository, name: "spark-connect", version: "1.4.0", imageValues: IMAGE_VALUES, ...(source === "OCI registry" ? {} : { caFile: server.caFile }) },
            }, { "delivery:values": { connect: { replicas: 0, dynamicAllocation: { enabled: "yes" } } } }]),
            'Invalid configuration for stack "dev" (2 problems); nothing was deployed',
            "delivery:values.connect.replicas: must be >= 1 (checked against spark-connect 1.4.0 values.schema.json)",
            "delivery:values.connect.dynamicAllocation.enabled: must be boolean");
            assert.doesNotMatch(message, /helm could not render/, "the program's check runs before Helm's");
        });
    }

    it("a version the source does not have is a clear error, not a crash", async () => {
        await rejects(runChain("dev", [{
            "delivery:chart": { repository: server.oci, name: "spark-connect", version: "9.9.9", imageValues: IMAGE_VALUES },
        }]), "helm could not render chart", "spark-connect 9.9.9");
    });
});
