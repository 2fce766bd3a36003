/**
 * What a literal secret looks like: by name (a key or variable called *password*, *token*,
 * *apiKey*…) or by shape (an AWS access key, a private key block, a password inside a URL).
 * References to secrets (`existingSecret`, `…SecretName`, `…Ref`, an ARN) are not secrets.
 */

const SECRET_WORDS = /(^|_)(password|passwd|pwd|passphrase|secret|token|api_?key|apikey|private_?key|access_?key|secret_?key|client_?secret|credentials?)($|_)/;
/** Names that point at a secret instead of holding one. */
const REFERENCE_NAMES = /(^existing|^use_|_(name|names|ref|refs|file|path|selector|store|stores|provider|namespace|enabled|length|ttl|expiry|expiration|lifetime|duration|interval|endpoint|url|header|type|mode|version|location|audience|audiences|issuer|prefix|format)$)/;

/** `dbPassword` → `db_password`, `API-KEY` → `api_key`. */
function words(name: string): string {
    return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toLowerCase();
}

/**
 * Secret words anywhere in a name, as the peer linters match them (`PGPASSWORD`, `SMTP_PASS`,
 * `DBPASSWORD`, `APITOKEN`, `SIGNINGKEY`), minus everyday words that merely contain one.
 */
const SECRET_ANYWHERE = /pass|pwd|secret|token|key|credential/;
const BENIGN_WORDS = /keyspace|keyboard|monkey|turkey|hockey|donkey|jockey|passive|bypass|compass|passthrough|passenger|keycloak|hotkey|keyword/g;

export function isSecretName(name: string): boolean {
    const w = words(name);
    if (REFERENCE_NAMES.test(w)) {
        return false;
    }
    if (SECRET_WORDS.test(w)) {
        return true;
    }
    return SECRET_ANYWHERE.test(w.replace(/_/g, "").replace(BENIGN_WORDS, ""));
}

const SECRET_SHAPES: readonly { readonly what: string; readonly pattern: RegExp }[] = [
    { what: "an AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
    { what: "a private key", pattern: /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/ },
    { what: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
    { what: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
    { what: "a Stripe live key", pattern: /\b[rs]k_live_[A-Za-z0-9]{16,}/ },
    { what: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
    { what: "a password inside a URL", pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
    { what: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

/** The shapes found anywhere in a text (the URL one at any word, not only at the start). */
const SHAPES_IN_TEXT = SECRET_SHAPES.map((s) => new RegExp(s.pattern.source.replace(/^\^/, "\\b"), `${s.pattern.flags}g`));

/** `text` with every secret-shaped part replaced by `[not shown]`: for messages that quote what they were given. */
export function maskSecretShapes(text: string): string {
    return SHAPES_IN_TEXT.reduce((t, re) => t.replace(re, "[not shown]"), text);
}

/** What kind of secret a value looks like, or undefined. */
export function secretShape(value: string): string | undefined {
    return SECRET_SHAPES.find((s) => s.pattern.test(value))?.what;
}

const PLACEHOLDER = /^(\[secret\]|true|false|null|none|-|<[^>]*>)$/i;
/** Values that name where a secret is kept: templates, ARNs, vals/Vault refs, Key Vault or GCP secret ids. */
const REFERENCE_VALUE = /^(\$\{|\{\{|arn:|ref\+|vault:|secretref:|projects\/[^/]+\/secrets\/|https:\/\/[^/]+\.vault\.azure\.net\/)/i;
/** A file path (a mounted credentials file, `GOOGLE_APPLICATION_CREDENTIALS=/var/run/…`) names where a secret is, not the secret. */
const PATH_VALUE = /^(\/[^\s]*|\.{1,2}\/[^\s]*|~\/[^\s]*|file:\/\/[^\s]+)$/;

/** A literal that could be a secret: a non-trivial string that is not a placeholder or reference. */
export function isLiteralSecretValue(value: unknown): value is string {
    if (typeof value !== "string") {
        return false;
    }
    const v = value.trim();
    return v.length >= 4 && !PLACEHOLDER.test(v) && !REFERENCE_VALUE.test(v) && !PATH_VALUE.test(v);
}
