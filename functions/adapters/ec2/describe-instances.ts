import {
  DescribeInstancesCommand,
  EC2Client,
  type EC2ClientConfig,
  type Filter,
  type Instance,
} from '@aws-sdk/client-ec2';

/**
 * The one EC2 call the detector makes, in a module of its own: `Ec2InstanceDirectory` imports it only when a
 * log stream does not name its instance, so the common path never loads the EC2 SDK (about 1 MB of the
 * detect bundle, a third of its cold start on Node 24).
 */
export async function describeInstances(client: EC2Client, filters: Filter[]): Promise<Instance[]> {
  const result = await client.send(new DescribeInstancesCommand({ Filters: filters }));
  return (result.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
}

export function createEc2Client(config: EC2ClientConfig): EC2Client {
  return new EC2Client(config);
}
