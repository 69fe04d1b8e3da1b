import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { PipelineFunction } from '../../../lib/functions/pipeline-function';
import { InvalidOomResponderPropsError } from '../../../lib/oom-responder-props';
import { synthStack } from '../../support/synth';

const COMMON = {
  timeout: Duration.seconds(30),
  logRetention: RetentionDays.ONE_WEEK,
  removalPolicy: RemovalPolicy.DESTROY,
};

function lambdas(template: Template) {
  return Object.values(template.findResources('AWS::Lambda::Function')).map((f) => f.Properties);
}

describe('the pipeline functions', () => {
  it('reserve no concurrency by default, and what each function is given when asked', () => {
    // detect, analyze, notify and the pressure function.
    expect(lambdas(synthStack().template).map((f) => f.ReservedConcurrentExecutions)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const { template } = synthStack({
      responder: {
        detectReservedConcurrency: 20,
        notifyReservedConcurrency: 2,
        pressureReservedConcurrency: 3,
      },
    });
    expect(
      lambdas(template)
        .map((f) => f.ReservedConcurrentExecutions)
        .sort(),
    ).toEqual([2, 20, 3, undefined]);
    // Each to its own function: the pressure function's entry is pressure/index.ts.
    const pressure = lambdas(template).filter((f) => f.ReservedConcurrentExecutions === 3);
    expect(pressure.map((f) => f.Description)).toEqual([expect.stringContaining('memory-pressure warning')]);
  });

  it("take the pressure function's reservation only with the early warnings, which it answers", () => {
    const { template } = synthStack({
      responder: { earlyWarning: false, pressureReservedConcurrency: 3 },
    });
    expect(lambdas(template).map((f) => f.ReservedConcurrentExecutions)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('do not parse source maps at run time (no --enable-source-maps)', () => {
    for (const fn of lambdas(synthStack().template)) {
      expect(fn.Environment.Variables.NODE_OPTIONS ?? '').not.toContain('--enable-source-maps');
    }
  });

  it('ship a minified bundle that keeps function names for stack traces, and no source map', () => {
    const app = new App();
    const stack = new Stack(app, 'Bundle');
    new PipelineFunction(stack, 'Analyze', { ...COMMON, entry: 'analyze/index.ts', description: 'test' });
    const assembly = app.synth();
    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = join(assembly.directory, assets[0] ?? '');
    expect(readdirSync(dir)).toEqual(['index.js']);
    const code = readFileSync(join(dir, 'index.js'), 'utf8');
    // esbuild's keepNames registers each function's own name (`__name(fn, "parsePolicy")`, the helper minified).
    // A minified name may hold `$` (`s($re,"parsePolicy")`).
    expect(code).toMatch(/[\w$]+\([\w$]+,"parsePolicy"\)/);
    expect(code).not.toContain('sourceMappingURL');
    expect(existsSync(join(dir, 'index.js.map'))).toBe(false);
  }, 120_000);

  it('bundle a lazy module into a file of its own, loaded only when first imported (detect: the EC2 SDK)', () => {
    const app = new App();
    const stack = new Stack(app, 'Lazy');
    new PipelineFunction(stack, 'Detect', {
      ...COMMON,
      entry: 'detect/index.ts',
      description: 'test',
      lazyModules: [{ importPath: './describe-instances', entry: 'adapters/ec2/describe-instances.ts' }],
    });
    const assembly = app.synth();
    const [asset] = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    const dir = join(assembly.directory, asset ?? '');
    expect(readdirSync(dir).sort()).toEqual(['describe-instances.js', 'index.js']);
    const main = readFileSync(join(dir, 'index.js'), 'utf8');
    const lazy = readFileSync(join(dir, 'describe-instances.js'), 'utf8');
    // The EC2 client is in the lazy file only; the main bundle imports it by its relative path, at first use.
    expect(lazy).toContain('DescribeInstancesCommand');
    expect(main).not.toContain('DescribeInstancesCommand');
    expect(main).toContain('import("./describe-instances")');
    // Loading the handler does not load the lazy file; importing it as the bundle does (an ES import of a CommonJS
    // file) gives the two functions the directory calls.
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(join(dir, 'index.js'))});
         const loaded = Object.keys(require.cache).some((file) => file.endsWith('describe-instances.js'));
         import(${JSON.stringify(join(dir, 'describe-instances.js'))}).then((lazy) => {
           const exports = Object.keys(lazy).filter((key) => typeof lazy[key] === 'function').sort();
           console.log(JSON.stringify({ loaded, exports }));
         });`,
      ],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          AWS_REGION: 'us-east-1',
          // The SDK's warning on Node 20 (the tests' Node) is not an error of the bundle.
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          INCIDENT_TABLE_NAME: 'oom-incidents',
          STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:oom',
        },
      },
    );
    expect(probe.stderr).toBe('');
    expect(JSON.parse(probe.stdout)).toEqual({
      loaded: false,
      exports: ['createEc2Client', 'describeInstances'],
    });
  }, 120_000);

  it('refuse a lazy module imported by anything but ./<name>', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'BadLazy');
    expect(
      () =>
        new PipelineFunction(stack, 'Detect', {
          ...COMMON,
          entry: 'detect/index.ts',
          description: 'test',
          lazyModules: [
            { importPath: '../ec2/describe-instances', entry: 'adapters/ec2/describe-instances.ts' },
          ],
        }),
    ).toThrowError(/lazy module '..\/ec2\/describe-instances' must be imported as '.\/<name>'/);
  });

  it("refuse at synth an environment that could exceed Lambda's 4 KB, naming the function and the fix", () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Env');
    const build = (size: number) => () =>
      new PipelineFunction(stack, `Fn${size}`, {
        ...COMMON,
        entry: 'analyze/index.ts',
        description: 'test',
        environment: { BIG: 'x'.repeat(size) },
        environmentTooLarge: 'shorten BIG',
      });
    expect(build(3900)).not.toThrow();
    expect(build(4100)).toThrowError(InvalidOomResponderPropsError);
    expect(build(5000)).toThrowError(
      /Fn5000's environment could reach \d+ bytes, over Lambda's limit of 4096 .*shorten BIG/,
    );
  });
});
