// publicAddressesOnly: the ready-made isAllowedAddress for a relay that delivers for others.
import { describe, expect, it } from 'vitest';
import { publicAddressesOnly } from './index.js';

describe('publicAddressesOnly', () => {
  it.each([
    // IPv4
    ['0.0.0.0', false],
    ['0.1.2.3', false],
    ['127.0.0.1', false],
    ['127.255.0.9', false],
    ['10.0.0.5', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['100.127.255.254', false],
    ['192.0.0.8', false],
    ['198.18.0.1', false],
    ['192.0.2.1', false],
    ['224.0.0.1', false],
    ['239.255.255.250', false],
    ['240.0.0.1', false],
    ['255.255.255.255', false],
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['172.32.0.1', true],
    ['100.128.0.1', true],
    ['11.0.0.1', true],
    ['192.169.0.1', true],
    // IPv6
    ['::', false],
    ['::1', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['febf::1', false],
    ['fec0::1', false],
    ['ff02::1', false],
    ['2001:db8::25', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:10.0.0.5', false],
    ['::ffff:a00:5', false],
    ['::ffff:192.168.0.1', false],
    ['64:ff9b:1::a00:5', false],
    ['100::1', false],
    ['fe80::1%eth0', false],
    ['2a00:1450:4001:80b::200e', true],
    ['2606:4700::1111', true],
    ['::ffff:8.8.8.8', true],
    ['fbff::1', true],
    // not an address: refused
    ['', false],
    ['localhost', false],
    ['mx.example.com', false],
    ['10.0.0.5 ', false],
  ])('%s -> %s', (address, allowed) => {
    expect(publicAddressesOnly(address)).toBe(allowed);
  });
});
