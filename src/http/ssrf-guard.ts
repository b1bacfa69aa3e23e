/**
 * The SSRF decision: may the pipeline open a connection to this IP address? Feed URLs come from config
 * and, worse, from redirects and feed content chosen by third parties, so every address we are about to
 * connect to goes through here, on every hop.
 */
import ipaddr from 'ipaddr.js';

/**
 * IPv6 prefixes that carry an IPv4 address inside them. A host behind one of them may reach whatever the
 * embedded IPv4 address reaches (FACTS.md: `::ffff:7f00:1` and `::7f00:1` both end up on 127.0.0.1), and
 * ipaddr.js calls `::/96` (IPv4-compatible, deprecated by RFC 4291) plain "unicast", so it is listed here.
 * NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 and Teredo are denied outright rather than decoded: a
 * monitoring pipeline has no reason to fetch through a translator, and decoding invites mistakes.
 */
const IPV4_EMBEDDING_RANGES: readonly [ipaddr.IPv6, number][] = [
  [ipaddr.IPv6.parse('::'), 96], // IPv4-compatible
  [ipaddr.IPv6.parse('::ffff:0:0'), 96], // IPv4-mapped
  [ipaddr.IPv6.parse('::ffff:0:0:0'), 96], // IPv4-translated (RFC 6145)
  [ipaddr.IPv6.parse('64:ff9b::'), 96], // NAT64 well-known prefix (RFC 6052)
  [ipaddr.IPv6.parse('64:ff9b:1::'), 48], // NAT64 local-use prefix (RFC 8215)
  [ipaddr.IPv6.parse('2002::'), 16], // 6to4
  [ipaddr.IPv6.parse('2001::'), 32], // Teredo
];

/**
 * Global unicast (RFC 4291 §2.4): every public IPv6 address today is in 2000::/3. ipaddr.js calls much
 * of the rest "unicast" too (e.g. `::1:2:3:4`, `4000::1`), although IANA lists it as reserved; an
 * address outside 2000::/3 is refused.
 */
const IPV6_GLOBAL_UNICAST: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];

/**
 * True when connecting to `ip` must be refused: anything that is not an ordinary public unicast address
 * (loopback, RFC 1918 private, link-local incl. cloud metadata 169.254.169.254, CGNAT 100.64/10,
 * multicast, broadcast, reserved, unspecified `0.0.0.0`/`::`, unique-local fc00::/7, IPv6 outside global
 * unicast 2000::/3, and every IPv6 form that embeds an IPv4 address). It is an allow-list: only ipaddr.js's `unicast` range passes, so a range
 * ipaddr.js learns later is denied by default. Input that is not a plain dotted-quad IPv4 or a valid IPv6
 * address is refused too: octal, hex and short IPv4 forms were the root of several CVEs in IP-range
 * packages (FACTS.md), and a resolver never returns them.
 *
 * @example
 * isForbiddenAddress('169.254.169.254'); // true
 * isForbiddenAddress('::ffff:7f00:1'); // true
 * isForbiddenAddress('8.8.8.8'); // false
 */
export function isForbiddenAddress(ip: string): boolean {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) {
    return ipaddr.IPv4.parse(ip).range() !== 'unicast';
  }
  if (!ipaddr.IPv6.isValid(ip)) return true;
  const address = ipaddr.IPv6.parse(ip);
  if (address.range() !== 'unicast' || !address.match(IPV6_GLOBAL_UNICAST)) return true;
  return IPV4_EMBEDDING_RANGES.some((range) => address.match(range));
}

/**
 * Cloud metadata services inside ranges that {@link isPrivateNetworkAddress} lets through: they hand
 * out credentials, and no feed or page lives there. AWS's IPv6 endpoint is unique-local, Alibaba
 * Cloud's is inside CGNAT 100.64/10. (169.254.169.254, the usual one, is link-local: never private.)
 */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200']);

/**
 * True for the addresses of the operator's own networks, which `ALLOW_PRIVATE_NETWORKS` opens for feeds
 * served there: loopback, RFC 1918 private, CGNAT 100.64/10 (Tailscale and other overlay networks live
 * there), IPv6 loopback and unique-local fc00::/7, and the IPv4-mapped forms of these. Link-local
 * (cloud metadata 169.254.169.254), unspecified, multicast, broadcast, reserved, NAT64 and the known
 * metadata endpoints stay refused: a network of one's own serves no feed from them.
 *
 * @example
 * isPrivateNetworkAddress('192.168.1.20'); // true
 * isPrivateNetworkAddress('169.254.169.254'); // false
 * isPrivateNetworkAddress('0.0.0.0'); // false
 */
export function isPrivateNetworkAddress(ip: string): boolean {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) {
    if (METADATA_ADDRESSES.has(ip)) return false;
    return ['loopback', 'private', 'carrierGradeNat'].includes(ipaddr.IPv4.parse(ip).range());
  }
  if (!ipaddr.IPv6.isValid(ip)) return false;
  const address = ipaddr.IPv6.parse(ip);
  if (address.isIPv4MappedAddress()) return isPrivateNetworkAddress(address.toIPv4Address().toString());
  if (METADATA_ADDRESSES.has(address.toString())) return false;
  return ['loopback', 'uniqueLocal'].includes(address.range());
}
