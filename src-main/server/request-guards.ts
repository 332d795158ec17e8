/**
 * Which requests the headless server answers, judged from their headers alone (pure). The Host check
 * defeats DNS rebinding, as Jupyter's does: a page of evil.example whose name was re-pointed at
 * 127.0.0.1 reaches our port, but its requests still say `Host: evil.example`.
 */
import { isIPv4, isIPv6 } from 'node:net';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
/** A Host header: a name, an IPv4 address or a bracketed IPv6 address, then an optional port. */
const HOST_HEADER = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::\d{1,5})?$/;

/** True for the addresses of this machine only: 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string): boolean {
  const ipv4 = address.toLowerCase().replace(/^::ffff:/, '');
  if (isIPv4(ipv4)) return ipv4.startsWith('127.');
  return isIPv6(address) && /^(0{0,4}:){2,7}0{0,3}1$/.test(address.toLowerCase());
}

function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * The host names a request may name in its Host header: the loopback names, the address the server
 * is bound to and, when it listens on every interface, this machine's addresses and name.
 */
export function allowedHostnames(boundAddress: string, machineAddresses: readonly string[], machineName: string): Set<string> {
  const names = [...LOOPBACK_NAMES, boundAddress];
  if (isWildcardAddress(boundAddress)) names.push(...machineAddresses, machineName);
  return new Set(names.map((name) => name.toLowerCase()));
}

/** The name in a Host header, lower-cased and without brackets or port; undefined when it is not one. */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  const match = HOST_HEADER.exec(hostHeader?.toLowerCase() ?? '');
  return match === null ? undefined : (match[1] ?? match[2]);
}

export function hostAllowed(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostnameOf(hostHeader);
  return name !== undefined && (allowed.has(name) || (isIPv4(name) && isLoopbackAddress(name)));
}

/**
 * A browser's socket must come from the page's own origin. No Origin (not a browser) passes;
 * `null` (a sandboxed frame, a file: page) and anything unparsable do not.
 */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!URL.canParse(origin)) return false;
  const { protocol, host } = new URL(origin);
  return (protocol === 'http:' || protocol === 'https:') && host === hostHeader?.toLowerCase();
}
