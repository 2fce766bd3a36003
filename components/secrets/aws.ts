import * as aws from "@pulumi/aws/getCallerIdentity";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { AwsStoreConfig } from "../../config/secrets";
import { StoreContext, StoreWiring, subject } from "./context";

/** Trust policy letting exactly the given service account(s) assume the role through the cluster's OIDC provider. */
export function webIdentityTrust(oidcProviderArn: string, issuerUrl: string, sub: string | readonly string[]): string {
    const issuer = issuerUrl.replace(/^https:\/\//, "");
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${issuer}:sub`]: typeof sub === "string" ? sub : [...sub], [`${issuer}:aud`]: "sts.amazonaws.com" } },
        }],
    });
}

/** Read-only access to this environment's secrets (and their KMS key), nothing else. */
export function readPolicy(store: AwsStoreConfig, account: string): string {
    const statements: object[] = store.service === "SecretsManager"
        ? [{
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"],
            Resource: `arn:aws:secretsmanager:${store.region}:${account}:secret:${store.prefix}*`,
        }]
        : [{
            Effect: "Allow",
            Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:DescribeParameters"],
            Resource: `arn:aws:ssm:${store.region}:${account}:parameter/${store.prefix}*`,
        }];
    if (store.kmsKeyArn) {
        const via = store.service === "SecretsManager" ? "secretsmanager" : "ssm";
        statements.push({
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: store.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `${via}.${store.region}.amazonaws.com` } },
        });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** AWS Secrets Manager / Parameter Store through IAM roles for service accounts. */
export function awsStore(ctx: StoreContext, store: AwsStoreConfig): StoreWiring {
    const parent = { parent: ctx.parent };
    let roleArn: pulumi.Output<string>;
    const dependsOn: pulumi.Resource[] = [];
    if (store.roleArn !== undefined) {
        roleArn = pulumi.output(store.roleArn);
    } else {
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const role = new iam.Role(`${ctx.name}-${store.name}-role`, {
            description: `External Secrets reader for ${ctx.app} in ${ctx.environment}`,
            assumeRolePolicy: pulumi.all([ctx.identity.oidcProviderArn, ctx.identity.oidcIssuerUrl])
                .apply(([arn, issuer]) => {
                    if (!arn || !issuer) {
                        throw new pulumi.RunError(`secret store "${store.name}" (stack ${pulumi.getStack()}): the cluster has no AWS OIDC provider to trust; set secrets.stores[].roleArn to an existing role`);
                    }
                    return webIdentityTrust(arn, issuer, subject(ctx));
                }),
            maxSessionDuration: 3600,
            tags: { ...ctx.tags },
        }, parent);
        const policy = new iam.RolePolicy(`${ctx.name}-${store.name}-read`, {
            role: role.name,
            policy: account.apply((a) => readPolicy(store, a)),
        }, parent);
        dependsOn.push(policy);
        roleArn = role.arn;
    }
    return {
        provider: { aws: { service: store.service, region: store.region, auth: { jwt: { serviceAccountRef: { name: ctx.serviceAccount } } } } },
        annotations: { "eks.amazonaws.com/role-arn": roleArn },
        remoteKey: (key) => (store.service === "ParameterStore" ? `/${store.prefix}${key}` : `${store.prefix}${key}`),
        dependsOn,
    };
}
