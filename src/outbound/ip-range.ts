// Address ranges for the SSRF guard (pure, no I/O): which addresses are private or reserved,
// and which of them the operator allowed with HERALD_ALLOWED_SUBNETS. IPv6 addresses that
// carry an IPv4 address (IPv4-mapped, IPv4-translated, NAT64 64:ff9b::/96, 6to4) are judged
// by the IPv4 address inside them, so ::ffff:127.0.0.1 is a loopback address.
import { isIP } from 'node:net';

export type IpFamily = 4 | 6;

/** An address as a number: 32 bits for IPv4, 128 bits for IPv6. */
export type IpAddress = { family: IpFamily; value: bigint };

/** A subnet: the addresses whose first `prefix` bits equal those of `network`. */
export type Subnet = { family: IpFamily; network: bigint; prefix: number; text: string };

const bitsOf = (family: IpFamily) => (family === 4 ? 32 : 128);

function parseIpv4(text: string): bigint | null {
  if (isIP(text) !== 4) return null;
  let value = 0n;
  for (const part of text.split('.')) value = (value << 8n) | BigInt(Number(part));
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (isIP(text) !== 6) return null;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hexadecimal groups.
  let hex = text;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (v4 === null) return null;
    hex = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left = '', right] = hex.split('::');
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groupsOf(left);
  const rest = right === undefined ? [] : groupsOf(right);
  const zeros = right === undefined ? 0 : 8 - head.length - rest.length;
  const groups = [...head, ...Array<string>(zeros).fill('0'), ...rest];
  if (groups.length !== 8) return null;
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  return value;
}

/** Parses an IPv4 or IPv6 address (brackets and an IPv6 zone are ignored), or null. */
export function parseIp(text: string): IpAddress | null {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1');
  const v4 = parseIpv4(bare);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(bare.replace(/%[^%]*$/, ''));
  return v6 === null ? null : { family: 6, value: v6 };
}

export function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn)).join('.');
}

/** Parses one CIDR (`10.0.0.0/8`, `::1/128`) or a bare address (a /32 or /128). */
export function parseSubnet(cidr: string): Subnet {
  const text = cidr.trim();
  const slash = text.indexOf('/');
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  const prefixText = slash === -1 ? null : text.slice(slash + 1);
  if (address === null || (prefixText !== null && !/^\d{1,3}$/.test(prefixText))) {
    throw new Error(`not a subnet: "${cidr}" (expected a CIDR such as 10.0.0.0/8 or fd00::/8)`);
  }
  const bits = bitsOf(address.family);
  const prefix = prefixText === null ? bits : Number(prefixText);
  if (prefix > bits) throw new Error(`not a subnet: "${cidr}" (prefix longer than ${bits} bits)`);
  const shift = BigInt(bits - prefix);
  return { family: address.family, network: (address.value >> shift) << shift, prefix, text };
}

/** Parses a list of CIDRs, given as an array or as one comma-separated string. */
export function parseSubnetList(cidrs: string | readonly string[]): Subnet[] {
  const items = typeof cidrs === 'string' ? cidrs.split(',') : cidrs;
  return items.filter((item) => item.trim() !== '').map(parseSubnet);
}

function contains(subnet: Subnet, address: IpAddress): boolean {
  if (subnet.family !== address.family) return false;
  const shift = BigInt(bitsOf(subnet.family) - subnet.prefix);
  return address.value >> shift === subnet.network >> shift;
}

/** The IPv4 address carried inside an IPv6 one, where it decides the destination. */
export function embeddedIpv4(address: IpAddress): { ipv4: bigint; kind: string } | null {
  if (address.family !== 6) return null;
  for (const { subnet, kind, shift } of carriers) {
    if (contains(subnet, address)) return { ipv4: (address.value >> shift) & 0xffffffffn, kind };
  }
  return null;
}

const carriers = [
  { cidr: '::ffff:0:0/96', kind: 'IPv4-mapped', shift: 0n },
  { cidr: '::ffff:0:0:0/96', kind: 'IPv4-translated', shift: 0n },
  { cidr: '64:ff9b::/96', kind: 'NAT64', shift: 0n },
  { cidr: '2002::/16', kind: '6to4', shift: 80n },
].map((c) => ({ ...c, subnet: parseSubnet(c.cidr) }));

const table = (rows: [string, string][]) =>
  rows.map(([cidr, reason]) => ({ subnet: parseSubnet(cidr), reason }));

// The first matching row gives the reason, so narrower rows come before wider ones.
const reservedIpv4 = table([
  ['0.0.0.0/8', 'an unspecified address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'a reserved address (IETF protocol assignments)'],
  ['192.0.2.0/24', 'a documentation address'],
  ['192.88.99.0/24', 'a reserved address (6to4 relay)'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['255.255.255.255/32', 'a broadcast address'],
  ['240.0.0.0/4', 'a reserved address'],
]);

const reservedIpv6 = table([
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['::/96', 'a reserved address (IPv4-compatible)'],
  ['64:ff9b:1::/48', 'a reserved address (local-use NAT64)'],
  ['100::/64', 'a discard-only address'],
  ['2001::/23', 'a reserved address (IETF protocol assignments)'],
  ['2001:db8::/32', 'a documentation address'],
  ['3fff::/20', 'a documentation address'],
  ['fc00::/7', 'a unique local address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address'],
  ['ff00::/8', 'a multicast address'],
]);

// Only 2000::/3 holds global unicast addresses; everything outside it is reserved.
const globalUnicast = parseSubnet('2000::/3');

/**
 * Why an address may not receive webhooks by default ("a loopback address"), or null when it
 * is a public address. Text that is not an IP address is refused too.
 */
export function reservedReason(address: string): string | null {
  const parsed = parseIp(address);
  if (parsed === null) return 'not an IP address';
  const embedded = embeddedIpv4(parsed);
  if (embedded) return reservedReason(formatIpv4(embedded.ipv4));
  const rows = parsed.family === 4 ? reservedIpv4 : reservedIpv6;
  const row = rows.find((r) => contains(r.subnet, parsed));
  if (row) return row.reason;
  if (parsed.family === 6 && !contains(globalUnicast, parsed)) {
    return 'a reserved address (outside global unicast)';
  }
  return null;
}

export function isPrivateOrReserved(address: string): boolean {
  return reservedReason(address) !== null;
}

/**
 * Whether an address lies in one of the subnets. An IPv6 address that carries an IPv4
 * address matches the IPv4 subnets that hold that address as well as its own IPv6 ones.
 */
export function inSubnets(address: string, subnets: readonly Subnet[]): boolean {
  const parsed = parseIp(address);
  if (parsed === null) return false;
  const embedded = embeddedIpv4(parsed);
  const inner: IpAddress | null = embedded ? { family: 4, value: embedded.ipv4 } : null;
  return subnets.some((s) => contains(s, parsed) || (inner !== null && contains(s, inner)));
}

/** Parses CIDRs once and returns a matcher; throws on a malformed CIDR. */
export function parseSubnets(cidrs: string | readonly string[]): (address: string) => boolean {
  const subnets = parseSubnetList(cidrs);
  return (address) => inSubnets(address, subnets);
}

/**
 * The subnets of a list that span a whole address family (`0.0.0.0/0`, `::/0`): allowing
 * one turns the private-address guard off for that family, which is almost never meant.
 */
export function wholeAddressSpaces(cidrs: readonly string[]): string[] {
  return parseSubnetList(cidrs)
    .filter((s) => s.prefix === 0)
    .map((s) => s.text);
}
