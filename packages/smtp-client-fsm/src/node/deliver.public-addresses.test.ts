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
    // the 6to4 relay anycast prefix (RFC 3068, deprecated by RFC 7526): a tunnel end, no host
    ['192.88.99.1', false],
    ['192.88.98.1', true],
    ['192.88.100.1', true],
    // IPv6
    ['::', false],
    ['::1', false],
    // IETF protocol assignments (2001::/23, RFC 2928): ORCHIDv2, AMT, AS112 and the rest, no mail exchangers
    ['2001:20::1', false],
    ['2001:3::1', false],
    ['2001:1ff:ffff::1', false],
    ['2001:200::1', true],
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

describe('publicAddressesOnly: IPv6 addresses that carry an IPv4 address, in every form isIP takes', () => {
  it.each([
    // IPv4-mapped (::ffff:0:0/96): the embedded address decides, in any spelling
    ['::FFFF:7F00:1', false],
    ['::ffff:7f00:1', false],
    ['0:0:0:0:0:ffff:127.0.0.1', false],
    ['0:0:0:0:0:FFFF:0A00:0005', false],
    ['0000:0000:0000:0000:0000:ffff:c0a8:0101', false],
    ['::FFFF:8.8.8.8', true],
    ['::ffff:808:808', true],
    // NAT64 well-known prefix (64:ff9b::/96, RFC 6052): a NAT64 gateway reaches the embedded address
    ['64:ff9b::7f00:1', false],
    ['64:ff9b::127.0.0.1', false],
    ['64:FF9B::7F00:1', false],
    ['0064:ff9b:0000:0000:0000:0000:7f00:0001', false],
    ['64:ff9b::a00:5', false],
    ['64:ff9b::10.0.0.5', false],
    ['64:ff9b::c0a8:101', false],
    ['64:ff9b::a9fe:a9fe', false],
    ['64:ff9b::0.0.0.0', false],
    ['64:ff9b::ffff:ffff', false],
    ['64:ff9b::8.8.8.8', true],
    ['64:ff9b::808:808', true],
    ['64:FF9B::1.1.1.1', true],
    // the rest of 64:ff9b::/32 is no NAT64 prefix a public MX has (RFC 6052 §2.2: /32 to /96 are network-specific)
    ['64:ff9b:0:0:1::808:808', false],
    // IPv4-compatible (::/96, deprecated) and the rest of ::/8 (reserved): refused, public or not
    ['::127.0.0.1', false],
    ['::7f00:1', false],
    ['::8.8.8.8', false],
    ['::808:808', false],
    ['::ffff:0:127.0.0.1', false],
    ['::ffff:0:8.8.8.8', false],
    ['0:0:0:0:0:0:10.0.0.5', false],
    ['1::8.8.8.8', false],
    // 6to4 (2002::/16, RFC 3056) and Teredo (2001::/32, RFC 4380): refused, public or not
    ['2002:7f00:1::', false],
    ['2002:7f00:0001:0000:0000:0000:0000:0001', false],
    ['2002:a00:5::1', false],
    ['2002:808:808::1', false],
    ['2002:0808:0808::8.8.8.8', false],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false],
    ['2001::80ff:fffe', false],
    ['2001:0:808:808::f7f7:f7f7', false],
    ['2001:0000:0808:0808:0000:0000:8080:8080', false],
    // the IPv6 benchmarking and documentation ranges (RFC 5180, RFC 9637)
    ['2001:2::1', false],
    ['3fff::25', false],
    ['3FFF:FFF::1', false],
    // neighbours that are public
    ['2001:1:808:808::', false], // next to Teredo, still in 2001::/23
    ['2001:4860:4860::8888', true],
    ['2003:7f00:1::', true],
    ['2A00:1450:4001:80B::200E', true],
    ['4000::1', true],
    ['64:ff9a::808:808', false], // still ::/8
    ['100:0:0:1::1', true],
    ['3ffe::1', true],
  ])('%s -> %s', (address, allowed) => {
    expect(publicAddressesOnly(address)).toBe(allowed);
  });
});
