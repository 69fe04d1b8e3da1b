import type { EC2Client, EC2ClientConfig, Filter, Instance } from '@aws-sdk/client-ec2';
import { instanceIdIn, privateIpIn } from '../../core/detect/instance-hints';
import type { InstanceDirectory, InstanceHints } from '../../core/detect/ports';
import type { InstanceRef, InstanceResolution } from '../../core/incident/model';

export interface Ec2InstanceDirectoryProps {
  /**
   * The EC2 client. Without one, a client is made from `clientConfig` at the first lookup: a stream named for its
   * instance (the shipped agent configurations) never loads the EC2 SDK. @default made from `clientConfig`
   */
  client?: EC2Client;
  /** Settings for the client made at the first lookup when `client` is not given. @default `{}` */
  clientConfig?: EC2ClientConfig;
  /** How long "not found" is remembered; found instances are remembered for the container's life. @default 5 min */
  negativeCacheMs?: number;
  now?: () => number;
}

/**
 * Resolves the instance behind a log: the instance id in the stream name when there is one (no API call),
 * else the private IP a host name spells, or an EC2 private DNS name, through DescribeInstances. Ambiguous or
 * absent matches stay unresolved: commands must never go to the wrong host.
 */
export class Ec2InstanceDirectory implements InstanceDirectory {
  private client: EC2Client | null;
  private readonly clientConfig: EC2ClientConfig;
  private readonly negativeCacheMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { ref: InstanceRef; until: number }>();

  constructor(props: Ec2InstanceDirectoryProps) {
    this.client = props.client ?? null;
    this.clientConfig = props.clientConfig ?? {};
    this.negativeCacheMs = props.negativeCacheMs ?? 5 * 60_000;
    this.now = props.now ?? Date.now;
  }

  async resolve(hints: InstanceHints): Promise<InstanceRef> {
    const fromStream = instanceIdIn(hints.logStream);
    if (fromStream) return { ...emptyRef(hints.hostname), instanceId: fromStream, resolvedBy: 'stream-name' };
    for (const candidate of [hints.hostname, hints.logStream]) {
      const lookup = lookupFor(candidate);
      if (!lookup) continue;
      const cacheKey = `${lookup.filter.Name}=${lookup.filter.Values?.[0]}`;
      const cached = this.cache.get(cacheKey);
      if (cached && cached.until > this.now()) return { ...cached.ref, hostname: hints.hostname };
      const ref = await this.describe(lookup.filter, lookup.resolvedBy, hints.hostname);
      const found = ref.resolvedBy !== 'unresolved';
      this.cache.set(cacheKey, {
        ref,
        until: found ? Number.POSITIVE_INFINITY : this.now() + this.negativeCacheMs,
      });
      if (found) return ref;
    }
    return emptyRef(hints.hostname);
  }

  private async describe(
    filter: Filter,
    resolvedBy: InstanceResolution,
    hostname: string | null,
  ): Promise<InstanceRef> {
    // Loaded here, not at the top: see describe-instances.ts.
    const ec2 = await import('./describe-instances');
    this.client ??= ec2.createEc2Client(this.clientConfig);
    const instances = await ec2.describeInstances(this.client, [
      filter,
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping'] },
    ]);
    const [only] = instances;
    if (instances.length !== 1 || !only?.InstanceId) return emptyRef(hostname);
    return refFrom(only, resolvedBy, hostname);
  }
}

function lookupFor(name: string | null): { filter: Filter; resolvedBy: InstanceResolution } | null {
  if (!name) return null;
  const ip = privateIpIn(name);
  if (ip) {
    return {
      filter: { Name: 'private-ip-address', Values: [ip] },
      resolvedBy: name === ip ? 'private-ip' : 'hostname',
    };
  }
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.(ec2\.internal|compute\.internal)$/i.test(name)) {
    return { filter: { Name: 'private-dns-name', Values: [name.toLowerCase()] }, resolvedBy: 'hostname' };
  }
  return null;
}

function refFrom(instance: Instance, resolvedBy: InstanceResolution, hostname: string | null): InstanceRef {
  return {
    instanceId: instance.InstanceId ?? null,
    hostname,
    privateIp: instance.PrivateIpAddress ?? null,
    instanceType: instance.InstanceType ?? null,
    availabilityZone: instance.Placement?.AvailabilityZone ?? null,
    name: instance.Tags?.find((tag) => tag.Key === 'Name')?.Value ?? null,
    resolvedBy,
  };
}

function emptyRef(hostname: string | null): InstanceRef {
  return {
    instanceId: null,
    hostname,
    privateIp: null,
    instanceType: null,
    availabilityZone: null,
    name: null,
    resolvedBy: 'unresolved',
  };
}
