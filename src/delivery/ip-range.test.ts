import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSubnets, reservedReason } from './ip-range.ts';

test('private and reserved addresses are recognised, including embedded IPv4', () => {
  const refused = {
    '127.0.0.1': 'loopback',
    '10.1.2.3': 'private',
    '172.16.0.1': 'private',
    '192.168.1.1': 'private',
    '169.254.169.254': 'link-local',
    '100.64.0.1': 'carrier-grade NAT',
    '0.0.0.0': 'unspecified',
    '224.0.0.1': 'multicast',
    '255.255.255.255': 'reserved',
    '198.18.0.1': 'benchmarking',
    '::1': 'loopback',
    '::': 'unspecified',
    'fe80::1': 'link-local',
    'fc00::1': 'unique local',
    'fd12:3456::1': 'unique local',
    'ff02::1': 'multicast',
    '::ffff:127.0.0.1': 'loopback',
    '::ffff:7f00:1': 'loopback',
    '::ffff:10.0.0.1': 'private',
    '64:ff9b::a00:1': 'NAT64',
    '2002:a00:1::': '6to4',
  };
  for (const [address, kind] of Object.entries(refused)) {
    assert.match(reservedReason(address) ?? 'public', new RegExp(kind), address);
  }
  for (const address of [
    '93.184.216.34',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '::ffff:93.184.216.34',
  ]) {
    assert.equal(reservedReason(address), null, address);
  }
});

test('allowed subnets match IPv4, IPv6 and mapped addresses; bad CIDRs are refused', () => {
  const allowed = parseSubnets(['127.0.0.0/8', '10.1.0.0/16', '::1/128']);
  assert.ok(allowed('127.0.0.1'));
  assert.ok(allowed('::ffff:127.0.0.1'));
  assert.ok(allowed('10.1.200.3'));
  assert.equal(allowed('10.2.0.1'), false);
  assert.ok(allowed('::1'));
  assert.equal(allowed('fe80::1'), false);
  assert.throws(() => parseSubnets(['10.0.0.0/33']), /not a subnet/);
  assert.throws(() => parseSubnets(['example.com/8']), /not a subnet/);
});
