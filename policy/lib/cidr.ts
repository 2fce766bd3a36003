/** IPv4 CIDR arithmetic for allow-lists. */

function parse(cidr: string): { base: number; bits: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
    if (!m) {
        return undefined;
    }
    const octets = m.slice(1, 5).map(Number);
    const bits = m[5] === undefined ? 32 : Number(m[5]);
    if (octets.some((o) => o > 255) || bits > 32) {
        return undefined;
    }
    const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - bits);
    return { base: ip - (ip % size), bits };
}

/** `0.0.0.0/0` and friends: any range that admits every address. */
export function isOpenToAll(cidr: string): boolean {
    const c = parse(cidr);
    return c !== undefined ? c.bits === 0 : /^(::\/0|\*)$/.test(cidr.trim());
}

/** Whether `inner` lies entirely inside `outer`. Unparseable ranges are never inside. */
export function cidrWithin(inner: string, outer: string): boolean {
    const i = parse(inner);
    const o = parse(outer);
    if (!i || !o || i.bits < o.bits) {
        return false;
    }
    const size = 2 ** (32 - o.bits);
    return i.base - (i.base % size) === o.base;
}

/** The entries of `cidrs` that fall outside every range of `allowed`. */
export function outside(cidrs: readonly string[], allowed: readonly string[]): string[] {
    return cidrs.filter((c) => !allowed.some((a) => cidrWithin(c, a)));
}
