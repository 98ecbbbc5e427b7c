import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatIpv4,
  inSubnets,
  isPrivateOrReserved,
  parseIp,
  parseSubnet,
  parseSubnetList,
  parseSubnets,
  reservedReason,
  wholeAddressSpaces,
} from './ip-range.ts';

test('addresses parse to numbers in every IPv6 spelling', () => {
  assert.deepEqual(parseIp('127.0.0.1'), { family: 4, value: 0x7f000001n });
  assert.deepEqual(parseIp('::1'), { family: 6, value: 1n });
  assert.deepEqual(parseIp('[::1]'), { family: 6, value: 1n });
  assert.deepEqual(parseIp('fe80::1%eth0'), { family: 6, value: (0xfe80n << 112n) | 1n });
  const mapped = (0xffffn << 32n) | 0x7f000001n;
  for (const spelling of [
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:7f00:1',
    '0:0:0:0:0:FFFF:127.0.0.1',
    '::0:ffff:7f00:0001',
  ]) {
    assert.deepEqual(parseIp(spelling), { family: 6, value: mapped }, spelling);
  }
  assert.deepEqual(parseIp('1:2:3:4:5:6:7:8')?.value, 0x00010002000300040005000600070008n);
  assert.deepEqual(parseIp('1::')?.value, 1n << 112n);
  for (const bad of ['', 'example.com', '1.2.3', '256.0.0.1', '01.2.3.4', '1:2:3', ':::1', '::g']) {
    assert.equal(parseIp(bad), null, bad);
  }
  assert.equal(formatIpv4(0xc0a80101n), '192.168.1.1');
});

test('private and reserved IPv4 addresses are refused with their reason', () => {
  const refused: Record<string, string> = {
    '0.0.0.0': 'unspecified',
    '0.255.255.255': 'unspecified',
    '10.0.0.0': 'private',
    '10.255.255.255': 'private',
    '100.64.0.1': 'carrier-grade NAT',
    '100.127.255.255': 'carrier-grade NAT',
    '127.0.0.1': 'loopback',
    '127.255.255.254': 'loopback',
    '169.254.169.254': 'link-local',
    '172.16.0.1': 'private',
    '172.31.255.255': 'private',
    '192.0.0.8': 'IETF protocol assignments',
    '192.0.2.1': 'documentation',
    '192.88.99.1': '6to4 relay',
    '192.168.0.1': 'private',
    '198.18.0.1': 'benchmarking',
    '198.19.255.255': 'benchmarking',
    '198.51.100.7': 'documentation',
    '203.0.113.9': 'documentation',
    '224.0.0.1': 'multicast',
    '239.255.255.250': 'multicast',
    '240.0.0.1': 'reserved',
    '255.255.255.255': 'broadcast',
  };
  for (const [address, kind] of Object.entries(refused)) {
    assert.match(reservedReason(address) ?? 'public', new RegExp(kind), address);
    assert.equal(isPrivateOrReserved(address), true, address);
  }
});

test('private and reserved IPv6 addresses are refused, embedded IPv4 judged as IPv4', () => {
  const refused: Record<string, string> = {
    '::': 'unspecified',
    '::1': 'loopback',
    '[::1]': 'loopback',
    '::2': 'IPv4-compatible',
    '::127.0.0.1': 'IPv4-compatible',
    'fe80::1': 'link-local',
    'febf:ffff::1': 'link-local',
    'fec0::1': 'site-local',
    'fc00::1': 'unique local',
    'fd12:3456:789a::1': 'unique local',
    'ff02::1': 'multicast',
    'ff0e::101': 'multicast',
    '100::1': 'discard',
    '2001::1': 'IETF protocol assignments',
    '2001:db8::1': 'documentation',
    '3fff::1': 'documentation',
    '64:ff9b:1::a00:1': 'local-use NAT64',
    '4000::1': 'outside global unicast',
    '::ffff:127.0.0.1': 'loopback',
    '::ffff:7f00:1': 'loopback',
    '0:0:0:0:0:ffff:a00:1': 'private',
    '::ffff:10.0.0.1': 'private',
    '::ffff:169.254.169.254': 'link-local',
    '::ffff:0.0.0.0': 'unspecified',
    '::ffff:0:192.168.1.1': 'private',
    '64:ff9b::127.0.0.1': 'loopback',
    '64:ff9b::a00:1': 'private',
    '64:ff9b::a9fe:a9fe': 'link-local',
    '2002:7f00:1::': 'loopback',
    '2002:a00:1::1': 'private',
    '2002:c0a8:101:1::1': 'private',
  };
  for (const [address, kind] of Object.entries(refused)) {
    assert.match(reservedReason(address) ?? 'public', new RegExp(kind), address);
  }
});

test('public addresses pass, including public IPv4 inside IPv6', () => {
  for (const address of [
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255',
    '11.0.0.0',
    '93.184.216.34',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.1',
    '169.253.255.255',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.3.1',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4007:80e::200e',
    '2001:200::1',
    '2001:db9::1',
    '3fff:1000::1',
    '::ffff:93.184.216.34',
    '::ffff:808:808',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ]) {
    assert.equal(reservedReason(address), null, address);
    assert.equal(isPrivateOrReserved(address), false, address);
  }
  assert.equal(reservedReason('example.com'), 'not an IP address');
});

test('subnet lists parse from arrays or comma-separated text and reject bad CIDRs', () => {
  assert.deepEqual(
    parseSubnetList('127.0.0.0/8, ::1/128,,10.0.0.0/8 ').map((s) => s.text),
    ['127.0.0.0/8', '::1/128', '10.0.0.0/8'],
  );
  assert.deepEqual(parseSubnetList(''), []);
  assert.deepEqual(parseSubnet('10.1.2.3/8'), {
    family: 4,
    network: 0x0a000000n,
    prefix: 8,
    text: '10.1.2.3/8',
  });
  assert.equal(parseSubnet('192.168.1.1').prefix, 32);
  assert.equal(parseSubnet('fd00::1').prefix, 128);
  for (const bad of [
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '10.0.0.0/8/9',
    '10.0.0.0/ 8',
    '10.0.0.0/8a',
    'example.com/8',
    '10.0.0/8',
    '/8',
  ]) {
    assert.throws(() => parseSubnet(bad), /not a subnet/, bad);
  }
  assert.throws(() => parseSubnets('127.0.0.0/8,nope'), /not a subnet: "nope"/);
});

test('allowed subnets match IPv4, IPv6 and IPv4 carried inside IPv6', () => {
  const allowed = parseSubnets(['127.0.0.0/8', '10.1.0.0/16', '::1/128', 'fd00::/8']);
  for (const address of [
    '127.0.0.1',
    '127.9.9.9',
    '::ffff:127.0.0.1',
    '64:ff9b::7f00:1',
    '10.1.200.3',
    '::1',
    '[::1]',
    'fd12::1',
  ]) {
    assert.equal(allowed(address), true, address);
  }
  for (const address of ['10.2.0.1', '128.0.0.1', 'fe80::1', '::2', 'fc00::1', 'not-an-ip']) {
    assert.equal(allowed(address), false, address);
  }
  const everything = parseSubnetList('0.0.0.0/0,::/0');
  assert.ok(inSubnets('8.8.8.8', everything));
  assert.ok(inSubnets('fe80::1', everything));
  assert.equal(inSubnets('8.8.8.8', []), false);
  // A mapped subnet written in IPv6 matches the mapped spelling.
  assert.ok(inSubnets('::ffff:7f00:1', parseSubnetList('::ffff:0:0/96')));
});

test('subnets that span a whole address family are named for a warning', () => {
  assert.deepEqual(wholeAddressSpaces(['0.0.0.0/0', '10.0.0.0/8', '::/0']), ['0.0.0.0/0', '::/0']);
  assert.deepEqual(wholeAddressSpaces(['127.0.0.1/32', '192.168.0.0/16', '10.0.0.0/8']), []);
});
