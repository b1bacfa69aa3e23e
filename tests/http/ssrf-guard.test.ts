import { describe, expect, it } from 'vitest';
import { isForbiddenAddress, isPrivateNetworkAddress } from '../../src/http/ssrf-guard.ts';

// Decisions only: nothing here opens a connection.
describe('isForbiddenAddress', () => {
  it.each([
    { name: 'ipv4-loopback', ip: '127.0.0.1', forbidden: true },
    { name: 'ipv4-loopback-other', ip: '127.1.2.3', forbidden: true },
    { name: 'rfc1918-10', ip: '10.0.0.1', forbidden: true },
    { name: 'rfc1918-172', ip: '172.16.5.4', forbidden: true },
    { name: 'rfc1918-192', ip: '192.168.1.1', forbidden: true },
    { name: 'cloud-metadata-link-local', ip: '169.254.169.254', forbidden: true },
    { name: 'cgnat', ip: '100.64.0.1', forbidden: true },
    { name: 'unspecified-ipv4', ip: '0.0.0.0', forbidden: true },
    { name: 'multicast-ipv4', ip: '224.0.0.1', forbidden: true },
    { name: 'broadcast', ip: '255.255.255.255', forbidden: true },
    { name: 'reserved-class-e', ip: '240.0.0.1', forbidden: true },
    { name: 'documentation-ipv4', ip: '192.0.2.1', forbidden: true },
    { name: 'ipv6-loopback', ip: '::1', forbidden: true },
    { name: 'ipv6-unspecified', ip: '::', forbidden: true },
    { name: 'ipv4-mapped-dotted', ip: '::ffff:127.0.0.1', forbidden: true },
    { name: 'ipv4-mapped-hex', ip: '::ffff:7f00:1', forbidden: true },
    { name: 'ipv4-mapped-public', ip: '::ffff:8.8.8.8', forbidden: true },
    { name: 'ipv4-compatible', ip: '::7f00:1', forbidden: true },
    { name: 'nat64-well-known', ip: '64:ff9b::a00:1', forbidden: true },
    { name: 'nat64-local-use', ip: '64:ff9b:1::a00:1', forbidden: true },
    { name: 'six-to-four', ip: '2002:7f00:1::1', forbidden: true },
    { name: 'teredo', ip: '2001:0:4136:e378::1', forbidden: true },
    { name: 'unique-local', ip: 'fc00::1', forbidden: true },
    { name: 'link-local-ipv6', ip: 'fe80::1', forbidden: true },
    { name: 'link-local-with-zone', ip: 'fe80::1%eth0', forbidden: true },
    { name: 'multicast-ipv6', ip: 'ff02::1', forbidden: true },
    { name: 'octal-ipv4-form', ip: '0177.0.0.1', forbidden: true },
    { name: 'short-ipv4-form', ip: '127.1', forbidden: true },
    { name: 'hostname-not-address', ip: 'localhost', forbidden: true },
    { name: 'hex-ipv4-form', ip: '0x7f.0.0.1', forbidden: true },
    { name: 'integer-ipv4-form', ip: '2130706433', forbidden: true },
    { name: 'this-network-ipv4', ip: '0.1.2.3', forbidden: true },
    { name: 'ietf-protocol-assignments', ip: '192.0.0.1', forbidden: true },
    { name: 'benchmarking-ipv4', ip: '198.18.0.1', forbidden: true },
    { name: 'nat64-well-known-to-metadata', ip: '64:ff9b::a9fe:a9fe', forbidden: true },
    { name: 'ipv4-mapped-metadata', ip: '::ffff:169.254.169.254', forbidden: true },
    { name: 'ipv4-translated', ip: '::ffff:0:7f00:1', forbidden: true },
    { name: 'six-to-four-public-inside', ip: '2002:808:808::1', forbidden: true },
    { name: 'teredo-public-inside', ip: '2001:0:808:808::1', forbidden: true },
    { name: 'aws-metadata-ipv6', ip: 'fd00:ec2::254', forbidden: true },
    { name: 'site-local-deprecated', ip: 'fec0::1', forbidden: true },
    { name: 'discard-only', ip: '100::1', forbidden: true },
    { name: 'documentation-ipv6', ip: '2001:db8::1', forbidden: true },
    { name: 'ietf-reserved-low-ipv6', ip: '::1:2:3:4', forbidden: true },
    { name: 'outside-global-unicast', ip: '4000::1', forbidden: true },
    { name: 'public-ipv4', ip: '8.8.8.8', forbidden: false },
    { name: 'public-ipv4-cloudflare', ip: '1.1.1.1', forbidden: false },
    { name: 'public-ipv6', ip: '2606:4700::1', forbidden: false },
    { name: 'public-ipv6-google', ip: '2a00:1450:4001:82a::200e', forbidden: false },
  ])('$name', ({ ip, forbidden }) => {
    expect(isForbiddenAddress(ip)).toBe(forbidden);
  });
});

// What ALLOW_PRIVATE_NETWORKS opens: one's own networks, and nothing a feed never lives on.
describe('isPrivateNetworkAddress', () => {
  it.each([
    { name: 'ipv4-loopback', ip: '127.0.0.1', private: true },
    { name: 'ipv4-loopback-other', ip: '127.0.0.2', private: true },
    { name: 'rfc1918-10', ip: '10.0.0.1', private: true },
    { name: 'rfc1918-172', ip: '172.16.5.4', private: true },
    { name: 'rfc1918-192', ip: '192.168.1.1', private: true },
    { name: 'cgnat-overlay-network', ip: '100.101.102.103', private: true },
    { name: 'ipv6-loopback', ip: '::1', private: true },
    { name: 'unique-local', ip: 'fd12:3456::1', private: true },
    { name: 'ipv4-mapped-private', ip: '::ffff:192.168.1.1', private: true },
    { name: 'ipv4-mapped-loopback-hex', ip: '::ffff:7f00:1', private: true },
    { name: 'cloud-metadata-link-local', ip: '169.254.169.254', private: false },
    { name: 'ipv4-mapped-metadata', ip: '::ffff:169.254.169.254', private: false },
    { name: 'nat64-metadata', ip: '64:ff9b::a9fe:a9fe', private: false },
    { name: 'aws-metadata-ipv6-in-unique-local', ip: 'fd00:ec2::254', private: false },
    { name: 'alibaba-metadata-in-cgnat', ip: '100.100.100.200', private: false },
    { name: 'link-local-ipv6', ip: 'fe80::1', private: false },
    { name: 'unspecified-ipv4-reaches-this-host', ip: '0.0.0.0', private: false },
    { name: 'unspecified-ipv6', ip: '::', private: false },
    { name: 'multicast-ipv4', ip: '224.0.0.1', private: false },
    { name: 'broadcast', ip: '255.255.255.255', private: false },
    { name: 'reserved-class-e', ip: '240.0.0.1', private: false },
    { name: 'ipv4-compatible-loopback', ip: '::7f00:1', private: false },
    { name: 'public-ipv4', ip: '8.8.8.8', private: false },
    { name: 'hostname-not-address', ip: 'localhost', private: false },
  ])('$name', ({ ip, private: isPrivate }) => {
    expect(isPrivateNetworkAddress(ip)).toBe(isPrivate);
  });
});
