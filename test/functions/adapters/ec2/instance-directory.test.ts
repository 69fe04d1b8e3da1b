import {
  type _InstanceType,
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2InstanceDirectory } from '../../../../functions/adapters/ec2/instance-directory';

const ec2 = mockClient(EC2Client);
const client = new EC2Client({ region: 'us-east-1' });
const one: DescribeInstancesCommandOutput = {
  $metadata: {},
  Reservations: [
    {
      Instances: [
        {
          InstanceId: 'i-0fedcba9876543210',
          PrivateIpAddress: '10.0.1.5',
          InstanceType: 'm5.large' as _InstanceType,
        },
      ],
    },
  ],
};

beforeEach(() => ec2.reset());

describe('Ec2InstanceDirectory', () => {
  it('without a client, makes one from its config at the first lookup and reuses it', async () => {
    ec2.on(DescribeInstancesCommand).resolves(one);
    const directory = new Ec2InstanceDirectory({ clientConfig: { region: 'eu-west-1', maxAttempts: 8 } });
    const first = await directory.resolve({ logStream: 'kern.log', hostname: 'ip-10-0-1-5' });
    const second = await directory.resolve({ logStream: 'kern.log', hostname: 'ip-10-0-1-6' });
    expect(first).toMatchObject({ instanceId: 'i-0fedcba9876543210', resolvedBy: 'hostname' });
    expect(second.instanceId).toBe('i-0fedcba9876543210');
    const [call, again] = ec2.calls();
    expect(await call?.thisValue.config.region()).toBe('eu-west-1');
    expect(again?.thisValue).toBe(call?.thisValue);
  });

  it('takes the instance id from the stream name without calling EC2', async () => {
    const directory = new Ec2InstanceDirectory({ client });
    const ref = await directory.resolve({ logStream: 'i-0abc1234def567890', hostname: 'ip-10-0-1-5' });
    expect(ref).toMatchObject({
      instanceId: 'i-0abc1234def567890',
      hostname: 'ip-10-0-1-5',
      resolvedBy: 'stream-name',
    });
    expect(ec2.calls()).toHaveLength(0);
  });

  it.each([
    ['ip-10-0-1-5', { Name: 'private-ip-address', Values: ['10.0.1.5'] }, 'hostname'],
    ['ip-10-0-1-5.ec2.internal', { Name: 'private-ip-address', Values: ['10.0.1.5'] }, 'hostname'],
    ['10.0.1.5', { Name: 'private-ip-address', Values: ['10.0.1.5'] }, 'private-ip'],
    [
      'web-7.us-west-2.compute.internal',
      { Name: 'private-dns-name', Values: ['web-7.us-west-2.compute.internal'] },
      'hostname',
    ],
  ])('resolves %s through DescribeInstances', async (hostname, filter, resolvedBy) => {
    ec2.on(DescribeInstancesCommand).resolves(one);
    const ref = await new Ec2InstanceDirectory({ client }).resolve({ logStream: 'kern.log', hostname });
    expect(ref).toMatchObject({ instanceId: 'i-0fedcba9876543210', instanceType: 'm5.large', resolvedBy });
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toContainEqual(filter);
  });

  it('leaves an ambiguous address unresolved: commands must never reach the wrong host', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [{ InstanceId: 'i-0aaaaaaaaaaaaaaaa' }, { InstanceId: 'i-0bbbbbbbbbbbbbbbb' }] },
      ],
    });
    const ref = await new Ec2InstanceDirectory({ client }).resolve({
      logStream: null,
      hostname: 'ip-10-0-1-5',
    });
    expect(ref.resolvedBy).toBe('unresolved');
  });

  it('does not look up names that cannot be EC2 names', async () => {
    const ref = await new Ec2InstanceDirectory({ client }).resolve({
      logStream: 'kernel',
      hostname: 'db-primary',
    });
    expect(ref).toMatchObject({ instanceId: null, hostname: 'db-primary', resolvedBy: 'unresolved' });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('caches what it found for the life of the container, and misses for a while', async () => {
    let now = 0;
    const directory = new Ec2InstanceDirectory({ client, now: () => now, negativeCacheMs: 1000 });
    ec2.on(DescribeInstancesCommand).resolvesOnce(one).resolves({ Reservations: [] });
    await directory.resolve({ logStream: null, hostname: 'ip-10-0-1-5' });
    await directory.resolve({ logStream: null, hostname: 'ip-10-0-1-5' });
    expect(ec2.calls()).toHaveLength(1);
    await directory.resolve({ logStream: null, hostname: 'ip-10-0-9-9' });
    await directory.resolve({ logStream: null, hostname: 'ip-10-0-9-9' });
    expect(ec2.calls()).toHaveLength(2);
    now = 2000;
    await directory.resolve({ logStream: null, hostname: 'ip-10-0-9-9' });
    expect(ec2.calls()).toHaveLength(3);
  });
});
