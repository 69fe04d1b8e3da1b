/**
 * A synthesized template with its intrinsics resolved to the concrete values CloudFormation would give them in a
 * sample account, so IAM policies can be evaluated as AWS evaluates them: pseudo parameters become this partition,
 * Region and account; `Ref` and `Fn::GetAtt ... Arn` of the stack's own resources become their names and ARNs
 * (as each resource type's CloudFormation reference page documents its return values).
 */

export const SAMPLE = {
  partition: 'aws',
  region: 'us-east-1',
  account: '123456789012',
  stackName: 'OomResponder',
} as const;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}

/** A sample key id, fixed per logical id so the key policy's and the grants' key ARNs agree. */
function keyId(logicalId: string): string {
  const hex = [...logicalId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16);
  return `${hex.padStart(8, '0').slice(0, 8)}-1234-4abc-8def-${logicalId.length.toString().padStart(12, '0')}`;
}

/** The property a resource type names itself with, when the template sets it. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SSM::Document': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
};

export class ResolvedTemplate {
  private readonly cache = new Map<string, Record<string, Json>>();

  constructor(private readonly raw: { Resources?: Record<string, Resource> }) {}

  /** Logical ids of the resources of one type. */
  ofType(type: string): string[] {
    return Object.entries(this.raw.Resources ?? {})
      .filter(([, resource]) => resource.Type === type)
      .map(([id]) => id);
  }

  /** The logical id of the one resource of this type whose logical id starts with `prefix`. */
  one(type: string, prefix: string): string {
    const found = this.ofType(type).filter((id) => id.startsWith(prefix));
    if (found.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${found.length}`);
    return found[0] as string;
  }

  /** A resource's properties with every intrinsic resolved (resolved on demand: only what a test reads). */
  properties(logicalId: string): Record<string, Json> {
    let resolved = this.cache.get(logicalId);
    if (!resolved) {
      resolved = this.resolve(this.rawResource(logicalId).Properties ?? {}) as Record<string, Json>;
      this.cache.set(logicalId, resolved);
    }
    return resolved;
  }

  /** The physical name CloudFormation would give a resource: the template's name, else one from its logical id. */
  name(logicalId: string): string {
    const resource = this.rawResource(logicalId);
    const property = NAME_PROPERTY[resource.Type];
    const given = property ? resource.Properties?.[property] : undefined;
    if (given !== undefined) return String(this.resolve(given));
    return resource.Type === 'AWS::S3::Bucket'
      ? `${SAMPLE.stackName}-${logicalId}-abc123`.toLowerCase()
      : `${SAMPLE.stackName}-${logicalId}-ABC123`;
  }

  /** What `Ref` returns for a resource of the stack. */
  ref(logicalId: string): string {
    const { Type } = this.rawResource(logicalId);
    const name = this.name(logicalId);
    const { partition, region, account } = SAMPLE;
    switch (Type) {
      case 'AWS::SNS::Topic':
        return `arn:${partition}:sns:${region}:${account}:${name}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      case 'AWS::KMS::Key':
        return keyId(logicalId);
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::SecretsManager::Secret':
        return this.arn(logicalId);
      default:
        return name;
    }
  }

  /** What `Fn::GetAtt [id, Arn]` returns for a resource of the stack. */
  arn(logicalId: string): string {
    const { Type } = this.rawResource(logicalId);
    const name = this.name(logicalId);
    const { partition, region, account } = SAMPLE;
    const regional = (service: string, resource: string) =>
      `arn:${partition}:${service}:${region}:${account}:${resource}`;
    switch (Type) {
      case 'AWS::SNS::Topic':
        return regional('sns', name);
      case 'AWS::SQS::Queue':
        return regional('sqs', name);
      case 'AWS::KMS::Key':
        return regional('kms', `key/${keyId(logicalId)}`);
      case 'AWS::S3::Bucket':
        return `arn:${partition}:s3:::${name}`;
      case 'AWS::Lambda::Function':
        return regional('lambda', `function:${name}`);
      case 'AWS::DynamoDB::Table':
        return regional('dynamodb', `table/${name}`);
      // AWS::Logs::LogGroup's Arn attribute ends in `:*` (its CloudFormation return values).
      case 'AWS::Logs::LogGroup':
        return regional('logs', `log-group:${name}:*`);
      case 'AWS::StepFunctions::StateMachine':
        return regional('states', `stateMachine:${name}`);
      case 'AWS::IAM::Role':
        return `arn:${partition}:iam::${account}:role/${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${partition}:iam::${account}:policy/${name}`;
      case 'AWS::SSM::Document':
        return regional('ssm', `document/${name}`);
      case 'AWS::Events::Rule':
        return regional('events', `rule/${name}`);
      case 'AWS::CloudWatch::Alarm':
        return regional('cloudwatch', `alarm:${name}`);
      default:
        throw new Error(`no ARN rule for ${Type} (${logicalId})`);
    }
  }

  private rawResource(logicalId: string): Resource {
    const resource = this.raw.Resources?.[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    return resource;
  }

  private resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const argument = value[key] as Json;
      if (key === 'Ref') return this.resolveRef(String(argument));
      if (key === 'Fn::GetAtt') return this.resolveGetAtt(argument);
      if (key === 'Fn::Join') {
        const [separator, parts] = argument as [string, Json[]];
        return (this.resolve(parts) as Json[]).map(String).join(separator);
      }
      if (key === 'Fn::Select') {
        const [index, list] = argument as [number, Json];
        return (this.resolve(list) as Json[])[Number(index)] ?? null;
      }
      if (key === 'Fn::Split') {
        const [separator, source] = argument as [string, Json];
        return String(this.resolve(source)).split(separator);
      }
      if (key === 'Fn::Sub' && typeof argument === 'string') {
        return argument.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          String(name.includes('.') ? this.resolveGetAtt(name.split('.')) : this.resolveRef(name)),
        );
      }
      if (key.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${key}`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
  }

  private resolveRef(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return SAMPLE.partition;
      case 'AWS::Region':
        return SAMPLE.region;
      case 'AWS::AccountId':
        return SAMPLE.account;
      case 'AWS::StackName':
        return SAMPLE.stackName;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      default:
        return this.ref(name);
    }
  }

  private resolveGetAtt(argument: Json): string {
    const [logicalId, attribute] = argument as [string, string];
    if (attribute !== 'Arn') throw new Error(`unsupported attribute ${logicalId}.${attribute}`);
    return this.arn(logicalId);
  }
}
