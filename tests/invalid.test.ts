/**
 * Bad input: every config in tests/fixtures/invalid is refused by `npm run plan` with exit 2 before
 * anything is evaluated, the message names the stack key (and file) to fix, the root cause is
 * reported once, nothing secret-looking is echoed, and there is never a stack trace.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../tools/plan";

const INVALID = path.resolve(__dirname, "fixtures", "invalid");

interface Case {
    /** Fragments the message must contain (the first names the key). */
    readonly says: readonly string[];
    /** How many problems the message lists (root causes only). */
    readonly problems: number;
    /** Strings that must not appear (secret values). */
    readonly never?: readonly string[];
}

const CASES: Record<string, Case> = {
    "cidr-octet.yaml": { says: ['delivery:cluster.network.cidr: must be an IPv4 CIDR; got "10.300.0.0/16"'], problems: 1 },
    "network-too-small.yaml": { says: ["delivery:cluster.network.cidr: is a /28; the program splits the network into 16 subnets"], problems: 1 },
    "azure-duplicate-zones.yaml": { says: ['delivery:cluster.zones[2]: repeats zone "2" (also cluster.zones[1]): a zone counts once toward zone redundancy'], problems: 1 },
    "duplicate-entries.yaml": {
        says: [
            'delivery:cluster.endpoint.allowedCidrs[1]: repeats range "203.0.113.0/24" (also cluster.endpoint.allowedCidrs[0]): a range is allowed once',
            'delivery:override.gates[1]: repeats gate "soak" (also override.gates[0]): a gate is overridden once',
            "delivery:budget.thresholds[2]: repeats threshold 80 (also budget.thresholds[1]): one alert per threshold",
            'delivery:secrets.secrets[2].name: repeats "database" (also secrets.secrets[0].name): each declared secret is its own Kubernetes secret',
            "delivery:secrets.secrets[1].envVar: loads PAYMENTS_API_KEY, as secrets.secrets[0] does: the container would get the variable twice",
            "delivery:app.env.REGION: is also loaded from secrets.secrets[2] (database)",
        ],
        problems: 6,
    },
    "gcp-zone-outside-region.yaml": { says: ['delivery:cluster.zones[2]: "us-central1-a" is not a zone of region europe-west1'], problems: 1 },
    "network-host-bits.yaml": { says: ["delivery:cluster.network.cidr: 10.30.5.0/16 has host bits set"], problems: 1 },
    "limits-below-requests.yaml": { says: ["delivery:app.resources.limits.cpu: is 500m, below app.resources.requests.cpu (2)", "delivery:app.resources.limits.memory: is 512Mi, below"], problems: 2 },
    "secret-as-number.yaml": { says: ["delivery:app.env.DB_PASSWORD: must be a quoted string, got a number (not shown)"], problems: 1, never: ["86753094", "eu-west-1"] },
    "unknown-environment.yaml": { says: ['delivery:environment: must be development, staging or production (or dev, stage, prod); got "production-eu"'], problems: 1 },
    "unknown-cluster-provider.yaml": { says: ['delivery:cluster.provider: must be one of aws, azure, gcp, existing, stack; got "digitalocean"'], problems: 1 },
    "chart-version-range.yaml": { says: ['delivery:chart.version: must be an exact chart version (no ranges, no latest); got "^0.4.0"'], problems: 1 },
    "values-file-missing.yaml": { says: ["delivery:valuesFiles[0]: names values/prod.yaml, which does not exist"], problems: 1 },
    "chart-path-outside.yaml": { says: ["delivery:chart.path: must be a directory inside the project"], problems: 1 },
    "chart-image-values-missing.yaml": { says: ["delivery:chart.imageValues: must name where the promoted release lands"], problems: 1 },
    "values-schema.yaml": {
        says: ["delivery:values.connect.replicas: must be >= 1 (checked against tests/fixtures/charts/spark-connect/values.schema.json)", "delivery:values.connect.dynamicAllocation.enabled: must be boolean"],
        problems: 2,
    },
    "bundled-values-schema.yaml": {
        says: ["delivery:values.replicaCout: is not a value this chart accepts (values.schema.json allows no such key) (checked against charts/app/values.schema.json)", 'delivery:values.probes.readiness.path: must match pattern "^/"'],
        problems: 2,
    },
    "helm-atomic.yaml": { says: ["delivery:helm.atomic: is no longer used"], problems: 1 },
    "ca-file-on-oci.yaml": { says: ["delivery:chart.caFile: is only used with an https:// repository"], problems: 1 },
    "dns-on-existing-cluster.yaml": { says: ["delivery:dns: is not supported on cluster.provider existing", "remove delivery:dns and delivery:tls"], problems: 1 },
    "dns-zone-not-a-name.yaml": { says: ['delivery:dns.zone: must be a DNS zone name such as dev.acme.example; got "Acme_Example"'], problems: 1 },
    "tls-without-dns.yaml": { says: ["delivery:tls: needs delivery:dns: the ClusterIssuer answers DNS-01 challenges in the zone"], problems: 1 },
    "dns-existing-zone-without-id.yaml": { says: ["delivery:dns.zoneId: is required with dns.create: false: the existing zone's Route 53 hosted zone id"], problems: 1 },
    "secret-url-in-store.yaml": { says: ["delivery:secrets.stores[0].server: must be an https URL; got a value that is not shown"], problems: 1, never: ["s3cr3tvaulttoken", "root:"] },
    "yaml-duplicate-key.yaml": {
        says: ["delivery:app.env.DB_PASSWORD: is given twice in", "(lines 7 and 8): YAML would keep only one of them, silently", "delivery:app: is given twice in", "(lines 4 and 9)"],
        problems: 2, never: ["hunter2"],
    },
    "yaml-tab-indent.yaml": { says: ["yaml-tab-indent.yaml:4:1: is not valid YAML: Tabs are not allowed as indentation"], problems: 1 },
    "yaml-syntax.yaml": { says: ["yaml-syntax.yaml:6:1: is not valid YAML: Flow map in block collection must be sufficiently indented and end with a }"], problems: 1, never: ["s3cr3tvaulttoken", "root:"] },
    "not-a-mapping.yaml": { says: ["not-a-mapping.yaml: must be a mapping with config: at the top, got a list"], problems: 1 },
    "empty-file.yaml": { says: ["empty-file.yaml: is empty"], problems: 1 },
    "key-outside-config.yaml": {
        says: ["delivery:app: is a configuration key at the top level (", "key-outside-config.yaml:2:1); configuration goes under config:", "config: is missing from"],
        problems: 2,
    },
    "key-without-namespace.yaml": {
        says: ["app: is not a configuration key (", "keys are <namespace>:<name>, like delivery:app or aws:region", "e.g. delivery:app"],
        problems: 1,
    },
    "other-namespace.yaml": {
        says: ["deliver:pin: is in the namespace deliver:, which nothing here reads (this program reads delivery:* and its providers' aws:, azure-native:, gcp:, kubernetes:, vault:, pulumi:); pin is a delivery: key",
            "e.g. delivery:pin instead of deliver:pin", "storefront:dbUrl: is in the namespace storefront:"],
        problems: 2, never: ["hunter2"],
    },
    "secure-value-in-plain-key.yaml": {
        says: ["delivery:app: holds a secret (secure:) value, but nothing under delivery:app is a secret setting", "e.g. the value in a store: delivery:secrets.secrets"],
        problems: 1, never: ["s3cr3t-signing-value-42"],
    },
    "secret-shaped-values.yaml": {
        says: [
            "delivery:verification.smoke.command[2]: looks like a JSON Web Token (not shown): secrets never go in a stack file",
            "delivery:pin.reason: looks like an AWS access key id (not shown)",
            "delivery:observability.tracing.endpoint: looks like a password inside a URL (not shown)",
        ],
        problems: 3, never: ["eyJhbGciOiJIUzI1NiJ9", "AKIAIOSFODNN7EXAMPLE", "tr4c3pass"],
    },
    "quoted-and-empty.yaml": {
        says: [
            'delivery:cluster.version: is empty: give a value, or remove the key for the default',
            'delivery:cluster.logging: must be true or false, got the string "true": write it without quotes',
            'delivery:cluster.nodes.size: has leading or trailing whitespace (" m6i.xlarge")',
            'delivery:app.replicas: must be a number, got the string "3": write it without quotes',
            "delivery:app.env.1ST_REGION: is not a valid key here: must be an environment variable name",
            "delivery:app.features.new-checkout: is not a valid key here: must be a feature name",
        ],
        problems: 6,
    },
    "freeze-windows.yaml": {
        says: ['delivery:freeze[0].to: is "2027-02-30T00:00:00Z", not a real date and time', "delivery:freeze[2]: overlaps freeze[1] (2026-12-20T00:00:00Z to 2027-01-04T00:00:00Z)"],
        problems: 2,
    },
    "out-of-range.yaml": {
        says: [
            'delivery:promotion.soak: must be at most 30d; got "400d"',
            "delivery:rollout.keepPrevious: is empty: give a duration, or remove the key for the default (1h)",
            'delivery:observability.metrics.interval: must be an interval such as 30s or 1m; got "0s"',
            'delivery:app.resources.limits.memory: must be a memory quantity above zero such as 256Mi; got "0"',
            "delivery:cluster.endpoint.allowedCidrs[0]: 203.0.113.7/24 has host bits set",
        ],
        problems: 5,
    },
    "ca-file-not-a-certificate.yaml": { says: ["delivery:chart.caFile: names Pulumi.yaml, which is not a file of PEM CA certificates (its content is not shown)"], problems: 1 },
    "misspelt-and-oversized.yaml": {
        says: [
            'delivery:environment: must be development, staging or production (or dev, stage, prod); got "PRODUCTION"',
            'delivery:app.replicas: is a key named "app.replicas", not the path app → replicas: a stack file nests it',
            "e.g. delivery:app: { replicas: … } (or pulumi config set --path delivery:app.replicas …)",
            "delivery:freeze[0].reason: is 639 characters long; at most 500",
        ],
        problems: 3,
    },
    "versions-and-names.yaml": {
        says: [
            'delivery:pin.version: must be a semantic version (never latest); got "01.8.3"',
            "delivery:app.ingress.host: is 268 characters long; at most 253",
        ],
        problems: 2,
    },
    "secret-quoted-back.yaml": {
        says: [
            "delivery:environment: must be development, staging or production (or dev, stage, prod); got a value that is not shown",
            "delivery:cluster.zones[1]: a value that is not shown (it may be a secret) is not a zone of region eu-west-1",
            "delivery:chart.path: [not shown] has no Chart.yaml",
            "delivery:app.features.[not shown]: is a key that looks like an AWS access key id",
            "delivery:secrets.secrets[0].store: names no configured store (stores: aws); got a value that is not shown",
        ],
        problems: 5, never: ["AKIAIOSFODNN7EXAMP", "hunter2pw", "svc:"],
    },
    "wrong-shapes.yaml": {
        says: ['delivery:override: must be an object, got "soak"', 'delivery:verification.smoke.command: must be a list, got "/check"', 'delivery:secrets.stores[0]: must be an object, got "aws"'],
        problems: 3,
    },
    "multiple-documents.yaml": { says: ["multiple-documents.yaml: holds 2 YAML documents (---); a stack file is one document"], problems: 1 },
    "yaml-numbers.yaml": {
        says: ["delivery:app.port: is 08080 at", "YAML 1.1 (the Pulumi CLI) reads a number with a leading zero as octal", "delivery:app.replicas: is .nan at", "not a number any setting takes"],
        problems: 2,
    },
};

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { write: (t: string) => (stdout += t) }, { write: (t: string) => (stderr += t) });
    return { code, stdout, stderr };
}

const plan = (file: string) => run(["--stack", "prod", "--config", path.join(INVALID, file)]);

describe("invalid configs: exit 2, the key named, the root cause once, nothing echoed", () => {
    it("has a case for every file in tests/fixtures/invalid", () => {
        assert.deepEqual(fs.readdirSync(INVALID).filter((f) => f.endsWith(".yaml")).sort(), Object.keys(CASES).sort());
    });

    for (const [file, c] of Object.entries(CASES)) {
        it(file, async () => {
            const r = await plan(file);
            assert.equal(r.code, 2, r.stderr);
            assert.equal(r.stdout, "", "nothing is planned");
            assert.match(r.stderr, /^plan failed: Invalid configuration for stack "prod" \(\d+ problems?\); nothing was deployed:/);
            for (const s of c.says) {
                assert.ok(r.stderr.includes(s), `expected "${s}" in:\n${r.stderr}`);
            }
            assert.equal((r.stderr.match(/^ {2}- /gm) ?? []).length, c.problems, r.stderr);
            for (const n of c.never ?? []) {
                assert.ok(!r.stderr.includes(n), `echoed ${n}:\n${r.stderr}`);
            }
            assert.ok(!/\n\s+at /.test(r.stderr), `stack trace:\n${r.stderr}`);
        });
    }
});

describe("invalid command lines and files: exit 2, what to type instead, nothing evaluated", () => {
    const CLI: Record<string, { argv: string[]; says: string; never?: string[] }> = {
        "an override file that does not exist": { argv: ["--stack", "prod", "--config", path.join(INVALID, "no-such-file.yaml")], says: "no-such-file.yaml: does not exist" },
        "a directory instead of an override file": { argv: ["--stack", "prod", "--config", INVALID], says: "fixtures/invalid: is a directory, not a stack file" },
        "--config without a file": { argv: ["--stack", "prod", "--config"], says: "--config needs a file in the stack file format, e.g. --config overrides.yaml" },
        "--config followed by another flag": { argv: ["--stack", "prod", "--config", "--json"], says: "--config needs a file" },
        "--stack without a name": { argv: ["--json", "--stack"], says: "--stack needs a stack name, e.g. --stack prod" },
        "--stack given twice": { argv: ["--stack", "dev", "--stack", "prod"], says: "--stack is given twice (dev and prod): a plan is of one stack" },
        "an unknown stack": { argv: ["--stack", "qa"], says: 'no stack "qa" here (no Pulumi.qa.yaml); the stacks here: dev, prod, staging' },
        "a path instead of a stack name": { argv: ["--stack", "../prod"], says: '"../prod" is not a stack name (letters, digits, -, _ and .); the stacks here: dev, prod, staging' },
        "an unknown flag": { argv: ["--stack", "prod", "--dry-run"], says: 'unknown argument "--dry-run" (usage: npm run plan -- --stack <stack>' },
        "an unknown flag holding a credential": { argv: ["--stack", "prod", "--token=AKIAIOSFODNN7EXAMPLE"], says: 'unknown argument "--token=[not shown]"', never: ["AKIAIOSFODNN7EXAMPLE"] },
        "a config file path holding a credential": {
            argv: ["--stack", "prod", "--config", "https://ci:hunter2pw@files.acme.example/o.yaml"], says: "[not shown]files.acme.example/o.yaml: does not exist", never: ["hunter2pw"],
        },
    };
    for (const [name, c] of Object.entries(CLI)) {
        it(name, async () => {
            const r = await run(c.argv);
            assert.equal(r.code, 2, r.stderr);
            assert.equal(r.stdout, "", "nothing is planned");
            assert.ok(r.stderr.startsWith("plan failed: "), r.stderr);
            assert.ok(r.stderr.includes(c.says), `expected "${c.says}" in:\n${r.stderr}`);
            assert.ok(!/\n\s+at |internal error/.test(r.stderr), `not a clean refusal:\n${r.stderr}`);
            for (const n of c.never ?? []) {
                assert.ok(!r.stderr.includes(n), `echoed ${n}:\n${r.stderr}`);
            }
        });
    }
});
