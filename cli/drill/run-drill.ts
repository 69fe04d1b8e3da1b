import { drillInstanceKey } from '../../functions/core/drill/drill-marks';
import { drillReportLines } from '../../functions/core/drill/drill-report';
import { instanceKeyOf } from '../../functions/core/incident/model';
import { alarmActionOutcome, alarmFailureCause, slackFailureCause } from './causes';
import type { DrillClock, DrillExecution, DrillIncident, DrillPorts, DrillStack } from './ports';

/**
 * A drill, as a use case over `DrillPorts`: find the stack, check the instance, write the synthetic report, follow
 * the incident and its execution stage by stage, read the notification record, then check alarm delivery. Every
 * check ends in a verdict; a check that cannot run because an earlier one failed is `skipped`, never passed.
 */

export type CheckName = 'stack' | 'instance' | 'report' | 'incident' | 'execution' | 'notification' | 'alarm';

export interface DrillCheck {
  check: CheckName;
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
  cause?: string;
  fix?: string;
}

export interface DrillResult {
  drillId: string;
  stackName: string;
  logStream: string | null;
  incidentId: string | null;
  executionArn: string | null;
  totalMs: number;
  checks: DrillCheck[];
  /** True when every check passed. */
  ok: boolean;
}

export interface DrillOptions {
  drillId: string;
  stackName: string;
  /** The instance to file the drill under, or null for an unresolvable host (`--no-instance`). */
  instanceId: string | null;
  /** Require the Slack delivery to have been sent (`--slack`). */
  requireSlack: boolean;
  /** @default 2000 */
  pollIntervalMs?: number;
  /** How long to follow the incident and its execution. @default 300000 */
  timeoutMs?: number;
  /** How long to wait for the alarm's action to show in its history. @default 60000 */
  alarmTimeoutMs?: number;
}

/** The stream a drill writes to: the instance's id (as the CloudWatch agent names streams), or a host no one has. */
export function drillStreamName(drillId: string, instanceId: string | null): string {
  return instanceId ?? `oom-responder-drill-${drillId}`;
}

/**
 * The key the detector files the drill's incident under: `instanceKeyOf` (the instance id, else `host:<stream>`) in
 * the drill's own key space (`drillInstanceKey`), where no real incident of the instance is.
 */
export function drillIncidentKey(stream: string, instanceId: string | null, drillId: string): string {
  // The drill's lines print no host, so the detector's host key is the stream.
  return drillInstanceKey(instanceKeyOf({ instanceId }, stream), { id: drillId });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

export async function runDrill(
  ports: DrillPorts,
  clock: DrillClock,
  options: DrillOptions,
  progress: (line: string) => void = () => {},
): Promise<DrillResult> {
  const startMs = clock.now();
  const pollMs = options.pollIntervalMs ?? 2000;
  const deadline = startMs + (options.timeoutMs ?? 300_000);
  const checks: DrillCheck[] = [];
  const result = (extra: Partial<DrillResult>): DrillResult => {
    const all = fillSkipped(checks);
    return {
      drillId: options.drillId,
      stackName: options.stackName,
      logStream: null,
      incidentId: null,
      executionArn: null,
      ...extra,
      totalMs: clock.now() - startMs,
      checks: all,
      ok: all.every((c) => c.status === 'pass'),
    };
  };
  const add = (check: DrillCheck): void => {
    checks.push(check);
    progress(`${check.status === 'pass' ? 'ok  ' : 'FAIL'} ${check.check}: ${check.detail}`);
  };

  const stack = await ports.findStack(options.stackName);
  const stackCheck = checkStack(options.stackName, stack);
  add(stackCheck);
  if (!stack || stackCheck.status === 'fail') return result({});

  const stream = drillStreamName(options.drillId, options.instanceId);
  const instanceCheck = await checkInstance(ports, stack, options.instanceId);
  add(instanceCheck);
  if (instanceCheck.status === 'fail') {
    // Nothing is written for an instance that cannot take the drill: alarm delivery is still worth checking.
    await checkAlarm(ports, clock, stack, options, add);
    return result({});
  }

  const kernelLogGroup = stack.kernelLogGroup as string;
  const tableName = stack.tableName as string;
  const writtenMs = clock.now();
  await ports.writeReport(kernelLogGroup, stream, drillReportLines({ drillId: options.drillId }), writtenMs);
  add({
    check: 'report',
    status: 'pass',
    detail: `wrote drill ${options.drillId}'s kernel report to ${kernelLogGroup}, stream ${stream}`,
  });

  const follow = await followIncident(ports, clock, {
    tableName,
    instanceKey: drillIncidentKey(stream, options.instanceId, options.drillId),
    sinceIso: new Date(writtenMs - 60_000).toISOString(),
    drillId: options.drillId,
    pollMs,
    deadline,
    startMs,
    progress,
  });
  if (!follow.incident) {
    add({
      check: 'incident',
      status: 'fail',
      detail: `no incident for drill ${options.drillId} after ${seconds(clock.now() - startMs)}`,
      cause: 'the detector never recorded the report: the log group has no subscription to it, or it failed',
      fix: `check the subscription filter on ${kernelLogGroup} and the detect function's log and its DLQ`,
    });
    await checkAlarm(ports, clock, stack, options, add);
    return result({ logStream: stream });
  }
  const incident = follow.incident;
  add({
    check: 'incident',
    status: 'pass',
    detail: `incident ${incident.id} recorded after ${seconds(follow.foundMs - startMs)}`,
  });
  const ids = { logStream: stream, incidentId: incident.id, executionArn: incident.executionArn };

  if (!incident.executionArn) {
    add({
      check: 'execution',
      status: 'fail',
      detail: 'the incident names no execution',
      cause: 'the detector recorded the incident but could not start the workflow',
      fix: "check the detect function's log for StartExecution errors and its role's states:StartExecution",
    });
    await checkAlarm(ports, clock, stack, options, add);
    return result(ids);
  }
  const execution = await followExecution(ports, clock, incident.executionArn, {
    pollMs,
    deadline,
    startMs,
    progress,
  });
  add(executionCheck(execution, incident.executionArn));

  const notified = await followNotification(ports, clock, incident, {
    tableName,
    instanceKey: drillIncidentKey(stream, options.instanceId, options.drillId),
    sinceIso: new Date(writtenMs - 60_000).toISOString(),
    drillId: options.drillId,
    pollMs,
    // The record is written by the last stage: a little grace after the execution ends.
    deadline: Math.max(deadline, clock.now() + 3 * pollMs),
  });
  add(notificationCheck(notified, options.requireSlack));

  await checkAlarm(ports, clock, stack, options, add);
  progress(`total ${seconds(clock.now() - startMs)}`);
  return result(ids);
}

function checkStack(stackName: string, stack: DrillStack | null): DrillCheck {
  if (!stack) {
    return {
      check: 'stack',
      status: 'fail',
      detail: `no stack named ${stackName}`,
      cause: 'the stack is not deployed in this account and Region, or has another name',
      fix: 'pass --stack NAME and --region R (or AWS_REGION) of the deployed stack; cdk deploy prints both',
    };
  }
  const missing = [
    stack.kernelLogGroup ? null : 'the kernel log group (output KernelLogGroup)',
    stack.tableName ? null : 'the incident table',
    stack.stateMachineArn ? null : 'the state machine (output StateMachineArn)',
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    return {
      check: 'stack',
      status: 'fail',
      detail: `stack ${stackName} lacks ${missing.join(', ')}`,
      cause:
        'the stack subscribes only existing log groups (no KernelLogGroup output), or is not an OOM Responder stack',
      fix: 'deploy the stack with its own kernel log group, or point --stack at the OOM Responder stack',
    };
  }
  return {
    check: 'stack',
    status: 'pass',
    detail: `stack ${stackName}: log group ${stack.kernelLogGroup}, table ${stack.tableName}, ${stack.alarmNames.length} alarm(s)`,
  };
}

async function checkInstance(
  ports: DrillPorts,
  stack: DrillStack,
  instanceId: string | null,
): Promise<DrillCheck> {
  if (instanceId === null) {
    return {
      check: 'instance',
      status: 'pass',
      detail: 'no instance (--no-instance): the report goes to a stream no instance resolves to',
    };
  }
  const tags = await ports.instanceTags(instanceId);
  const { key, value } = stack.instanceTag;
  if (tags === null) {
    return {
      check: 'instance',
      status: 'fail',
      detail: `no instance ${instanceId} in this account and Region`,
      cause: 'the instance id is mistyped, or in another Region',
      fix: 'pass the id of a running instance in the stack’s Region, or --no-instance',
    };
  }
  if (tags[key] !== value) {
    return {
      check: 'instance',
      status: 'fail',
      detail: `instance ${instanceId} does not carry the tag ${key}=${value}${tags[key] === undefined ? '' : ` (it has ${key}=${tags[key]})`}`,
      cause: "the pipeline's SSM commands only run on instances with the stack's instance tag",
      fix: `tag it: aws ec2 create-tags --resources ${instanceId} --tags Key=${key},Value=${value}`,
    };
  }
  return { check: 'instance', status: 'pass', detail: `instance ${instanceId} carries ${key}=${value}` };
}

interface IncidentQuery {
  tableName: string;
  instanceKey: string;
  sinceIso: string;
  drillId: string;
  pollMs: number;
  deadline: number;
}

async function followIncident(
  ports: DrillPorts,
  clock: DrillClock,
  query: IncidentQuery & { startMs: number; progress: (line: string) => void },
): Promise<{ incident: DrillIncident | null; foundMs: number }> {
  for (;;) {
    const incident = await ports.findIncident(
      query.tableName,
      query.instanceKey,
      query.sinceIso,
      query.drillId,
    );
    if (incident) return { incident, foundMs: clock.now() };
    if (clock.now() + query.pollMs > query.deadline) return { incident: null, foundMs: clock.now() };
    await clock.sleep(query.pollMs);
  }
}

async function followExecution(
  ports: DrillPorts,
  clock: DrillClock,
  executionArn: string,
  follow: { pollMs: number; deadline: number; startMs: number; progress: (line: string) => void },
): Promise<DrillExecution> {
  const entered = new Set<string>();
  const exited = new Set<string>();
  for (;;) {
    const execution = await ports.execution(executionArn);
    for (const [i, stage] of execution.stages.entries()) {
      const key = `${i}:${stage.name}`;
      if (!entered.has(key)) {
        entered.add(key);
        follow.progress(`  ${stage.name}: started at +${seconds(stage.enteredAtMs - follow.startMs)}`);
      }
      if (stage.exitedAtMs !== null && !exited.has(key)) {
        exited.add(key);
        follow.progress(
          `  ${stage.name}: ${stage.failed ? 'FAILED' : 'done'} at +${seconds(stage.exitedAtMs - follow.startMs)} (${seconds(stage.exitedAtMs - stage.enteredAtMs)})`,
        );
      }
    }
    if (execution.status !== 'RUNNING') return execution;
    if (clock.now() + follow.pollMs > follow.deadline) return execution;
    await clock.sleep(follow.pollMs);
  }
}

function executionCheck(execution: DrillExecution, executionArn: string): DrillCheck {
  if (execution.status === 'SUCCEEDED') {
    return {
      check: 'execution',
      status: 'pass',
      detail: `execution succeeded through ${execution.stages.length} stage(s)`,
    };
  }
  if (execution.status === 'RUNNING') {
    return {
      check: 'execution',
      status: 'fail',
      detail: 'execution still running at the timeout',
      cause: 'a stage is waiting (an SSM command that never ran: no SSM agent, or the instance is stopped)',
      fix: `open ${executionArn} in the Step Functions console to see the waiting stage; raise --timeout`,
    };
  }
  const failed = execution.stages.find((s) => s.failed)?.name;
  return {
    check: 'execution',
    status: 'fail',
    detail: `execution ${execution.status}${failed ? ` in ${failed}` : ''}: ${execution.error ?? 'no error'}${execution.cause ? ` (${execution.cause})` : ''}`,
    cause: failed ? `the ${failed} stage failed` : 'the workflow failed',
    fix: `open ${executionArn} in the Step Functions console, and the failed stage's function log`,
  };
}

async function followNotification(
  ports: DrillPorts,
  clock: DrillClock,
  incident: DrillIncident,
  query: IncidentQuery,
): Promise<DrillIncident> {
  let latest = incident;
  for (;;) {
    if (latest.notification) return latest;
    if (clock.now() + query.pollMs > query.deadline) return latest;
    await clock.sleep(query.pollMs);
    latest =
      (await ports.findIncident(query.tableName, query.instanceKey, query.sinceIso, query.drillId)) ?? latest;
  }
}

function notificationCheck(incident: DrillIncident, requireSlack: boolean): DrillCheck {
  const record = incident.notification;
  if (!record) {
    return {
      check: 'notification',
      status: 'fail',
      detail: 'no notification record on the incident',
      cause: 'the notify stage did not run or could not record its outcome',
      fix: "check the notify function's log",
    };
  }
  const sns = `SNS ${record.sns.status}${record.sns.messageId ? ` (message ${record.sns.messageId})` : ''}`;
  const slack = `Slack ${record.slack.status}${record.slack.detail ? ` (${record.slack.detail})` : ''}`;
  const detail = `${sns}; ${slack}`;
  if (record.sns.status !== 'sent' || !record.sns.messageId) {
    return {
      check: 'notification',
      status: 'fail',
      detail,
      cause: `SNS delivery ${record.sns.status}${record.sns.detail ? `: ${record.sns.detail}` : ''}`,
      fix: "check the notify function's role may sns:Publish to the topic and use its KMS key",
    };
  }
  const slackFailed = record.slack.status === 'failed' || (requireSlack && record.slack.status !== 'sent');
  if (slackFailed) {
    return {
      check: 'notification',
      status: 'fail',
      detail,
      ...slackFailureCause(record.slack.status, record.slack.detail),
    };
  }
  return { check: 'notification', status: 'pass', detail };
}

async function checkAlarm(
  ports: DrillPorts,
  clock: DrillClock,
  stack: DrillStack,
  options: DrillOptions,
  add: (check: DrillCheck) => void,
): Promise<void> {
  const alarm = stack.alarmNames[0];
  if (!alarm) {
    add({
      check: 'alarm',
      status: 'fail',
      detail: 'the stack has no CloudWatch alarm to test',
      cause: 'not an OOM Responder stack, or one deployed without its alarms',
      fix: 'redeploy the stack (cdk deploy)',
    });
    return;
  }
  const sinceMs = clock.now();
  const pollMs = options.pollIntervalMs ?? 2000;
  const deadline = sinceMs + (options.alarmTimeoutMs ?? 60_000);
  const reason = `oom-responder drill ${options.drillId}: testing the alarm's action`;
  await ports.setAlarmState(alarm, 'ALARM', reason);
  try {
    for (;;) {
      const items = await ports.alarmActions(alarm, sinceMs - 5000);
      const outcomes = items.map(alarmActionOutcome);
      const failed = outcomes.find((o) => o.ok === false);
      if (failed) {
        add({
          check: 'alarm',
          status: 'fail',
          detail: `alarm ${alarm}: action failed${failed.error ? `: ${failed.error}` : ''}`,
          ...alarmFailureCause(failed.error),
        });
        return;
      }
      if (outcomes.some((o) => o.ok === true)) {
        add({ check: 'alarm', status: 'pass', detail: `alarm ${alarm}: its action reached the topic` });
        return;
      }
      if (clock.now() + pollMs > deadline) {
        add({
          check: 'alarm',
          status: 'fail',
          detail: `alarm ${alarm}: no action in its history after ${seconds(clock.now() - sinceMs)}`,
          cause: 'the alarm has no action on the ALARM state, or its actions are disabled',
          fix: `aws cloudwatch enable-alarm-actions --alarm-names ${alarm}`,
        });
        return;
      }
      await clock.sleep(pollMs);
    }
  } finally {
    await ports.setAlarmState(alarm, 'OK', `${reason} (done)`);
  }
}

const ORDER: CheckName[] = ['stack', 'instance', 'report', 'incident', 'execution', 'notification', 'alarm'];

/** Every check in order, those that never ran marked `skipped`. */
function fillSkipped(checks: DrillCheck[]): DrillCheck[] {
  return ORDER.map(
    (name) =>
      checks.find((c) => c.check === name) ?? {
        check: name,
        status: 'skipped',
        detail: 'not run: an earlier check failed',
      },
  );
}
