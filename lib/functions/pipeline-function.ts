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
  /**
   * Modules the handler imports with `await import(...)` only on an uncommon path, each bundled into a file of its
   * own beside `index.js` instead of into it, so a cold start never parses them. `importPath` is the specifier as
   * written in the source (`'./describe-instances'`), `entry` the module under `functions/`. @default none
   */
  readonly lazyModules?: readonly LazyModule[];
}

/** A module loaded on first use: see `PipelineFunctionProps.lazyModules`. */
export interface LazyModule {
  /** The specifier of the dynamic import, relative (`./name`): the file lands at the bundle's root as `name.js`. */
  readonly importPath: string;
  /** The module's source under `functions/`, e.g. `adapters/ec2/describe-instances.ts`. */
  readonly entry: string;
}

/** The esbuild settings of every bundle, the main one and each lazy module's. */
const TARGET = 'node24';

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
    const lazyModules = props.lazyModules ?? [];
    for (const lazy of lazyModules) {
      if (!/^\.\/[\w-]+$/.test(lazy.importPath)) {
        throw new InvalidOomResponderPropsError([
          `${id}: lazy module '${lazy.importPath}' must be imported as './<name>' (one path segment), so its file sits beside index.js`,
        ]);
      }
    }
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
        target: TARGET,
        minify: true,
        keepNames: true,
        sourceMap: false,
        // Bundle the AWS SDK too: the runtime's copy lags npm, and the code is tested against the locked one.
        bundleAwsSDK: true,
        forceDockerBundling: false,
        ...(lazyModules.length === 0
          ? {}
          : {
              externalModules: lazyModules.map((lazy) => lazy.importPath),
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                // The same esbuild, with the main bundle's settings, one file per lazy module.
                afterBundling: (inputDir: string, outputDir: string) =>
                  lazyModules.map((lazy) =>
                    [
                      `"${inputDir}/node_modules/.bin/esbuild"`,
                      `"${inputDir}/functions/${lazy.entry}"`,
                      '--bundle',
                      '--platform=node',
                      '--format=cjs',
                      `--target=${TARGET}`,
                      '--minify',
                      '--keep-names',
                      '--log-level=warning',
                      `"--outfile=${outputDir}/${lazy.importPath.slice(2)}.js"`,
                    ].join(' '),
                  ),
              },
            }),
      },
    });
  }
}
