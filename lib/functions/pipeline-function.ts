import { fileURLToPath } from 'node:url';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { InvalidOomResponderPropsError } from '../oom-responder-props';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES, worstCaseEnvironmentBytes } from './environment-size';

/** The repository root, for esbuild's project root and the lock file; never the working directory. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface PipelineFunctionProps {
  /** The handler module under `functions/`, e.g. `detect/index.ts`. */
  readonly entry: string;
  readonly description: string;
  /** @default 256 */
  readonly memorySizeMiB?: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  readonly environment?: Record<string, string>;
  /** What to shorten when the environment could exceed Lambda's 4 KB. @default 'shorten its values' */
  readonly environmentTooLarge?: string;
  /**
   * Caps concurrent runs. A reservation is taken from the account's pool, and Lambda refuses one that leaves
   * fewer than 100 unreserved. @default no reservation
   */
  readonly reservedConcurrency?: number;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Every Lambda of the pipeline, with one set of defaults: Node.js 24 on arm64, bundled by the local esbuild (never
 * Docker), X-Ray tracing, explicit memory and timeout, and a log group it owns with a retention.
 *
 * No source maps: `--enable-source-maps` keeps the 4-8 MB map in memory and parses it at the first stack trace
 * (measured on Node 24 for detect: +7 MiB heap after load, +45 MiB and 80-360 ms at the first mapped frame; see
 * nodejs/node#41541). The bundle is minified with `keepNames`, so stack traces still name every function.
 */
export class PipelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const environment = {
      POWERTOOLS_METRICS_NAMESPACE: 'OomResponder',
      ...props.environment,
    };
    const bytes = worstCaseEnvironmentBytes(environment);
    if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      throw new InvalidOomResponderPropsError([
        `${id}'s environment could reach ${bytes} bytes, over Lambda's limit of ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} (the deploy would fail): ${props.environmentTooLarge ?? 'shorten its values'}`,
      ]);
    }
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Its own role, writing only to its own log group (instead of AWSLambdaBasicExecutionRole's logs on `*`).
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `OOM Responder ${id}: runs ${props.entry}`,
    });
    this.role = role;
    role.addToPolicy(
      new PolicyStatement({
        sid: 'OwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: fileURLToPath(new URL(`../../functions/${props.entry}`, import.meta.url)),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySizeMiB ?? 256,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      environment,
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      bundling: {
        format: OutputFormat.CJS,
        target: 'node24',
        minify: true,
        keepNames: true,
        sourceMap: false,
        // Bundle the AWS SDK too: the runtime's copy lags npm, and the code is tested against the locked one.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
  }
}
