import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OomResponder } from '../../lib/oom-responder';
import { awsTool } from '../support/aws-tools';
import {
  CFN_LINT_CONFIG,
  type CfnLintFinding,
  describeFinding,
  listRuleIds,
  readYamlWithCfnLintPython,
  runCfnLint,
} from '../support/cfn-lint';
import { EVERYTHING } from '../support/iam-configurations';
import { synthStack } from '../support/synth';

type CfnTemplate = { Metadata?: Record<string, unknown>; Resources: Record<string, CfnResource> };
type CfnResource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };

const cfnLint = awsTool('cfn-lint');
const reason = cfnLint.path ? '' : ` (skipped: ${cfnLint.skipReason})`;

/**
 * A team that embeds the construct in its own stack and brings its topic and key (props the app's `-c` keys do
 * not offer), subscribing the account (no log group of its own) and the Slack secret by complete ARN.
 */
function embeddedWithBroughtInTopicAndKey(): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'TeamStack', { env: { account: '123456789012', region: 'us-east-1' } });
  new OomResponder(stack, 'OomResponder', {
    notificationTopic: Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:123456789012:team-alerts'),
    encryptionKey: Key.fromKeyArn(
      stack,
      'Key',
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ),
    createKernelLogGroup: false,
    kernelLogGroups: [],
    accountSubscriptionPolicy: true,
    slackWebhookSecret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:oom-responder/slack-AbCdEf',
  });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

const variants: Record<string, () => CfnTemplate> = {
  defaults: () => synthStack().template.toJSON() as CfnTemplate,
  // Every option on, with the remediations live and more than one group to subscribe.
  everything: () =>
    synthStack({
      ...EVERYTHING,
      kernelLogGroupNames: ['/var/log/messages-from-fluent-bit', '/ecs/app/kernel', '/eks/nodes/kernel'],
      responder: {
        ...EVERYTHING.responder,
        remediationPolicy: {
          addSwap: { enabled: true, dryRun: false },
          restartService: { enabled: true, dryRun: false, allowedUnits: ['myapp-*.service'] },
        },
      },
    }).template.toJSON() as CfnTemplate,
  'brought-in-topic-and-key': embeddedWithBroughtInTopicAndKey,
};

let dir: string;
const templates: Record<string, CfnTemplate> = {};
const files: string[] = [];

beforeAll(() => {
  const started = Date.now();
  dir = mkdtempSync(join(tmpdir(), 'oom-responder-cfn-lint-'));
  for (const [name, synth] of Object.entries(variants)) {
    const template = synth();
    templates[name] = template;
    const file = join(dir, `${name}.template.json`);
    writeFileSync(file, JSON.stringify(template, null, 1));
    files.push(file);
  }
  console.info(`synthesized ${files.length} templates in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function resourcesOf(type: string): [string, string, CfnResource][] {
  return Object.entries(templates).flatMap(([variant, template]) =>
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]): [string, string, CfnResource] => [variant, id, resource]),
  );
}

/**
 * The resources that name the queue as where their failures go: a function's asynchronous OnFailure destination
 * or dead-letter queue, an EventBridge target's, an SNS subscription's or another queue's redrive policy.
 */
function deadLetterUsers(template: CfnTemplate, queueId: string): string[] {
  const places: Record<string, (p: Record<string, unknown>) => unknown> = {
    'AWS::Lambda::EventInvokeConfig': (p) => p.DestinationConfig,
    'AWS::Lambda::Function': (p) => p.DeadLetterConfig,
    'AWS::Events::Rule': (p) =>
      (p.Targets as { DeadLetterConfig?: unknown }[] | undefined)?.map((t) => t.DeadLetterConfig),
    'AWS::SNS::Subscription': (p) => p.RedrivePolicy,
    'AWS::SQS::Queue': (p) => p.RedrivePolicy,
  };
  return Object.entries(template.Resources)
    .filter(([, r]) => JSON.stringify(places[r.Type]?.(r.Properties ?? {}) ?? null).includes(`"${queueId}"`))
    .map(([id]) => id);
}

// What the two ignored serverless rules mean to check, checked here in a way that sees this stack's shape.
describe('the synthesized templates, where cfn-lint-serverless cannot see it', () => {
  it('give every function a log group of its own with a retention (WS1004 looks only for /aws/lambda/<name>)', () => {
    const functions = resourcesOf('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(9);
    for (const [variant, id, fn] of functions) {
      const ref = (fn.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup
        ?.Ref;
      const logGroup = ref ? templates[variant]?.Resources[ref] : undefined;
      expect(logGroup?.Type, `${variant} ${id}`).toBe('AWS::Logs::LogGroup');
      expect(logGroup?.Properties?.RetentionInDays, `${variant} ${id}`).toEqual(expect.any(Number));
    }
  });

  it('hold no queue that is not a dead-letter destination (ES6000 knows only queues named in a RedrivePolicy)', () => {
    const queues = resourcesOf('AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(3);
    for (const [variant, id] of queues) {
      const users = deadLetterUsers(templates[variant] as CfnTemplate, id);
      expect(
        users.length,
        `${variant} ${id} is where something sends what it could not deliver`,
      ).toBeGreaterThan(0);
    }
  });

  it('carry no cfn-lint metadata, so the configuration file is the only place rules are ignored', () => {
    // cfn-lint also honours `Metadata: cfn-lint: config: ignore_checks` on the template and on each resource.
    for (const [variant, template] of Object.entries(templates)) {
      expect(template.Metadata?.['cfn-lint'], variant).toBeUndefined();
      for (const [id, resource] of Object.entries(template.Resources)) {
        expect(resource.Metadata?.['cfn-lint'], `${variant} ${id}`).toBeUndefined();
      }
    }
    for (const other of ['.cfnlintrc', '.cfnlintrc.yml']) {
      expect(existsSync(join(CFN_LINT_CONFIG, '..', other)), other).toBe(false);
    }
  });
});

describe.skipIf(!cfnLint.path)(`cfn-lint 1.x with the serverless rules${reason}`, () => {
  const executable = cfnLint.path ?? '';
  const config = () =>
    readYamlWithCfnLintPython(executable, CFN_LINT_CONFIG) as {
      append_rules?: string[];
      include_checks?: string[];
      ignore_checks?: string[];
    };

  // One cfn-lint process for the three templates and a mutated copy of the default one (it is slow to start).
  const mutated = { file: '', queueId: '', functionId: '' };
  let findings: CfnLintFinding[] = [];
  beforeAll(() => {
    // The mutated copy proves the run can fail, that the serverless rules are loaded, and that the
    // configuration's ignores hide neither.
    const template = structuredClone(templates.defaults) as CfnTemplate;
    const [queueId, queue] =
      Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::SQS::Queue') ?? [];
    const [functionId, fn] =
      Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function') ?? [];
    if (!queueId || !functionId || !queue?.Properties || !fn?.Properties) {
      throw new Error('no queue or function in the default template');
    }
    queue.Properties.NotAProperty = true;
    delete fn.Properties.TracingConfig;
    Object.assign(mutated, { file: join(dir, 'mutated.template.json'), queueId, functionId });
    writeFileSync(mutated.file, JSON.stringify(template));
    const run = runCfnLint(executable, [...files, mutated.file]);
    console.info(`cfn-lint: ${files.length + 1} templates in one run, ${run.seconds.toFixed(1)} s`);
    findings = run.findings;
  }, 60_000);

  it('finds nothing (errors, warnings or informational) with default options, every option on, and a brought-in topic and key', () => {
    expect(findings.filter((f) => f.file !== mutated.file).map(describeFinding)).toEqual([]);
  });

  it('reports a property CloudFormation does not know (E3002) and a function without tracing (WS1000)', () => {
    expect(findings.filter((f) => f.file === mutated.file).map((f) => `${f.rule} ${f.path}`)).toEqual(
      expect.arrayContaining([
        `E3002 Resources/${mutated.queueId}/Properties/NotAProperty`,
        `WS1000 Resources/${mutated.functionId}`,
      ]),
    );
  });

  it('ignores only rules that exist, by their exact id (cfn-lint ignores by prefix), each with its reason', () => {
    const known = listRuleIds(executable);
    expect(known.has('E3002') && known.has('WS1000'), 'the serverless rules are listed').toBe(true);
    const {
      ignore_checks: ignored = [],
      append_rules: appended = [],
      include_checks: included = [],
    } = config();
    expect(appended).toEqual(['cfn_lint_serverless.rules']);
    expect(included, 'informational rules run too').toContain('I');
    const lines = readFileSync(CFN_LINT_CONFIG, 'utf8').split('\n');
    for (const id of ignored) {
      expect(known.has(id), `${id} is a rule cfn-lint knows`).toBe(true);
      const at = lines.findIndex((line) => line.trim() === `- ${id}`);
      expect(at, `${id} is listed on a line of its own`).toBeGreaterThan(0);
      expect(lines[at - 1]?.trim(), `${id} has its reason in the comment above it`).toMatch(/^#\s*\S.{20,}/);
    }
  }, 30_000);

  it('ignores only rules that still fire, on the template with every option on', () => {
    const { ignore_checks: ignored = [], ...rest } = config();
    // The same configuration without its ignores (JSON is YAML, which cfn-lint's configuration parser reads).
    const unignoredConfig = join(dir, 'unignored.cfnlintrc.json');
    writeFileSync(unignoredConfig, JSON.stringify(rest));
    const { findings } = runCfnLint(executable, [join(dir, 'everything.template.json')], unignoredConfig);
    const fired = new Set(findings.map((f) => f.rule));
    expect(ignored.filter((id) => !fired.has(id))).toEqual([]);
  }, 60_000);
});
