import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GSI1, GSI1_ATTRIBUTES, GSI2, GSI2_ATTRIBUTES } from '../../functions/adapters/dynamodb/items';

export interface StorageProps {
  readonly retention: Duration;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Where incidents and diagnostics are kept: the incident table (on demand, TTL, point-in-time recovery, encrypted)
 * in the layout of `functions/adapters/dynamodb/items.ts`, and the diagnostics bucket SSM writes full command
 * output to (encrypted, TLS only, private, expiring).
 */
export class Storage extends Construct {
  readonly table: Table;
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.table = new Table(this, 'Incidents', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI1,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...GSI1_ATTRIBUTES],
    });
    // An instance's incidents, newest last: the notifier lists (and links) the earlier ones in each message.
    this.table.addGlobalSecondaryIndex({
      indexName: GSI2,
      partitionKey: { name: 'gsi2pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi2sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...GSI2_ATTRIBUTES],
    });
    this.bucket = new Bucket(this, 'Diagnostics', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        { expiration: props.retention, abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * What the SSM agent on a managed instance needs to write full command output here: it uploads the object,
   * then sets the `bucket-owner-full-control` ACL in a second call, ignoring (logging at debug level) a failure
   * of that one (amazon-ssm-agent `agent/s3util/s3util.go`, `S3Upload`); it reads the bucket's encryption with
   * `GetBucketEncryption` when output must be encrypted (`IsBucketEncrypted`). AWS's instance-profile policy for
   * an output bucket of your own grants exactly these three, the last on the bucket itself (Systems Manager User
   * Guide, "Create an IAM instance profile", custom S3 policy). The bucket keeps `BucketOwnerEnforced` ownership
   * (ACLs off; S3 still accepts `bucket-owner-full-control`) and SSE-S3, so no key grant is needed.
   */
  commandOutputStatements(): PolicyStatement[] {
    return [
      new PolicyStatement({
        sid: 'OomResponderCommandOutput',
        actions: ['s3:PutObject', 's3:PutObjectAcl'],
        resources: [this.bucket.arnForObjects('diagnostics/*'), this.bucket.arnForObjects('remediation/*')],
      }),
      new PolicyStatement({
        sid: 'OomResponderOutputBucketEncryption',
        actions: ['s3:GetEncryptionConfiguration'],
        resources: [this.bucket.bucketArn],
      }),
    ];
  }
}
