import { describe, expect, it } from 'vitest';
import type { Incident } from '../../../../functions/core/incident/model';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { shouldRollUp, stormDecision } from '../../../../functions/core/render/storm';
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
      ':rotating_light: OOM storm: 23 kills in 17 incidents on 17 instances',
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
