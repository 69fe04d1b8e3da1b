import {
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ec2InstanceDirectory } from '../../../../functions/adapters/ec2/instance-directory';
import { skipped } from '../../../support/aws-tools';
import { type MotoServer, moto, startMoto } from '../../../support/moto-server';

/** An AMI moto server ships with (any id of its built-in images). */
const AMI = 'ami-12c6146b';

// Real SDK client over real HTTP to moto server's EC2: instances launched with RunInstances, in subnets of their
// own, with Name tags and fixed private IPs, found again through DescribeInstances filters.
describe.skipIf(!moto.path)(`Ec2InstanceDirectory on moto server${skipped(moto)}`, () => {
  let server: MotoServer;
  let client: EC2Client;
  let calls: number;
  /** Each test's own third octet: moto's EC2 is slow to reset, so tests keep apart by address instead. */
  let net = 10;
  const ip = (host: number) => `10.0.${net}.${host}`;
  /** The EC2 host name of `ip(5)`. */
  const host = () => `ip-${ip(5).replaceAll('.', '-')}`;

  beforeAll(async () => {
    server = await startMoto();
    client = new EC2Client(server.clientConfig);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeInstancesCommand') calls++;
        return next(args);
      },
      { step: 'initialize', name: 'countLookups' },
    );
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  beforeEach(() => {
    net++;
    calls = 0;
  });

  async function subnet(): Promise<string> {
    const vpc = await client.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const created = await client.send(
      new CreateSubnetCommand({ VpcId: vpc.Vpc?.VpcId, CidrBlock: `10.0.${net}.0/24` }),
    );
    return created.Subnet?.SubnetId ?? '';
  }

  async function launch(subnetId: string, privateIp: string, name: string): Promise<string> {
    const result = await client.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: 'm5.large',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        PrivateIpAddress: privateIp,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }] }],
      }),
    );
    return result.Instances?.[0]?.InstanceId ?? '';
  }

  it.each([
    ['the EC2 host name ip-a-b-c-d', host, 'hostname'],
    ['its private DNS name', () => `${host()}.ec2.internal`, 'hostname'],
    ['its private IP', () => ip(5), 'private-ip'],
  ])('resolves an instance by %s', async (_, name, resolvedBy) => {
    const subnetId = await subnet();
    await launch(subnetId, ip(6), 'web-2');
    const instanceId = await launch(subnetId, ip(5), 'web-1');
    const hostname = name();
    const ref = await new Ec2InstanceDirectory({ client }).resolve({ logStream: 'kern.log', hostname });
    expect(ref).toMatchObject({
      instanceId,
      hostname,
      privateIp: ip(5),
      instanceType: 'm5.large',
      availabilityZone: expect.stringMatching(/^us-east-1[a-f]$/),
      name: 'web-1',
      resolvedBy,
    });
  });

  it('takes the instance id from the stream name without asking EC2', async () => {
    const instanceId = await launch(await subnet(), ip(5), 'web-1');
    const ref = await new Ec2InstanceDirectory({ client }).resolve({
      logStream: instanceId,
      hostname: host(),
    });
    expect(ref).toMatchObject({ instanceId, resolvedBy: 'stream-name' });
    expect(calls).toBe(0);
  });

  it('leaves an address two live instances share (two VPCs with one CIDR) unresolved', async () => {
    await launch(await subnet(), ip(5), 'web-1');
    await launch(await subnet(), ip(5), 'other-vpc');
    const ref = await new Ec2InstanceDirectory({ client }).resolve({ logStream: null, hostname: host() });
    expect(ref).toMatchObject({ instanceId: null, resolvedBy: 'unresolved' });
  });

  it('does not resolve to a terminated instance', async () => {
    const instanceId = await launch(await subnet(), ip(5), 'gone');
    await client.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    const ref = await new Ec2InstanceDirectory({ client }).resolve({ logStream: null, hostname: host() });
    expect(ref.resolvedBy).toBe('unresolved');
  });

  it('asks EC2 once for an instance it found', async () => {
    await launch(await subnet(), ip(5), 'web-1');
    const directory = new Ec2InstanceDirectory({ client });
    await directory.resolve({ logStream: null, hostname: host() });
    const again = await directory.resolve({ logStream: null, hostname: `${host()}.ec2.internal` });
    expect(again.name).toBe('web-1');
    expect(calls).toBe(1);
  });
});
