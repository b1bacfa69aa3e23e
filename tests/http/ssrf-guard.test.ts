import { describe, expect, it } from 'vitest';
import { isForbiddenAddress } from '../../src/http/ssrf-guard.ts';

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
    { name: 'public-ipv4', ip: '8.8.8.8', forbidden: false },
    { name: 'public-ipv4-cloudflare', ip: '1.1.1.1', forbidden: false },
    { name: 'public-ipv6', ip: '2606:4700::1', forbidden: false },
    { name: 'public-ipv6-google', ip: '2a00:1450:4001:82a::200e', forbidden: false },
  ])('$name', ({ ip, forbidden }) => {
    expect(isForbiddenAddress(ip)).toBe(forbidden);
  });
});
