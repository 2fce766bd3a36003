/**
 * End-to-end: the real Pulumi CLI, language host and Kubernetes provider (npm run toolchain),
 * a file backend and a loopback control plane (etcd + kube-apiserver + kube-controller-manager).
 * The shipped stacks run with the local overlay (tools/local/overlay.ts). The cases build on each
 * other in order (one cluster, one backend): invalid config → deploy → objects → policies →
 * promotion → drift → destroy.
 *
 *   npm run test:e2e        (needs `npm run toolchain`; fails, naming what is missing, without it)
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, readConfigFile } from "../../tools/offline/stackfile";
import { startChartServer } from "../../tools/local/chart-server";
import { CommandResult, LocalEnvironment, TOOLCHAIN_DIR } from "../../tools/local/environment";
import { fakeDocument, resolvedConfig, seedStack } from "../../tools/local/stores";
import { parse as parseYaml } from "yaml";

const UNSAFE = path.join(ROOT, "tests", "fixtures", "unsafe");
const POLICY_PACK = path.join(ROOT, "policy");
const NAMESPACES: Record<string, string> = { dev: "storefront-dev", staging: "storefront-staging", prod: "storefront-prod" };
const RELEASE = "storefront";

/** Cluster-scoped names that exist before the program runs (and must be all that remains after destroy). */
const CLUSTER_SCOPED = "namespaces,clusterroles,clusterrolebindings,customresourcedefinitions,clustersecretstores.external-secrets.io";

const text = (r: CommandResult) => `${r.stdout}\n${r.stderr}`;

describe("the program on the real engine against a local control plane", function () {
    this.timeout(0);
    let local: LocalEnvironment;
    let baseline: string[];
    const log: string[] = [];

    const names = (kinds: string, ...args: string[]) =>
        local.kubectl(["get", kinds, "-o", "name", ...args]).stdout.split("\n").filter((l) => l !== "").sort();

    /** Writes the stack's local config (+ overrides) and runs `pulumi up`. */
    const up = (stack: string, ...overrides: Record<string, unknown>[]) => {
        local.writeStack(stack, local.stackConfig(stack, ...overrides));
        return local.pulumi(["up", "--yes", "--skip-preview", "-s", stack]);
    };
    const preview = (stack: string, env: string, ...overrides: Record<string, unknown>[]) => {
        local.writeStack(stack, local.stackConfig(stack, ...overrides));
        return local.pulumi(["preview", "-s", stack, "--policy-pack", POLICY_PACK,
            "--policy-pack-config", path.join(POLICY_PACK, "config", `${env}.json`)], { allowFailure: true });
    };
    /** `npm run promote -- …` in the workspace, against the backend the environment is logged into. */
    const promote = (...args: string[]) => {
        local.env.PULUMI_BIN = local.pulumiBinary;
        return local.run(process.execPath, ["-r", path.join(ROOT, "tools", "register.js"), path.join(ROOT, "tools", "promote.ts"), ...args], { allowFailure: true });
    };
    const recordOf = (stack: string) =>
        local.kubectlJson(["get", "configmap", `${RELEASE}-release-record`, "-n", NAMESPACES[stack]]).data as Record<string, string>;
    /** The app's serving Helm release: `storefront`, or with colours (prod) the one `storefront-active` selects. */
    const serving = (stack: string) => {
        const r = local.kubectl(["get", "service", `${RELEASE}-active`, "-n", NAMESPACES[stack], "-o", "json"], { allowFailure: true });
        return r.code === 0 ? `${RELEASE}-${JSON.parse(r.stdout).spec.selector["delivery.example.com/colour"]}` : RELEASE;
    };
    const deployedImage = (stack: string) =>
        local.kubectlJson(["get", "deployment", serving(stack), "-n", NAMESPACES[stack]]).spec.template.spec.containers[0].image as string;
    /** The pods behind a Service: its EndpointSlices' ready endpoints, by pod name. */
    const endpointPods = (stack: string, service: string) =>
        (local.kubectlJson(["get", "endpointslices", "-n", NAMESPACES[stack], "-l", `kubernetes.io/service-name=${service}`]).items as any[])
            .flatMap((slice) => (slice.endpoints ?? []) as any[]).filter((e) => e.conditions?.ready === true).map((e) => String(e.targetRef?.name)).sort();

    const isReady = (o: any) => o.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") === true;
    /** Polls `check` every second until it returns a value, or fails after `seconds` with `what`. */
    const eventually = <T>(seconds: number, what: () => string, check: () => T | undefined): T => {
        const deadline = Date.now() + seconds * 1000;
        for (;;) {
            const v = check();
            if (v !== undefined) {
                return v;
            }
            assert.ok(Date.now() < deadline, what());
            spinWait(1000);
        }
    };
    /** The declared secrets' Kubernetes Secrets of a stack, decoded (values only for assertions). */
    const secretData = (stack: string, name: string): Record<string, string> | undefined => {
        const r = local.kubectl(["get", "secret", `${RELEASE}-${name}`, "-n", NAMESPACES[stack], "-o", "json"], { allowFailure: true });
        if (r.code !== 0) {
            return undefined;
        }
        const data = (JSON.parse(r.stdout).data ?? {}) as Record<string, string>;
        return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    };
    /** What the stack's declared secret must hold: the seeded document, under the names the ExternalSecret maps. */
    const expectedData = (stack: string, d: { name: string; property?: string; envVar?: string }, generation = 1) => {
        const doc = fakeDocument(stack, d, generation);
        return d.property !== undefined ? { [d.envVar ?? d.property.toUpperCase()]: doc[d.property] } : doc;
    };

    before(async () => {
        local = LocalEnvironment.start({ log: (l) => log.push(l) });
        baseline = names(CLUSTER_SCOPED);
        for (const stack of ["dev", "staging", "prod"]) {
            local.initStack(stack);
        }
        // One passphrase salt for all three: reading an upstream stack derives no second key.
        const salts = ["dev", "staging", "prod"].map((s) => (parseYaml(fs.readFileSync(path.join(local.workspace, `Pulumi.${s}.yaml`), "utf8")) as { encryptionsalt?: string }).encryptionsalt);
        assert.ok(salts[0] !== undefined && salts.every((s) => s === salts[0]), "the stacks share one encryption salt");
        // The stores' owners' part, before any stack deploys: Vault roles and fake values.
        await local.prepareStores(["dev", "staging", "prod"]);
    });

    after(() => {
        local?.stop();
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") {
            console.log(`    commands so far:\n${log.map((l) => `      ${l}`).join("\n")}`);
        }
    });

    it("refuses invalid config with the program's message and creates nothing", () => {
        local.writeStack("dev", local.stackConfig("dev", { "delivery:app": { replicas: "three" }, "delivery:release": { version: "latest" } }));
        const r = local.pulumi(["up", "--yes", "-s", "dev"], { allowFailure: true });
        assert.notEqual(r.code, 0);
        const out = text(r);
        assert.match(out, /Invalid configuration for stack "dev" \(3 problems\); nothing was deployed/);
        assert.match(out, /delivery:app\.replicas: must be a whole number, got "three"/);
        assert.match(out, /delivery:release\.version: must be a semantic version \(never latest\); got "latest"/);
        assert.match(out, /delivery:release\.imageTag: must not be latest/);
        assert.deepEqual(local.resourceTypes("dev").filter((t) => t !== "pulumi:pulumi:Stack"), []);
        assert.deepEqual(names(CLUSTER_SCOPED), baseline);
    });

    it("deploys dev, then staging with dev's release, then prod with staging's", () => {
        up("dev");
        up("staging");
        up("prod");
        const [dev, staging, prod] = ["dev", "staging", "prod"].map((s) => local.outputs(s));
        const shippedVersion = (readConfigFile(path.join(ROOT, "Pulumi.dev.yaml"))["delivery:release"] as { version: string }).version;
        assert.equal(dev.release.version, shippedVersion);
        assert.deepEqual(staging.release, dev.release);
        assert.deepEqual(prod.release, staging.release);
        assert.deepEqual([dev.promotion.source, staging.promotion.source, prod.promotion.source], ["config", "upstream", "upstream"]);
        assert.deepEqual([staging.promotion.upstreamStack, prod.promotion.upstreamStack], ["organization/delivery/dev", "organization/delivery/staging"]);
        assert.deepEqual([dev.environment, staging.environment, prod.environment], ["development", "staging", "production"]);
        assert.deepEqual([dev.namespace, staging.namespace, prod.namespace], [NAMESPACES.dev, NAMESPACES.staging, NAMESPACES.prod]);
    });

    it("creates the namespaces, quotas, network policies, the chart's objects and secret stores in the API server", () => {
        for (const [stack, ns] of Object.entries(NAMESPACES)) {
            const namespace = local.kubectlJson(["get", "namespace", ns]);
            assert.equal(namespace.metadata.labels["delivery.example.com/stack"], stack, `${ns} labels`);
            assert.ok(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], `${ns} enforces a Pod Security level`);
            assert.equal(names("resourcequotas", "-n", ns).length, 1, `${ns} quota`);
            assert.ok(names("limitranges", "-n", ns).length >= 1, `${ns} limit range`);
            const policies = local.kubectlJson(["get", "networkpolicies", "-n", ns]).items as any[];
            assert.ok(policies.some((p) => p.spec.podSelector && Object.keys(p.spec.podSelector).length === 0 && p.spec.policyTypes.includes("Ingress")),
                `${ns} has a default-deny policy`);
            // The chart is rendered client-side and each object applied by Pulumi: no Helm release secret.
            assert.deepEqual(names("secrets", "-n", ns, "-l", "owner=helm"), [], `${ns} has no Helm release`);
            assert.deepEqual(names("deployments,services,serviceaccounts,horizontalpodautoscalers,poddisruptionbudgets", "-n", ns)
                .filter((n) => n.endsWith(`/${serving(stack)}`)).map((n) => n.split("/")[0]).sort().slice(0, 2).length, 2, `${ns} has the chart's objects`);
            assert.equal(names("deployments", "-n", ns).length >= 1, true, `${ns} has the chart's Deployment`);
            assert.ok(names("secretstores.external-secrets.io", "-n", ns).length >= 1, `${ns} has a SecretStore`);
            assert.equal(names("externalsecrets.external-secrets.io", "-n", ns).length, 2, `${ns} has the two declared ExternalSecrets`);
        }
        const record = recordOf("prod");
        assert.equal(record.source, "upstream");
        assert.equal(deployedImage("prod"), record.image);
    });

    // The policy pack, loaded by the CLI from policy/ (previews only: nothing changes).
    it("the policy pack passes the shipped prod config", () => {
        const r = preview("prod", "prod");
        assert.equal(r.code, 0, text(r));
        assert.match(text(r), /delivery-guardrails@v\d+\.\d+\.\d+/, "the pack was loaded");
    });

    // [file, the policy, advisory on dev, what refuses prod first when the program does (not the pack)]
    const variants: [file: string, policy: string, advisoryOnDev: boolean, refusedOnProd?: RegExp][] = [
        ["plaintext-secret.yaml", "workload-plaintext-secrets", true],
        ["foreign-registry.yaml", "workload-image-registry", true, /runs its releases from ghcr\.io\/acme\/storefront, but this stack's delivery:app\.image is docker\.io\/library\/nginx/],
        ["baseline-pod-security.yaml", "namespace-pod-security", false],
        ["plain-http-ingress.yaml", "ingress-tls", false],
    ];
    for (const [file, policy, advisoryOnDev, refusedOnProd] of variants) {
        it(`${refusedOnProd ? "the program refuses" : "the policy pack blocks"} prod with ${file} (${policy} on dev)`, () => {
            const override = readConfigFile(path.join(UNSAFE, file));
            try {
                const prod = preview("prod", "prod", override);
                assert.notEqual(prod.code, 0, `prod preview must fail:\n${text(prod)}`);
                assert.match(text(prod), refusedOnProd ?? new RegExp(`\\[mandatory\\].*\\s${policy}\\s`));
                const dev = preview("dev", "dev", override);
                assert.equal(dev.code, 0, text(dev));
                assert.doesNotMatch(text(dev), /\[mandatory\]/);
                if (advisoryOnDev) {
                    assert.match(text(dev), new RegExp(`\\[advisory\\].*\\s${policy}\\s`));
                }
            } finally {
                local.writeStack("prod", local.stackConfig("prod"));
                local.writeStack("dev", local.stackConfig("dev"));
            }
        });
    }

    it("refuses prod on dev's cluster (prod-on-dev-cluster.yaml) before anything is created", () => {
        try {
            const r = preview("prod", "prod", readConfigFile(path.join(UNSAFE, "prod-on-dev-cluster.yaml")));
            assert.notEqual(r.code, 0, `prod preview must fail:\n${text(r)}`);
            assert.match(text(r), /delivery:cluster\.stack: is organization\/delivery\/dev, a development stack: production runs only on a production cluster/);
        } finally {
            local.writeStack("prod", local.stackConfig("prod"));
        }
    });

    const CHARTS = "tests/fixtures/charts";
    const SMALL = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } };
    it("deploys another chart (nested values) with per-stack values through delivery:chart and delivery:values alone", () => {
        const spark = {
            "delivery:chart": { path: `${CHARTS}/spark-connect`, imageValues: { repository: "connect.image.repository", tag: "connect.image.tag" } },
            // Sized to dev's quota (2 CPU, 4Gi): the pack's namespace-quota-fits-workloads checks the same.
            "delivery:values": { connect: { replicas: 2, resources: SMALL, dynamicAllocation: { enabled: true, maxExecutors: 7 } } },
        };
        up("dev", spark);
        const d = local.kubectlJson(["get", "deployment", `${RELEASE}-connect`, "-n", NAMESPACES.dev]);
        assert.equal(d.spec.replicas, 2);
        assert.match(d.spec.template.spec.containers[0].image, /^ghcr\.io\/acme\/storefront:/);
        const conf = local.kubectlJson(["get", "configmap", `${RELEASE}-spark-defaults`, "-n", NAMESPACES.dev]).data["spark-defaults.conf"] as string;
        assert.match(conf, /maxExecutors 7/);
        assert.equal(recordOf("dev").chart, "spark-connect-1.4.0");
        assert.equal(local.outputs("dev").release.chart, "spark-connect");
        up("dev"); // back to the bundled chart: the Spark objects go, the app's come back
        assert.deepEqual(names("deployments", "-n", NAMESPACES.dev), [`deployment.apps/${RELEASE}`]);
    });

    it("deploys a chart from a Helm repository (https) and from an OCI registry, with the stack's values", async () => {
        const server = await startChartServer(path.join(local.root, "charts"), [path.join(ROOT, CHARTS, "spark-connect")]);
        // The provider pulls the chart itself: it trusts the local CA through SSL_CERT_FILE.
        local.env.SSL_CERT_FILE = server.caFile;
        try {
            const imageValues = { repository: "connect.image.repository", tag: "connect.image.tag" };
            const sources = [
                { repository: server.url, name: "spark-connect", version: "1.4.0", caFile: server.caFile, imageValues },
                { repository: server.oci, name: "spark-connect", version: "1.4.0", imageValues },
            ];
            for (const [i, chart] of sources.entries()) {
                up("dev", { "delivery:chart": chart, "delivery:values": { connect: { replicas: 3 + i, resources: SMALL } } });
                const d = local.kubectlJson(["get", "deployment", `${RELEASE}-connect`, "-n", NAMESPACES.dev]);
                assert.equal(d.spec.replicas, 3 + i, `${chart.repository}: the stack's values`);
                assert.equal(local.outputs("dev").release.chartSource, chart.repository.startsWith("oci://") ? `${server.oci}/spark-connect` : server.url);
            }
            up("dev");
            assert.deepEqual(names("deployments", "-n", NAMESPACES.dev), [`deployment.apps/${RELEASE}`]);
        } finally {
            server.stop();
            delete local.env.SSL_CERT_FILE;
        }
    });

    it("the policy pack blocks a prod chart whose templates hard-code privileged, from the rendered objects", () => {
        const hard = {
            "delivery:chart": { path: `${CHARTS}/hardcoded-unsafe`, imageValues: { repository: "image.repository", tag: "image.tag" } },
            "delivery:pin": { version: "1.8.3", reason: "e2e: a chart nobody reviewed" },
        };
        const r = preview("prod", "prod", hard);
        assert.notEqual(r.code, 0, text(r));
        // Resource policies judge each rendered object as it is registered (the API server's dry
        // run then refuses the Deployment, so the preview stops before the stack policies).
        for (const policy of ["workload-privileged", "workload-host-namespaces", "workload-pod-security-restricted", "role-least-privilege"]) {
            assert.match(text(r), new RegExp(`\\[mandatory\\].*${policy}`), `${policy} in\n${text(r)}`);
        }
        // prod runs blue-green: another chart is a new release, rendered on the idle colour.
        assert.match(text(r), /storefront-(blue|green)-chart:storefront-prod\/storefront-(blue|green)-agent/);
        const dev = preview("dev", "dev", { "delivery:chart": hard["delivery:chart"] });
        assert.equal(dev.code, 0, text(dev));
        assert.match(text(dev), /\[advisory\].*workload-privileged/);
        local.writeStack("prod", local.stackConfig("prod"));
        local.writeStack("dev", local.stackConfig("dev"));
    });

    it("promotes: a new dev version moves staging; prod follows only when promoted; a pin holds", () => {
        const before = local.outputs("prod").release.version;
        up("dev", { "delivery:release": { version: "9.1.0" } });
        // Review shows what changes in each rendered object, not one values blob.
        const diff = local.pulumi(["preview", "--diff", "-s", "staging"]);
        assert.match(text(diff), /~ kubernetes:apps\/v1:Deployment: \(update\)\s+\[id=storefront-staging\/storefront\]\s+\[urn=[^\]]*::storefront-chart:storefront-staging\/storefront\]/, text(diff));
        assert.match(text(diff), /~ image: "ghcr\.io\/acme\/storefront:[0-9.]+" => "ghcr\.io\/acme\/storefront:9\.1\.0"/, text(diff));
        up("staging");
        assert.equal(local.outputs("staging").release.version, "9.1.0");
        assert.equal(recordOf("staging").version, "9.1.0");
        assert.match(deployedImage("staging"), /:9\.1\.0$/);
        assert.equal(local.outputs("prod").release.version, before, "prod does not move until it is promoted");
        assert.equal(recordOf("prod").version, before);
        // The operator's view, from the stacks' outputs in the backend.
        const status = promote("status");
        assert.equal(status.code, 0, text(status));
        assert.match(status.stdout, /^dev runs 9\.1\.0$/m);
        assert.match(status.stdout, /^staging runs 9\.1\.0; up to date with organization\/delivery\/dev$/m);
        assert.match(status.stdout, new RegExp(`^prod runs ${before.replace(/\./g, "\\.")}; 9\\.1\\.0 waits in organization/delivery/staging — promotable$`, "m"));

        up("prod");
        assert.equal(local.outputs("prod").release.version, "9.1.0");
        assert.match(deployedImage("prod"), /:9\.1\.0$/);

        const pin = { "delivery:pin": { version: before, reason: "e2e rollback drill" } };
        up("prod", pin);
        up("dev", { "delivery:release": { version: "9.2.0" } });
        up("staging");
        up("prod", pin);
        const held = promote("--to", "prod");
        assert.equal(held.code, 1, text(held));
        assert.match(held.stdout, new RegExp(`✗ pin {6}pinned to ${before.replace(/\./g, "\\.")}: remove delivery:pin to follow organization/delivery/staging`));
        const prod = local.outputs("prod");
        assert.equal(local.outputs("staging").release.version, "9.2.0");
        assert.equal(prod.release.version, before, "the pin holds prod");
        assert.equal(prod.promotion.source, "rollback", "prod ran that release before: the pin is a rollback");
        assert.equal(recordOf("prod").pinReason, "e2e rollback drill");
        assert.match(deployedImage("prod"), new RegExp(`:${before.replace(/\./g, "\\.")}$`));
    });

    it("blue-green prod: the active Service's endpoints move from one colour's pods to the other's, and back, by one config change", () => {
        // After the promotion case: blue runs the pinned release and serves; green (9.1.0) stands by.
        const pin = { "delivery:pin": { version: local.outputs("prod").release.version, reason: "e2e rollback drill" } };
        const podsOf = (colour: string) => (local.kubectlJson(["get", "pods", "-n", NAMESPACES.prod, "-l", `delivery.example.com/colour=${colour}`]).items as any[])
            .filter(isReady).map((p) => String(p.metadata.name)).sort();
        const servedBy = (colour: string) => eventually(60, () => `storefront-active serves ${JSON.stringify(endpointPods("prod", `${RELEASE}-active`))}, not ${colour}'s pods ${JSON.stringify(podsOf(colour))}`, () => {
            const endpoints = endpointPods("prod", `${RELEASE}-active`);
            return endpoints.length >= 3 && JSON.stringify(endpoints) === JSON.stringify(podsOf(colour)) ? endpoints : undefined;
        });
        const blue = servedBy("blue");
        log.push(`blue-green: storefront-active → blue pods ${blue.join(", ")}`);
        const hold = (active: string) => ({ "delivery:rollout": { strategy: "blueGreen", keepPrevious: "1h", active } });
        up("prod", pin, hold("green"));
        const green = servedBy("green");
        assert.ok(green.every((p) => p.startsWith(`${RELEASE}-green-`)) && blue.every((p) => !green.includes(p)), `${green} are green's pods`);
        assert.equal(local.outputs("prod").release.version, "9.1.0", "the release output is what serves");
        assert.match(JSON.parse(recordOf("prod").rollout).reason, /switched back to green \(9\.1\.0\) by delivery:rollout\.active/);
        assert.ok(podsOf("blue").length >= 3, "blue stays up, without traffic, for an instant switch back");
        // Lifting the hold: traffic follows the release the stack runs (the pin, on blue).
        up("prod", pin);
        assert.deepEqual(servedBy("blue"), podsOf("blue"));
        assert.equal(local.outputs("prod").release.version, pin["delivery:pin"].version);
        log.push(`blue-green: storefront-active → green pods ${green.join(", ")} → blue again`);
        // Once traffic has moved, a no-change update changes nothing (the state is kept as written).
        const clean = local.pulumi(["preview", "--expect-no-changes", "-s", "prod"], { allowFailure: true });
        assert.equal(clean.code, 0, text(clean));
    });

    it("pods really run: every Deployment has its replicas Ready, prod's over three zones, the PDBs allow a disruption", () => {
        const zoneOf = Object.fromEntries((local.kubectlJson(["get", "nodes"]).items as any[])
            .map((n) => [n.metadata.name, n.metadata.labels["topology.kubernetes.io/zone"]]));
        for (const stack of ["dev", "staging", "prod"]) {
            const ns = NAMESPACES[stack];
            const name = serving(stack);
            const d = local.kubectlJson(["get", "deployment", name, "-n", ns]);
            assert.ok(d.spec.replicas >= 1);
            assert.equal(d.status.readyReplicas, d.spec.replicas, `${stack}: ${d.status.readyReplicas}/${d.spec.replicas} ready`);
            const ready = (local.kubectlJson(["get", "pods", "-n", ns, "-l", `app.kubernetes.io/instance=${name}`]).items as any[]).filter(isReady);
            assert.equal(ready.length, d.spec.replicas, `${stack}: ready pods`);
            if (stack === "prod") {
                const zones = new Set(ready.map((p) => zoneOf[p.spec.nodeName]));
                assert.deepEqual([...zones].sort(), ["zone-a", "zone-b", "zone-c"], `prod's pods spread over ${[...zones].join(", ")}`);
            }
            if (stack !== "dev") {
                const pdb = local.kubectlJson(["get", "pdb", name, "-n", ns]);
                assert.ok(pdb.status.disruptionsAllowed >= 1, `${stack}: PDB allows ${pdb.status.disruptionsAllowed} disruption(s)`);
                assert.equal(pdb.status.currentHealthy, d.spec.replicas);
            }
        }
    });

    it("secrets sync: every ExternalSecret is Ready and its Secret holds the seeded value; the Deployment loads it", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const ns = NAMESPACES[stack];
            const cfg = resolvedConfig(stack, local.stackConfig(stack));
            const pending = () => (local.kubectlJson(["get", "externalsecrets.external-secrets.io", "-n", ns]).items as any[]).filter((e) => !isReady(e));
            eventually(90, () => `${stack}: ExternalSecrets not Ready: ${JSON.stringify(pending().map((e) => [e.metadata.name, e.status?.conditions]))}`,
                () => (pending().length === 0 ? true : undefined));
            const stores = local.kubectlJson(["get", "secretstores.external-secrets.io", "-n", ns]).items as any[];
            assert.deepEqual(stores.filter((x) => !isReady(x)).map((x) => x.metadata.name), [], `${stack}: every SecretStore is Ready`);
            assert.ok(cfg.secrets.secrets.length >= 2);
            const envFrom = JSON.stringify(local.kubectlJson(["get", "deployment", serving(stack), "-n", ns]).spec.template.spec.containers[0]);
            for (const d of cfg.secrets.secrets) {
                assert.deepEqual(secretData(stack, d.name), expectedData(stack, d), `${stack}: ${RELEASE}-${d.name} holds the value seeded in its ${d.store} store`);
                assert.ok(envFrom.includes(`"${RELEASE}-${d.name}"`), `${stack}: the Deployment references ${RELEASE}-${d.name}`);
            }
        }
    });

    it("a value changed in the store reaches the Secret within the refresh interval", async () => {
        const interval = 10;
        up("dev", { "delivery:secrets": { refreshInterval: `${interval}s` } });
        const cfg = resolvedConfig("dev", local.stackConfig("dev"));
        const d = cfg.secrets.secrets.find((x) => x.property !== undefined && cfg.secrets.stores.find((s) => s.name === x.store)?.provider === "aws")!;
        eventually(30, () => "the new refresh interval is applied", () => (secretData("dev", d.name) !== undefined ? true : undefined));
        await seedStack(local.stores, cfg, 2);
        const changed = Date.now();
        eventually(interval + 10, () => `${RELEASE}-${d.name} still holds the old value ${interval + 10} s after the change`,
            () => (JSON.stringify(secretData("dev", d.name)) === JSON.stringify(expectedData("dev", d, 2)) ? true : undefined));
        log.push(`store change reached the Secret after ${((Date.now() - changed) / 1000).toFixed(1)} s (refresh interval ${interval} s)`);
        await seedStack(local.stores, cfg, 1);
        up("dev");
    });

    it("Vault refuses dev's identity prod's path, and the ExternalSecret's status says so", function () {
        if (!local.stores.vault) {
            // Loud, not silent: Vault 1.21.4 does not compile against the published vault/sdk modules
            // (toolchain/BUILD-NOTES.md), so the toolchain does not build it by default.
            console.log("\n    !!! VAULT MISSING: bin/vault is not in the toolchain (`npm run toolchain -- vault` fails to compile, see toolchain/BUILD-NOTES.md);\n" +
                "    !!! isolation between environments is NOT shown on a real Vault server in this run.\n");
            this.skip();
        }
        const ns = NAMESPACES.dev;
        const own = local.kubectlJson(["get", "secretstores.external-secrets.io", "vault", "-n", ns]).spec.provider.vault;
        assert.equal(own.path, "kv-dev");
        // dev's service account and dev's role, pointed at prod's mount: what a compromised dev namespace could try.
        const probe = {
            apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "probe-prod-path", namespace: ns },
            spec: { provider: { vault: { ...own, path: "kv-prod" } } },
        };
        const es = {
            apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "probe-prod-path", namespace: ns },
            spec: { refreshInterval: "10s", secretStoreRef: { name: "probe-prod-path", kind: "SecretStore" }, target: { name: "probe-prod-path" },
                dataFrom: [{ extract: { key: `${RELEASE}/settings` } }] },
        };
        local.run("bash", ["-c", `printf '%s' "$0" | kubectl --kubeconfig "${local.kubeconfig}" apply -f -`, JSON.stringify({ apiVersion: "v1", kind: "List", items: [probe, es] })]);
        try {
            const message = eventually(60, () => "the probe ExternalSecret reports no error", () => {
                const cond = (local.kubectlJson(["get", "externalsecrets.external-secrets.io", "probe-prod-path", "-n", ns]).status?.conditions ?? [])
                    .find((c: any) => c.type === "Ready");
                return cond?.status === "False" ? String(cond.message ?? "") + " " + String(cond.reason ?? "") : undefined;
            });
            assert.match(message, /SecretSyncedError|could not get secret|permission denied|403/i, message);
            assert.equal(local.kubectl(["get", "secret", "probe-prod-path", "-n", ns], { allowFailure: true }).code, 1, "no Secret was written");
            const events = local.kubectl(["get", "events", "-n", ns, "--field-selector", "involvedObject.name=probe-prod-path"]).stdout;
            log.push(`probe status: ${message.slice(0, 300)}`);
            assert.match(events + message, /permission denied|403/i, "Vault's refusal is visible");
        } finally {
            local.kubectl(["delete", "externalsecrets.external-secrets.io,secretstores.external-secrets.io", "probe-prod-path", "-n", ns, "--ignore-not-found"]);
        }
    });

    it("a release whose pods never become ready fails, never dips below the PDB floor, rolls back by itself; staging does not take it", () => {
        const ns = NAMESPACES.dev;
        // dev in staging's shape for this case: two replicas and a PDB, so the floor is a real one.
        const shape = { "delivery:app": { replicas: 2, pdb: { minAvailable: 1 } } };
        up("dev", shape);
        const before = local.outputs("dev").release.version;
        const serving = deployedImage("dev");
        local.writeStack("dev", local.stackConfig("dev", shape, {
            "delivery:release": { version: "9.9.0", imageTag: "9.9.0-broken" },
            "delivery:helm": { timeoutSeconds: 30 },
        }));
        // Ready replicas sampled twice a second for the whole update and its rollback.
        const samples = path.join(local.root, "ready-samples");
        const sampler = spawn("bash", ["-c",
            `while :; do "$0" --kubeconfig "$1" get deployment ${RELEASE} -n ${ns} -o jsonpath='{.status.readyReplicas}{"\\n"}' >>"$2" 2>/dev/null; sleep 0.5; done`,
            path.join(TOOLCHAIN_DIR, "bin", "kubectl"), local.kubeconfig, samples], { stdio: "ignore", detached: true });
        let r: CommandResult;
        try {
            r = promote("--to", "dev", "--apply");
        } finally {
            process.kill(-sampler.pid!, "SIGKILL");
        }
        try {
            assert.equal(r.code, 1, `the update must fail:\n${text(r)}`);
            assert.match(r.stdout, new RegExp(`The update of dev to 9\\.9\\.0 failed: rolling back to ${before.replace(/\./g, "\\.")}`), text(r));
            assert.match(r.stdout, new RegExp(`dev is back on ${before.replace(/\./g, "\\.")}`), text(r));
            const ready = fs.readFileSync(samples, "utf8").split("\n").filter((l) => l !== "").map((l) => Number(l));
            assert.ok(ready.length >= 20, `${ready.length} samples`);
            assert.ok(Math.min(...ready) >= 1, `ready replicas fell to ${Math.min(...ready)}, below the PDB floor of 1`);
            log.push(`broken rollout: ${ready.length} samples of ready replicas, min ${Math.min(...ready)}, max ${Math.max(...ready)}`);
            // The stack ends on the previous release: the Deployment, its pods, the outputs and the record.
            assert.equal(deployedImage("dev"), serving);
            eventually(60, () => "the broken pods are not gone", () => {
                const pods = local.kubectlJson(["get", "pods", "-n", ns, "-l", `app.kubernetes.io/instance=${RELEASE}`]).items as any[];
                return pods.every((p) => !p.spec.containers[0].image.endsWith("-broken")) && pods.filter(isReady).length === 2 ? true : undefined;
            });
            assert.equal(local.outputs("dev").release.version, before);
            assert.equal(recordOf("dev").version, before);
            // Nothing downstream takes the failed release: staging's candidate is what dev runs.
            const plan = promote("--to", "staging");
            assert.doesNotMatch(plan.stdout, /9\.9\.0/, plan.stdout);
            assert.match(plan.stdout, new RegExp(`→ ${before.replace(/\./g, "\\.")}`), plan.stdout);
        } finally {
            up("dev"); // leave dev as shipped for the cases after this one
        }
        assert.match(deployedImage("dev"), /:1\.8\.3$/);
    });

    it("promotion as data, stage by stage (npm run promote -- <stage>): verified, soaked, frozen, rolled back; a failed smoke check stops at staging", () => {
        const statuses: string[] = [];
        const status = (step: string) => {
            const r = promote("status");
            assert.equal(r.code, 0, text(r));
            statuses.push(`  ${step}:\n${r.stdout.trim().split("\n").map((l) => `    ${l}`).join("\n")}`);
            return r.stdout;
        };
        const stage = (name: string) => promote(name);
        const esc = (v: string) => v.replace(/\./g, "\\.");
        const job = (stack: string) => local.kubectlJson(["get", "job", `${RELEASE}-smoke`, "-n", NAMESPACES[stack]]);
        try {
            const prodBefore = local.outputs("prod").release.version as string;
            // 1. A new dev release, deployed, rolled out and smoke-checked in dev.
            local.writeStack("dev", local.stackConfig("dev", { "delivery:release": { version: "9.4.0" } }));
            let r = stage("dev");
            assert.equal(r.code, 0, text(r));
            assert.match(r.stdout, /\[1\/3\] preview of dev with the policy pack/);
            assert.match(r.stdout, /✓ smoke Job: GET http:\/\/storefront\.storefront-dev\.svc:80\/healthz answered 200/, text(r));
            assert.equal(job("dev").status.succeeded, 1, "kwok completed the smoke Job");
            assert.equal(job("dev").metadata.labels["app.kubernetes.io/version"], "9.4.0");
            status("dev verified 9.4.0");
            // 2. Staging takes what dev runs and verified.
            r = stage("staging");
            assert.equal(r.code, 0, text(r));
            assert.match(r.stdout, /staging runs 9\.4\.0, verified at/);
            assert.equal(local.outputs("staging").promotion.verification.status, "passed");
            // 3. Prod with a short soak: refused until staging's verification is that old, then it goes.
            const soak = { "delivery:promotion": { soak: "100s" } };
            local.writeStack("prod", local.stackConfig("prod", soak));
            r = stage("prod");
            assert.equal(r.code, 1, text(r));
            const when = /✗ soak {5}organization\/delivery\/staging verified 9\.4\.0 at \S+, less than the soak of 2m ago; it may go at (\S+)/.exec(r.stdout);
            assert.ok(when, r.stdout);
            assert.match(status("prod held by the soak"), /^prod runs \S+; 9\.4\.0 waits in organization\/delivery\/staging — held by soak/m);
            assert.equal(local.outputs("prod").release.version, prodBefore, "nothing changed");
            // The program refuses it too, inside the update (a plain pulumi up, not only the tool).
            const direct = local.pulumi(["preview", "-s", "prod"], { allowFailure: true });
            assert.notEqual(direct.code, 0);
            assert.match(text(direct), /less than the soak of 2m ago; it may go at/);
            spinWait(Math.max(0, Date.parse(when[1]) - Date.now()) + 2000);
            r = stage("prod");
            assert.equal(r.code, 0, text(r));
            assert.match(r.stdout, /✓ soak {5}soaked at least 2m/);
            assert.match(r.stdout, /prod runs 9\.4\.0, verified at/);
            assert.match(deployedImage("prod"), /:9\.4\.0$/);
            status("prod promoted after the soak");

            // 4. A freeze window holds prod; a rollback inside it is allowed and recorded.
            const frozenFrom = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, "Z");
            const frozenTo = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
            const freeze = { "delivery:freeze": [{ from: frozenFrom, to: frozenTo, reason: "e2e change freeze" }] };
            local.writeStack("dev", local.stackConfig("dev", { "delivery:release": { version: "9.5.0" } }));
            assert.equal(stage("dev").code, 0);
            assert.equal(stage("staging").code, 0);
            local.writeStack("prod", local.stackConfig("prod", freeze));
            r = stage("prod");
            assert.equal(r.code, 1, text(r));
            assert.match(r.stdout, new RegExp(`✗ freeze {3}frozen until ${frozenTo} \\(e2e change freeze\\)`));
            assert.match(status("prod frozen"), /^prod runs 9\.4\.0; 9\.5\.0 waits in organization\/delivery\/staging — held by freeze/m);
            const frozen = local.pulumi(["preview", "-s", "prod"], { allowFailure: true });
            assert.notEqual(frozen.code, 0);
            assert.match(text(frozen), new RegExp(`stack "prod" is frozen until ${frozenTo} \\(delivery:freeze: e2e change freeze\\); its release would change to 9\\.5\\.0`));
            const rollback = { "delivery:pin": { version: prodBefore, reason: "e2e: 9.4.0 misbehaves, back during the freeze" } };
            up("prod", freeze, rollback);
            const rec = local.outputs("prod").promotion;
            assert.deepEqual([rec.source, rec.release.version, rec.pinReason], ["rollback", prodBefore, "e2e: 9.4.0 misbehaves, back during the freeze"]);
            assert.equal(rec.history[0].version, "9.4.0", "what prod ran before is in its history");
            assert.equal(recordOf("prod").source, "rollback");
            assert.match(deployedImage("prod"), new RegExp(`:${esc(prodBefore)}$`));
            status("prod rolled back inside the freeze");

            // 5. A release whose smoke check fails: dev (no smoke check for the case) takes it,
            // staging's update fails and rolls back by itself, prod never sees it.
            local.writeStack("dev", local.stackConfig("dev", { "delivery:release": { version: "9.6.0-fail" }, "delivery:verification": { smoke: { enabled: false } } }));
            assert.equal(stage("dev").code, 0);
            r = stage("staging");
            assert.equal(r.code, 1, text(r));
            assert.match(r.stdout, /The update of staging to 9\.6\.0-fail failed: rolling back to 9\.5\.0/, text(r));
            assert.match(r.stdout, /staging is back on 9\.5\.0/);
            const st = local.outputs("staging");
            assert.deepEqual([st.release.version, st.promotion.source, st.promotion.verification.status], ["9.5.0", "rollback", "passed"]);
            assert.equal(job("staging").metadata.labels["app.kubernetes.io/version"], "9.5.0", "the smoke check ran again for the release staging went back to");
            const held = status("staging rolled back from a failed smoke check");
            assert.doesNotMatch(held.split("\n").filter((l) => l.startsWith("prod")).join("\n"), /9\.6\.0-fail/, held);
            // Staging's record remembers the failed attempt: the status says so instead of a bare "promotable".
            assert.match(held, /^staging runs 9\.5\.0; 9\.6\.0-fail waits in organization\/delivery\/dev — promotable \(its update here failed and was rolled back at /m, held);
            const plan = promote("--to", "prod");
            assert.doesNotMatch(plan.stdout, /9\.6\.0-fail/, plan.stdout);
        } finally {
            console.log(`    npm run promote -- status, step by step:\n${statuses.join("\n")}`);
            for (const stack of ["dev", "staging", "prod"]) {
                local.writeStack(stack, local.stackConfig(stack));
            }
            up("dev");
            up("staging");
            up("prod");
        }
        assert.match(deployedImage("prod"), /:1\.8\.3$/);
    });

    it("detects drift made with kubectl and restores it", () => {
        const ns = NAMESPACES.dev;
        const quota = names("resourcequotas", "-n", ns)[0].split("/")[1];
        const hard = () => local.kubectlJson(["get", "resourcequota", quota, "-n", ns]).spec.hard as Record<string, string>;
        const original = hard().pods;
        local.kubectl(["patch", "resourcequota", quota, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { hard: { pods: "99" } } })]);
        assert.equal(hard().pods, "99");
        const check = local.pulumi(["preview", "--refresh", "--expect-no-changes", "-s", "dev"], { allowFailure: true });
        assert.notEqual(check.code, 0, `preview --expect-no-changes must fail on drift:\n${text(check)}`);
        local.pulumi(["up", "--refresh", "--yes", "--skip-preview", "-s", "dev"]);
        assert.equal(hard().pods, original);
        const clean = local.pulumi(["preview", "--refresh", "--expect-no-changes", "-s", "dev"], { allowFailure: true });
        assert.equal(clean.code, 0, text(clean));
    });

    it("destroy leaves the cluster without the program's objects", () => {
        for (const stack of ["prod", "staging", "dev"]) {
            local.pulumi(["destroy", "--yes", "--skip-preview", "-s", stack]);
            assert.deepEqual(local.resourceTypes(stack), [], `${stack} state is empty`);
        }
        // Namespace deletion finishes in the namespace controller (kube-controller-manager).
        const deadline = Date.now() + 120_000;
        let left = names(CLUSTER_SCOPED);
        while (JSON.stringify(left) !== JSON.stringify(baseline) && Date.now() < deadline) {
            spinWait(2000);
            left = names(CLUSTER_SCOPED);
        }
        assert.deepEqual(left, baseline);
        assert.deepEqual(names("all,configmaps,secrets,secretstores.external-secrets.io,externalsecrets.external-secrets.io",
            "-A", "-l", "delivery.example.com/stack"), []);
    });
});

function spinWait(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
