import fc from 'fast-check';
import type { ActionResult, Analysis, Finding } from '../../../../functions/core/analysis/model';
import type { DiagnosticsSummary } from '../../../../functions/core/diagnostics/model';
import type { Incident, KillDigest } from '../../../../functions/core/incident/model';
import type { DiagnosticsStatus, ResponseOutcome } from '../../../../functions/core/incident/outcome';
import type { Kill } from '../../../../functions/core/kernel-log';
import type { MemoryTimelineOutcome } from '../../../../functions/core/metrics/memory-window';
import { summary } from './scenarios';

/**
 * Random response outcomes for property tests: every host string may be empty, huge, multi-line, full of Slack
 * control characters, code fences, control codes, lone surrogates or secrets; every optional part may be missing.
 */
const HOSTILE = [
  '',
  ' ',
  '<!channel>',
  '<https://evil.example|click here>',
  '```',
  '*_~`',
  '&amp;&lt;',
  '\u0000\u0007\u001b[31m',
  '\ud800',
  '\udfff\ud83d',
  '😀🔥',
  'x'.repeat(5000),
  'line\nbreak\r\n\ttab',
  '--password=hunter2 AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
];

/**
 * What a host can put in a name to spoof a chat message: mentions and links, formatting, emoji shortcodes, and
 * characters that reorder or hide text (bidi overrides and isolates, zero-width characters, other format
 * characters, C0/C1 controls).
 */
export const SPOOFING = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U123ABC>',
  '<#C123ABC|general>',
  '<!subteam^S123ABC>',
  '<!date^1392734382^{date}|x>',
  '@channel',
  '@here',
  '*pwned*',
  '_pwned_',
  '~pwned~',
  '`pwned`',
  '```pwned```',
  ':skull:',
  ':rotating_light:',
  ':+1::skin-tone-2:',
  ':warning:',
  '> quoted',
  'https://evil.example/login',
  '\u202e',
  '\u202a\u202b\u202c\u202d',
  '\u2066\u2067\u2068\u2069',
  '\u200e\u200f\u061c',
  '\u200b\u200c\u200d\u2060\ufeff',
  '\u00ad\u180e\u2061\u206a\ufff9',
  '\u{e0001}\u{e0041}',
  '\u0085\u009b31m',
  '\r',
  '\u2028\u2029',
] as const;

/** A string made of spoofing pieces and arbitrary text, so pieces meet ordinary characters on both sides. */
export const spoofingString = (): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...SPOOFING),
        fc.string({ unit: 'binary', maxLength: 8 }),
        fc.constantFrom('java', 'web-1', 'app.service', ' ', ':', '*', '_', '~', '`', '<', '&'),
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((parts) => parts.join(''));

export const hostString = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...HOSTILE),
    spoofingString(),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ maxLength: 3000 }),
  );

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });
const kb = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 2 ** 40 });
const isoTime = (): fc.Arbitrary<string> =>
  fc
    .date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString());
const time = (): fc.Arbitrary<string | null> => fc.oneof(maybe(isoTime()), maybe(hostString()));

function killArb(): fc.Arbitrary<Kill> {
  return fc
    .record({
      kind: fc.constantFrom('kernel' as const, 'systemd-oomd' as const),
      pid: maybe(fc.nat()),
      process: maybe(hostString()),
      anonRssKb: maybe(kb()),
      fileRssKb: maybe(kb()),
      shmemRssKb: maybe(kb()),
      cgroup: fc.boolean(),
      oomMemcg: maybe(hostString()),
      taskMemcg: maybe(hostString()),
      triggeredBy: maybe(hostString()),
      triggeredByPid: maybe(fc.nat()),
      hostname: maybe(hostString()),
      time: time(),
      kernelTime: maybe(fc.double({ min: 0, max: 1e9, noNaN: true })),
      memoryUsageKb: maybe(kb()),
      memoryLimitKb: maybe(kb()),
      memoryFailcnt: maybe(fc.nat()),
      swapTotalKb: maybe(kb()),
      ramPages: maybe(fc.nat()),
      systemdUnit: maybe(hostString()),
      container: maybe(
        fc.record({ runtime: maybe(hostString()), id: maybe(hostString()), podUid: maybe(hostString()) }),
      ),
      kernelVersion: maybe(hostString()),
      reason: maybe(hostString()),
      oomdCandidate: maybe(
        fc.record({
          path: hostString(),
          considered: maybe(fc.integer({ min: 0, max: 1000 })),
          memoryUsageKb: maybe(kb()),
          swapUsageKb: maybe(kb()),
          memoryPressureLimitPercent: maybe(fc.double({ min: 0, max: 100, noNaN: true })),
          pressureAvg10: maybe(fc.double({ min: 0, max: 100, noNaN: true })),
          pressureAvg60: maybe(fc.double({ min: 0, max: 100, noNaN: true })),
        }),
      ),
      logGroup: maybe(hostString()),
      logStream: maybe(hostString()),
      tasks: fc.array(fc.record({ pid: fc.nat(), rssPages: maybe(fc.nat()), name: hostString() }), {
        maxLength: 30,
      }),
    })
    .map((partial) => ({
      totalVmKb: null,
      pgtablesKb: null,
      uid: null,
      oomScoreAdj: null,
      score: null,
      constraint: null,
      gfpMask: null,
      order: null,
      swapFreeKb: null,
      memswUsageKb: null,
      memswLimitKb: null,
      kmemUsageKb: null,
      kmemLimitKb: null,
      memcgSwapUsageKb: null,
      memcgSwapLimitKb: null,
      memcgStats: null,
      memInfo: null,
      oomGroupMemcg: null,
      reapedAnonRssKb: null,
      transport: 'cloudwatch' as const,
      origin: 'syslog-tag' as const,
      kernelOnly: false,
      eventId: null,
      ...partial,
      tasks: partial.tasks.map((task) => ({
        uid: null,
        tgid: null,
        totalVmPages: null,
        rssAnonPages: null,
        rssFilePages: null,
        rssShmemPages: null,
        pgtablesBytes: null,
        nrPtes: null,
        swapents: null,
        oomScoreAdj: null,
        ...task,
      })),
    }));
}

function digestOf(kill: Kill, i: number): KillDigest {
  return {
    key: `k${i}`,
    time: kill.time,
    kernelTime: kill.kernelTime,
    pid: kill.pid,
    process: kill.process,
    kind: kill.kind,
    rssKb: kill.anonRssKb,
    anonRssKb: kill.anonRssKb,
    cgroup: kill.cgroup,
    memcg: kill.taskMemcg,
    systemdUnit: kill.systemdUnit,
    container: kill.container,
    oomGroupMemcg: kill.oomGroupMemcg,
  };
}

function incidentArb(): fc.Arbitrary<Incident> {
  return fc
    .record({
      first: killArb(),
      joined: fc.array(killArb(), { maxLength: 60 }),
      extra: fc.nat({ max: 10_000 }),
      severity: fc.constantFrom('critical' as const, 'warning' as const),
      instanceId: maybe(fc.oneof(fc.constant('i-0a1b2c3d4e5f60789'), hostString())),
      name: maybe(hostString()),
      resolvedBy: fc.constantFrom(
        'stream-name' as const,
        'hostname' as const,
        'private-ip' as const,
        'unresolved' as const,
      ),
      instanceType: maybe(hostString()),
      history: fc.array(
        fc.record({
          incidentId: hostString(),
          time: fc.oneof(isoTime(), hostString()),
          pid: maybe(fc.nat()),
          rssKb: maybe(kb()),
        }),
        { maxLength: 20 },
      ),
      storm: maybe(fc.record({ windowStartedAt: isoTime(), incidentsInWindow: fc.nat({ max: 500 }) })),
    })
    .map((r) => ({
      id: 'oom-20260517T170028-0123456789abcdef',
      status: 'responding' as const,
      severity: r.severity,
      instance: {
        instanceId: r.instanceId,
        hostname: r.first.hostname,
        privateIp: null,
        instanceType: r.instanceType,
        availabilityZone: null,
        name: r.name,
        resolvedBy: r.resolvedBy,
      },
      firstKill: r.first,
      kills: [r.first, ...r.joined].map(digestOf),
      killCount: 1 + r.joined.length + r.extra,
      openedAt: '2026-05-17T17:00:28Z',
      observedAt: '2026-05-17T17:00:29Z',
      updatedAt: '2026-05-17T17:00:41Z',
      history: r.history,
      source: {
        logGroup: r.first.logGroup,
        logStream: r.first.logStream,
        accountId: null,
        region: 'us-east-1',
      },
      storm: r.storm,
    }));
}

function findingArb(): fc.Arbitrary<Finding> {
  return fc.record({
    family: fc.constantFrom('memory-leak' as const, 'cgroup-limit' as const, 'host-exhausted' as const),
    title: hostString(),
    confidence: fc.double({ min: -1, max: 2 }),
    evidence: fc.array(
      fc.record({
        kind: fc.constantFrom(
          'kernel' as const,
          'measured' as const,
          'inferred' as const,
          'contradicts' as const,
          'context' as const,
        ),
        text: hostString(),
      }),
      { maxLength: 30 },
    ),
    recommendation: fc.record(
      { text: hostString(), code: hostString(), after: hostString() },
      { requiredKeys: ['text'] },
    ),
  });
}

function analysisArb(): fc.Arbitrary<Analysis> {
  return fc.record({
    findings: fc.array(findingArb(), { maxLength: 6 }),
    likelyCause: maybe(findingArb()),
    plan: fc.record({
      steps: fc.array(
        fc.record({
          action: fc.constantFrom('add-swap' as const, 'restart-service' as const),
          parameters: fc.constant({}),
          dryRun: fc.boolean(),
          reason: hostString(),
        }),
        { maxLength: 2 },
      ),
      skipped: fc.array(
        fc.record({
          action: fc.constantFrom('add-swap' as const, 'restart-service' as const),
          reason: hostString(),
        }),
        { maxLength: 2 },
      ),
    }),
  });
}

function actionArb(): fc.Arbitrary<ActionResult> {
  return fc.record({
    action: fc.constantFrom('add-swap' as const, 'restart-service' as const),
    status: fc.constantFrom(
      'done' as const,
      'already-ok' as const,
      'dry-run' as const,
      'refused' as const,
      'failed' as const,
      'skipped' as const,
    ),
    summary: hostString(),
    verification: maybe(hostString()),
    commandId: maybe(fc.oneof(fc.uuid(), hostString())),
    exitCode: maybe(fc.integer()),
  });
}

function summaryArb(): fc.Arbitrary<DiagnosticsSummary> {
  return fc
    .record({
      top: fc.array(
        fc.record({
          pid: fc.nat(),
          rssKb: kb(),
          oomScore: maybe(fc.nat()),
          oomScoreAdj: maybe(fc.integer()),
          comm: hostString(),
          cmdline: hostString(),
        }),
        { maxLength: 15 },
      ),
      totalKb: maybe(kb()),
      availableKb: maybe(kb()),
      unitName: hostString(),
      activeState: maybe(hostString()),
    })
    .map((r) =>
      summary({
        topProcesses: r.top,
        memory: { ...summary().memory, totalKb: r.totalKb, availableKb: r.availableKb },
        unit: {
          ...(summary().unit ?? {
            nRestarts: null,
            memoryMaxBytes: null,
            memoryCurrentBytes: null,
            oomPolicy: null,
            subState: null,
            result: null,
          }),
          name: r.unitName,
          activeState: r.activeState,
        },
      }),
    );
}

/** A memory timeline as the analysis may carry it: any values (out of 0-100 too), gaps, an instance id of host text. */
function memoryTimelineArb(): fc.Arbitrary<MemoryTimelineOutcome> {
  const slots = fc.array(maybe(fc.double({ min: -10, max: 150, noNaN: true })), { maxLength: 70 });
  const instanceId = fc.oneof(
    fc.constant('i-0a1b2c3d4e5f60789'),
    hostString().filter((id) => id.length > 0),
  );
  return fc.oneof(
    fc.record({
      status: fc.constant('read' as const),
      window: fc.record({
        instanceId,
        from: isoTime(),
        periodSeconds: fc.constantFrom(60, 300),
        killAt: isoTime(),
        readAt: isoTime(),
        available: slots,
        swapUsed: slots,
        thresholdPercent: maybe(fc.integer({ min: 0, max: 100 })),
      }),
    }),
    fc.record({ status: fc.constant('no-metrics' as const), instanceId }),
    fc.record({ status: fc.constant('unreadable' as const), instanceId, error: hostString() }),
    fc.record({
      status: fc.constant('not-read' as const),
      reason: fc.constantFrom('drill' as const, 'no-instance' as const, 'not-configured' as const),
    }),
  );
}

export function outcomeArb(): fc.Arbitrary<ResponseOutcome> {
  return fc
    .tuple(outcomeWithoutTimelineArb(), fc.option(memoryTimelineArb(), { nil: undefined }))
    .map(([outcome, memoryTimeline]) => (memoryTimeline ? { ...outcome, memoryTimeline } : outcome));
}

function outcomeWithoutTimelineArb(): fc.Arbitrary<ResponseOutcome> {
  return fc.record({
    incident: incidentArb(),
    diagnostics: fc.record({
      status: fc.constantFrom<DiagnosticsStatus>(
        'collected',
        'unmanaged',
        'agent-offline',
        'failed',
        'timed-out',
        'skipped',
      ),
      summary: maybe(summaryArb()),
      detail: maybe(hostString()),
      commandId: maybe(fc.oneof(fc.uuid(), hostString())),
      outputS3Uri: maybe(fc.oneof(fc.constant('s3://bucket-name/prefix/key'), hostString())),
    }),
    analysis: maybe(analysisArb()),
    actions: fc.array(actionArb(), { maxLength: 4 }),
    failure: maybe(fc.record({ stage: hostString(), error: hostString() })),
    context: fc.record({
      partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso', ''),
      region: fc.constantFrom('us-east-1', 'cn-north-1', 'us-gov-west-1', '', 'not a region'),
      accountId: maybe(fc.constant('123456789012')),
      executionArn: maybe(
        fc.oneof(fc.constant('arn:aws:states:us-east-1:123456789012:execution:sm:oom-1'), hostString()),
      ),
    }),
  });
}
