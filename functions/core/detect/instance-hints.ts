/**
 * What a log stream name or a host name says about the EC2 instance behind it. The CloudWatch agent names
 * streams `{instance_id}` by default; otherwise `{hostname}` or `{ip_address}`, and EC2's default host names
 * spell the private IP (`ip-10-0-1-5`, `ip-10-0-1-5.ec2.internal`, `ip-10-0-1-5.us-west-2.compute.internal`).
 */
const INSTANCE_ID = /(?:^|[^0-9a-z])(i-(?:[0-9a-f]{17}|[0-9a-f]{8}))(?![0-9a-z])/;
const IP_HOSTNAME = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?:\.|$)/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `i-` followed by 8 or 17 hex digits, anywhere in the stream name as a word of its own. */
export function instanceIdIn(text: string | null): string | null {
  if (!text) return null;
  return INSTANCE_ID.exec(text.toLowerCase())?.[1] ?? null;
}

/** The private IPv4 address a host name or stream name spells, if any. */
export function privateIpIn(text: string | null): string | null {
  if (!text) return null;
  const match = IP_HOSTNAME.exec(text) ?? IPV4.exec(text);
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  return octets.every((octet) => octet <= 255) ? octets.join('.') : null;
}
