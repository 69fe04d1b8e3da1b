import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { fromIni } from '@aws-sdk/credential-providers';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DRILL_ID_PATTERN } from '../../functions/core/drill/drill-report';
import { awsDrillPorts, type DrillClients } from '../drill/aws-drill-ports';
import { drillPlan } from '../drill/dry-run';
import type { DrillClock } from '../drill/ports';
import { drillVerdictJson, drillVerdictText } from '../drill/render-drill';
import { runDrill } from '../drill/run-drill';
import { write } from '../io/output';
import type { CommandIo } from '../main';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../usage-error';

export const DRILL_HELP = `Usage: oom-responder drill [options]

Prove a deployed stack works, end to end, in your own account: write a clearly marked synthetic
kernel OOM report (process oom-drill, a drill id in its cgroup path) into the stack's kernel log
group, follow the detector's incident and its workflow execution stage by stage, read the
notification record (SNS message id, Slack status and error), and check alarm delivery (one of
the stack's alarms set to ALARM and back to OK, its history read for the action's outcome).
A drill never changes a host. Credentials and Region: the AWS SDK's defaults (environment,
shared config and credentials files, SSO, instance role), or --profile and --region.

Options:
  --stack NAME        the stack's name (default OomResponder)
  --region REGION     the stack's Region (default: the SDK's, e.g. AWS_REGION)
  --profile NAME      the shared config profile to use
  --instance ID       file the drill under this instance (it must carry the stack's instance tag)
  --no-instance       file the drill under a stream no instance resolves to (the default)
  --slack             also require the Slack message to have been sent
  --timeout SECONDS   how long to follow the incident and its execution (default 300)
  --dry-run           print what the drill would write and read, without any AWS call
  --json              print the verdicts as one JSON document
  -h, --help          show this help

Exit status: 0 when every check passed, 1 when one failed, 2 for a bad flag.`;

/** What the command is given besides its flags: the AWS side and the clock, injected by tests. */
export interface DrillDependencies {
  clients?: (settings: { region?: string; profile?: string }) => DrillClients;
  clock?: DrillClock;
  pollIntervalMs?: number;
  alarmTimeoutMs?: number;
}

const systemClock: DrillClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The SDK clients over the default credential chain and Region, or the profile's. */
export function defaultDrillClients(settings: { region?: string; profile?: string }): DrillClients {
  return drillClients({
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.profile ? { credentials: fromIni({ profile: settings.profile }) } : {}),
  });
}

/** What every client of the drill is given: the Region, the credentials, an emulator's endpoint. */
export type DrillClientConfig = Pick<CloudWatchClientConfig, 'region' | 'credentials' | 'endpoint'>;

/** Every client the drill uses, over one configuration (the default chain, a profile, or an emulator's). */
export function drillClients(config: DrillClientConfig): DrillClients {
  return {
    cloudFormation: new CloudFormationClient(config),
    cloudWatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    ec2: new EC2Client(config),
    sfn: new SFNClient(config),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
  };
}

/** A fresh drill id: `drill-<UTC minute>-<4 hex>`, within `DRILL_ID_PATTERN`. */
export function newDrillId(nowMs: number): string {
  const minute = new Date(nowMs).toISOString().slice(0, 16).replace(/[-:]/g, '').toLowerCase();
  return `drill-${minute}-${randomBytes(2).toString('hex')}`;
}

export async function drillCommand(
  args: string[],
  io: CommandIo,
  dependencies: DrillDependencies = {},
): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      stack: { type: 'string', default: 'OomResponder' },
      region: { type: 'string' },
      profile: { type: 'string' },
      instance: { type: 'string' },
      'no-instance': { type: 'boolean', default: false },
      slack: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    await write(io.stdout, `${DRILL_HELP}\n`);
    return EXIT_OK;
  }
  if (values.instance !== undefined && values['no-instance']) {
    throw new UsageError('--instance and --no-instance exclude each other');
  }
  if (values.instance !== undefined && !/^i-[0-9a-f]{8,17}$/.test(values.instance)) {
    throw new UsageError(
      `--instance takes an EC2 instance id (i-0123456789abcdef0), got '${values.instance}'`,
    );
  }
  const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError(`--timeout takes a positive number of seconds, got '${values.timeout}'`);
  }
  const clock = dependencies.clock ?? systemClock;
  const drillId = newDrillId(clock.now());
  if (!DRILL_ID_PATTERN.test(drillId)) throw new Error(`drill id ${drillId} does not fit DRILL_ID_PATTERN`);
  const instanceId = values.instance ?? null;
  if (values['dry-run']) {
    await write(
      io.stdout,
      drillPlan({ drillId, stackName: values.stack, instanceId, region: values.region ?? null }),
    );
    return EXIT_OK;
  }
  const clients = (dependencies.clients ?? defaultDrillClients)({
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  });
  // Progress goes to stderr, so --json leaves stdout one JSON document.
  const progress = (line: string): void => {
    io.stderr.write(`oom-responder drill: ${line}\n`);
  };
  const result = await runDrill(
    awsDrillPorts(clients),
    clock,
    {
      drillId,
      stackName: values.stack,
      instanceId,
      requireSlack: values.slack,
      timeoutMs: timeoutSeconds * 1000,
      ...(dependencies.pollIntervalMs === undefined ? {} : { pollIntervalMs: dependencies.pollIntervalMs }),
      ...(dependencies.alarmTimeoutMs === undefined ? {} : { alarmTimeoutMs: dependencies.alarmTimeoutMs }),
    },
    progress,
  );
  await write(io.stdout, values.json ? drillVerdictJson(result) : drillVerdictText(result));
  return result.ok ? EXIT_OK : EXIT_FAILURE;
}
