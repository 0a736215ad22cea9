import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

// Where webhooks may go. An admin key must not become a probe of the internal network: receivers
// are https (http only for hosts an operator lists), never loopback, private, link-local,
// unique-local, multicast, carrier-grade NAT, reserved or cloud-metadata addresses — in any
// spelling (the URL parser turns 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1; IPv4-mapped IPv6
// is unwrapped) — checked when a subscription is saved and again at delivery, after DNS: a name
// that resolves to such an address is refused, and the request goes to the address that was
// checked (no second lookup an attacker could answer differently). Credentials in URLs are refused.
// WEBHOOK_ALLOW_PRIVATE_TARGETS=true lifts the address rule for development and tests.

export interface TargetPolicy {
  /** Development and tests only: loopback and private receivers allowed. */
  allowPrivate: boolean;
  /** Hosts (names or addresses) that may be reached over plain http. */
  httpHosts: string[];
}

export function targetPolicyFromEnv(env: Record<string, string | undefined> = process.env): TargetPolicy {
  return {
    allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
    httpHosts: (env.WEBHOOK_HTTP_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  };
}

/** A public address: the only kind a receiver may have (unless the policy allows private ones). */
export function publicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (parsed.range() !== 'unicast') return false;
  // IPv6: global unicast (2000::/3) only. ipaddr.js calls the deprecated IPv4-compatible ::/96
  // (::127.0.0.1, ::a9fe:a9fe) unicast; tunnels and NAT64 gateways can still route them inward.
  return parsed.kind() === 'ipv4' || (parsed as ipaddr.IPv6).match(GLOBAL_UNICAST_V6);
}

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** The host as compared: no IPv6 brackets, no trailing dot of a fully qualified name, lower case. */
const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '').toLowerCase();

/** Why this URL may not be a receiver, or null. */
export function targetProblem(raw: string, policy: TargetPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute https:// URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an absolute https:// URL';
  if (url.username || url.password) return 'must not carry credentials (user:password@): authenticate receivers by the signature';
  const host = bare(url.hostname);
  if (!host) return 'must name a host';
  if (url.protocol === 'http:' && !policy.allowPrivate && !policy.httpHosts.includes(host))
    return 'must use https:// (plain http only for hosts listed in WEBHOOK_HTTP_HOSTS)';
  if (policy.allowPrivate) return null;
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal'))
    return `must not point at an internal host (${host})`;
  if (ipaddr.isValid(host) && !publicAddress(host)) return `must not point at a ${ipaddr.process(host).range()} address (${host})`;
  return null;
}

export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/** The address to connect to: the URL's host, resolved, every address checked. */
export async function resolveTarget(url: URL, policy: TargetPolicy): Promise<{ address: string; family: 4 | 6 }> {
  const problem = targetProblem(url.toString(), policy);
  if (problem) throw new TargetRefused(`target refused: ${problem}`);
  const host = bare(url.hostname);
  if (ipaddr.isValid(host)) return { address: ipaddr.process(host).toString(), family: ipaddr.process(host).kind() === 'ipv6' ? 6 : 4 };
  let found: { address: string; family: number }[];
  try {
    found = await lookup(host, { all: true, verbatim: true });
  } catch (error) {
    throw new TargetRefused(`DNS: ${(error as NodeJS.ErrnoException).code ?? 'lookup failed'} for ${host}`);
  }
  if (found.length === 0) throw new TargetRefused(`DNS: no address for ${host}`);
  // Every address must be allowed: a name with one private address among public ones is refused.
  const bad = policy.allowPrivate ? undefined : found.find((a) => !publicAddress(a.address));
  if (bad) throw new TargetRefused(`target refused: ${host} resolves to a ${ipaddr.process(bad.address).range()} address`);
  const chosen = found[0]!;
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}
