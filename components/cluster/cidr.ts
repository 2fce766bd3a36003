/**
 * Splits an IPv4 network into equal subnets: `subnet("10.0.0.0/16", 4, 2)` is `10.0.32.0/20`.
 */
export function subnet(cidr: string, newBits: number, index: number): string {
    const [base, prefixText] = cidr.split("/");
    const prefix = Number(prefixText);
    const newPrefix = prefix + newBits;
    if (newPrefix > 30 || index < 0 || index >= 2 ** newBits) {
        throw new Error(`cannot take subnet ${index} of ${cidr} with ${newBits} more bits`);
    }
    const start = base.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const networkStart = start - (start % 2 ** (32 - prefix));
    const addr = networkStart + index * 2 ** (32 - newPrefix);
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(addr / 2 ** shift) % 256);
    return `${octets.join(".")}/${newPrefix}`;
}
