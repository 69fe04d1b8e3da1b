import type {
  AlarmActionItem,
  DrillClock,
  DrillExecution,
  DrillIncident,
  DrillPorts,
  DrillStack,
} from '../../../cli/drill/ports';
import { instanceIdIn } from '../../../functions/core/detect/instance-hints';
import { drillInstanceKey } from '../../../functions/core/drill/drill-marks';
import { drillIdOf } from '../../../functions/core/drill/drill-report';
import { instanceKeyOf } from '../../../functions/core/incident/model';
import { parseKernelLog } from '../../../functions/core/kernel-log';

/**
 * An in-memory account for drill tests: a stack, instances, and a pipeline that answers the written report the way
 * the deployed one would. Its detector parses what was written with the real parser and files an incident only for a
 * kill whose drill id is the one asked about, so a drill that wrote the wrong lines never finds its incident.
 */
export interface FakeAccountOptions {
  stack?: DrillStack | null;
  instances?: Record<string, Record<string, string>>;
  /** Polls of findIncident before the incident shows (the detector's latency); Infinity for never. */
  detectAfterPolls?: number;
  execution?: DrillExecution;
  /** Polls of execution() that answer RUNNING before `execution` shows. */
  runningPolls?: number;
  notification?: DrillIncident['notification'];
  alarmHistory?: AlarmActionItem[];
}

export const STACK: DrillStack = {
  stackName: 'OomResponder',
  kernelLogGroup: '/oom-responder/kernel',
  tableName: 'OomResponder-Incidents',
  stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:Response',
  topicArn: 'arn:aws:sns:us-east-1:111122223333:oom',
  alarmNames: ['OomResponder-DetectErrors'],
  instanceTag: { key: 'OomResponder', value: 'enabled' },
};

export const EXECUTION_ARN = 'arn:aws:states:us-east-1:111122223333:execution:Response:inc-1';

export function succeededExecution(startMs: number): DrillExecution {
  const stage = (name: string, from: number, to: number) => ({
    name,
    enteredAtMs: startMs + from,
    exitedAtMs: startMs + to,
    failed: false,
  });
  return {
    status: 'SUCCEEDED',
    stages: [stage('Diagnose', 4000, 9000), stage('Analyze', 9000, 10_000), stage('Notify', 10_000, 11_500)],
    error: null,
    cause: null,
  };
}

export const SENT: DrillIncident['notification'] = {
  sns: { status: 'sent', messageId: 'msg-0001', detail: null },
  slack: { status: 'sent', detail: null },
};

export const SUCCEEDED_ACTION: AlarmActionItem = {
  atMs: 0,
  summary: 'Successfully executed action arn:aws:sns:us-east-1:111122223333:oom',
  data: '{"actionState":"Succeeded","notificationResource":"arn:aws:sns:us-east-1:111122223333:oom","publishedMessage":{"messageId":"m-1"}}',
};

export function fakeClock(startMs: number): DrillClock & { sleeps: number[] } {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

export interface FakeAccount {
  ports: DrillPorts;
  written: { logGroup: string; stream: string; lines: string[] }[];
  alarmStates: { alarm: string; state: string }[];
  incidentQueries: { instanceKey: string; drillId: string }[];
}

export function fakeAccount(clock: DrillClock, options: FakeAccountOptions = {}): FakeAccount {
  const written: FakeAccount['written'] = [];
  const alarmStates: FakeAccount['alarmStates'] = [];
  const incidentQueries: FakeAccount['incidentQueries'] = [];
  let polls = 0;
  let executionPolls = 0;
  const stack = options.stack === undefined ? STACK : options.stack;
  const ports: DrillPorts = {
    findStack: async (name) => (stack && stack.stackName === name ? stack : null),
    instanceTags: async (id) => options.instances?.[id] ?? null,
    writeReport: async (logGroup, stream, lines) => {
      written.push({ logGroup, stream, lines });
    },
    findIncident: async (_table, instanceKey, _since, drillId) => {
      incidentQueries.push({ instanceKey, drillId });
      polls += 1;
      if (polls <= (options.detectAfterPolls ?? 0)) return null;
      const report = written.find((w) => w.logGroup === stack?.kernelLogGroup);
      const kill = report ? parseKernelLog(report.lines.join('\n'))[0] : undefined;
      if (!kill || drillIdOf(kill) !== drillId) return null;
      // The key the real detector files it under: the instance the stream names, else the host, in the drill's
      // own key space.
      const stream = report?.stream ?? '';
      const instance = { instanceId: instanceIdIn(stream) };
      const expectedKey = drillInstanceKey(instanceKeyOf(instance, kill.hostname ?? stream), { id: drillId });
      if (instanceKey !== expectedKey) return null;
      return {
        id: 'inc-1',
        executionArn: EXECUTION_ARN,
        notification: options.notification === undefined ? SENT : options.notification,
      };
    },
    execution: async () => {
      executionPolls += 1;
      const final = options.execution ?? succeededExecution(0);
      if (executionPolls <= (options.runningPolls ?? 0)) {
        return { ...final, status: 'RUNNING', stages: final.stages.slice(0, executionPolls) };
      }
      return final;
    },
    setAlarmState: async (alarm, state) => {
      alarmStates.push({ alarm, state });
    },
    alarmActions: async () => options.alarmHistory ?? [{ ...SUCCEEDED_ACTION, atMs: clock.now() }],
  };
  return { ports, written, alarmStates, incidentQueries };
}
