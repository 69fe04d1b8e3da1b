import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../../functions/core/incident/model';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { executionUrl } from '../../../../functions/core/render/console-links';
import { namedIndividually, shouldRollUp, stormDecision } from '../../../../functions/core/render/storm';
import { renderStormRollup } from '../../../../functions/core/render/storm-render';
import { corpusKill, INSTANCE, incidentFor, withJoinedKills } from './scenarios';

describe('stormDecision', () => {
  const storm = (incidentsInWindow: number) => ({
    windowStartedAt: '2026-05-17T17:00:00Z',
    incidentsInWindow,
  });

  it.each([
    [null, 5, 'notify'],
    [storm(1), 5, 'notify'],
    [storm(5), 5, 'notify'],
    [storm(6), 5, 'open-rollup'],
    [storm(7), 5, 'join-rollup'],
    [storm(400), 5, 'join-rollup'],
    [storm(3), Number.POSITIVE_INFINITY, 'notify'],
  ] as const)('decides %j with threshold %d: %s', (context, threshold, decision) => {
    expect(stormDecision(context, threshold)).toBe(decision);
    expect(shouldRollUp({ storm: context }, threshold)).toBe(decision !== 'notify');
  });
});

describe('renderStormRollup', () => {
  /** A fleet-wide storm: node killed on many pods' hosts after a deploy, a few java and redis kills besides. */
  async function fleet(): Promise<Incident[]> {
    const node = await corpusKill('modern/k8s-containerd-oom-group-double-kill-grep.log');
    const java = await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log');
    const redis = await corpusKill('modern/docker-systemd-scope-global-redis-dmesg-T-6.8.log');
    const host = (i: number) => ({
      ...INSTANCE,
      instanceId: `i-0a1b2c3d4e5f607${String(i).padStart(2, '0')}`,
      name: `web-${i}`,
    });
    const incidents: Incident[] = [];
    for (let i = 0; i < 14; i++) {
      const one = incidentFor(node, host(i));
      incidents.push(i < 3 ? withJoinedKills(one, [node], 3) : one);
    }
    incidents.push(incidentFor(java, host(20)), incidentFor(java, host(21)), incidentFor(redis, host(22)));
    return incidents.map((incident) => ({
      ...incident,
      storm: { windowStartedAt: '2026-05-17T17:00:00Z', incidentsInWindow: 17 },
    }));
  }

  it('counts by process and by instance, worst first, with the totals', async () => {
    const rollup = renderStormRollup(await fleet(), { threshold: 5 });
    expect(rollup.summary).toMatchObject({ incidents: 17, kills: 23, instances: 17 });
    expect(rollup.summary.byProcess.map((count) => [count.name, count.kills])).toEqual([
      ['node', 20],
      ['java', 2],
      ['redis-server', 1],
    ]);
    expect(rollup.summary.byInstance[0]).toMatchObject({ kills: 3, spread: ['node'] });
    expect(rollup.text).toContain('[STORM] OOM storm: 23 kills in 17 incidents on 17 instances');
    expect(rollup.text).toContain(
      '  ! java: 2 kills, max RSS 3.4 GiB; on i-0a1b2c3d4e5f60720 (web-20), i-0a1b2c3d4e5f60721 (web-21)',
    );
  });

  it('renders one valid Slack message and an SNS notification for routing', async () => {
    const rollup = renderStormRollup(await fleet(), { threshold: 5 });
    expect(validateSlackMessage(rollup.slack)).toEqual([]);
    const header = rollup.slack.blocks[0];
    expect(header?.type === 'header' && header.text.text).toBe(
      '🚨 OOM storm: 23 kills in 17 incidents on 17 instances',
    );
    expect(JSON.stringify(rollup.slack)).toContain('More than 5 incidents started in one window');
    expect(rollup.sns.subject).toBe('[OOM storm] OOM storm: 23 kills in 17 incidents on 17 instances');
    expect(rollup.sns.messageAttributes).toMatchObject({
      eventType: { DataType: 'String', StringValue: 'oom-storm' },
      severity: { DataType: 'String', StringValue: 'critical' },
      process: { DataType: 'String', StringValue: 'node' },
    });
  });

  it('stays within limits for hundreds of instances and processes', async () => {
    const node = await corpusKill('modern/k8s-containerd-oom-group-double-kill-grep.log');
    const incidents = Array.from({ length: 400 }, (_, i) =>
      incidentFor(
        { ...node, process: `worker-${i % 150}` },
        { ...INSTANCE, instanceId: `i-${String(i).padStart(17, '0')}`, name: `host-${i}` },
      ),
    );
    const rollup = renderStormRollup(incidents, { threshold: 10 });
    expect(validateSlackMessage(rollup.slack)).toEqual([]);
    expect(rollup.summary.kills).toBe(400);
    expect(rollup.text).toContain('… and 140 more with');
  });
});

describe('a rollup that lists the incidents it covers', () => {
  const ARN = 'arn:aws:states:us-east-1:123456789012:execution:OomResponderResponse:';
  const linkOf = (incident: Incident) =>
    executionUrl({ partition: 'aws', region: 'us-east-1' }, `${ARN}${incident.id}`);
  const window = {
    window: '2026-05-17T17:00:00.000Z',
    incidents: 45,
    byProcess: { node: 40, java: 5 },
    byInstance: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`i-${i}`, 1])),
    incidentIds: [],
  };

  async function many(n: number, process = 'node'): Promise<Incident[]> {
    const node = await corpusKill('modern/k8s-containerd-oom-group-double-kill-grep.log');
    return Array.from({ length: n }, (_, i) =>
      incidentFor(
        { ...node, process, pid: 1000 + i },
        { ...INSTANCE, instanceId: `i-0a1b2c3d4e5f6${String(i).padStart(4, '0')}` },
      ),
    ).map((incident, i) => ({ ...incident, id: `oom-20260517T170000-${String(i).padStart(16, '0')}` }));
  }

  it('names every one of 20 incidents with the link to its execution, within Slack’s and SNS’s limits', async () => {
    const incidents = await many(20);
    const rollup = renderStormRollup(incidents, { threshold: 5, window, rollup: 2, linkOf });
    expect(validateSlackMessage(rollup.slack)).toEqual([]);
    expect(rollup.listed).toEqual(incidents.map((incident) => incident.id));
    const slack = JSON.stringify(rollup.slack);
    for (const incident of incidents) {
      expect(slack).toContain(`${ARN}${incident.id}|${incident.id}>`);
      expect(rollup.sns.message).toContain(`${ARN}${incident.id}`);
    }
    expect(rollup.sns.subject.length).toBeLessThan(100);
    expect(rollup.text).toContain(
      'In this window so far: 45 incidents on 45 instances; incidents by process: node 40, java 5.',
    );
    const header = rollup.slack.blocks[0];
    expect(header?.type === 'header' && header.text.text).toBe(
      '⚠️ OOM storm: 45 incidents on 45 instances (update 2), 20 listed here',
    );
  });

  it('drops links before it drops an incident, and says which it could not list', async () => {
    const incidents = await many(60);
    const rollup = renderStormRollup(incidents, { threshold: 5, window, linkOf });
    expect(validateSlackMessage(rollup.slack)).toEqual([]);
    expect(rollup.listed.length).toBeGreaterThanOrEqual(45);
    expect(JSON.stringify(rollup.slack)).not.toContain('states/home');
    if (rollup.listed.length < 60) expect(JSON.stringify(rollup.slack)).toContain('more not listed here');
    // The plain text has room for all, with their links.
    for (const incident of incidents) expect(rollup.text).toContain(incident.id);
  });

  it('lists critical incidents first', async () => {
    const incidents = [
      ...(await many(3)),
      ...(await many(1, 'sshd')).map((i) => ({ ...i, id: 'oom-20260517T170000-ffffffffffffffff' })),
    ];
    const rollup = renderStormRollup(incidents, { threshold: 5, linkOf });
    expect(rollup.listed[0]).toBe('oom-20260517T170000-ffffffffffffffff');
  });
});

describe('namedIndividually', () => {
  it.each([
    ['a memcg kill of an ordinary process', 'modern/host-v1-memcg-sd-pam.log', {}, false],
    ['a kill of sshd', 'modern/host-v1-memcg-sd-pam.log', { process: 'sshd' }, true],
    ['a kill of the SSM agent', 'modern/host-v1-memcg-sd-pam.log', { process: 'amazon-ssm-agen' }, true],
    [
      'a host-wide kill with no critical process in reach',
      'modern/global-oom-6.11-stress-ng-complete.log',
      { tasks: [] },
      false,
    ],
    [
      'a host-wide kill on a host whose report shows kubelet',
      'modern/global-oom-6.11-stress-ng-complete.log',
      { tasks: [{ pid: 900, name: 'kubelet' }] },
      true,
    ],
  ] as const)('%s: %s', async (_, sample, overrides, expected) => {
    const kill = await corpusKill(sample);
    const base = incidentFor(kill, INSTANCE);
    const first = { ...base.firstKill, ...overrides } as Incident['firstKill'];
    const kills = base.kills.map((k) => ({ ...k, process: first.process }));
    expect(namedIndividually({ firstKill: first, kills })).toBe(expected);
  });
});
