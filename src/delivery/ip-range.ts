// Address ranges for the SSRF guard: which resolved addresses are private or reserved, and
// which of them the operator allowed with HERALD_ALLOWED_SUBNETS.
import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

const reserved: [string, number, Family, string][] = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved address'],
  ['192.0.2.0', 24, 'ipv4', 'a documentation address'],
  ['192.88.99.0', 24, 'ipv4', 'a reserved address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['198.51.100.0', 24, 'ipv4', 'a documentation address'],
  ['203.0.113.0', 24, 'ipv4', 'a documentation address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['64:ff9b::', 96, 'ipv6', 'a NAT64 address'],
  ['64:ff9b:1::', 48, 'ipv6', 'a NAT64 address'],
  ['100::', 64, 'ipv6', 'a discard address'],
  ['2001::', 23, 'ipv6', 'a reserved address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
  ['2002::', 16, 'ipv6', 'a 6to4 address'],
  ['fc00::', 7, 'ipv6', 'a unique local address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fec0::', 10, 'ipv6', 'a site-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

const reservedLists = reserved.map(([net, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { list, family, reason };
});

/** An IPv4 address embedded in an IPv4-mapped or IPv4-compatible IPv6 address. */
function embeddedIpv4(address: string): string | null {
  const match = /^::(?:ffff:(?:0:)?)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match?.[1]) return match[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex?.[1] && hex[2]) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

function normalise(address: string): { address: string; family: Family } | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 0) return null;
  if (version === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4) return { address: v4, family: 'ipv4' };
    return { address: bare, family: 'ipv6' };
  }
  return { address: bare, family: 'ipv4' };
}

/** Why an address may not receive webhooks by default, or null when it is public. */
export function reservedReason(address: string): string | null {
  const n = normalise(address);
  if (!n) return 'not an IP address';
  for (const r of reservedLists) {
    if (r.family === n.family && r.list.check(n.address, n.family)) return r.reason;
  }
  return null;
}

export function isPrivateOrReserved(address: string): boolean {
  return reservedReason(address) !== null;
}

/** Parses CIDRs (`10.0.0.0/8`, `::1/128`, or a bare address) into a matcher. */
export function parseSubnets(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', prefixText] = cidr.trim().split('/');
    const family = isIP(net);
    if (family === 0) throw new Error(`not a subnet: "${cidr}"`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new Error(`not a subnet: "${cidr}"`);
    list.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    const n = normalise(address);
    return n !== null && list.check(n.address, n.family);
  };
}
