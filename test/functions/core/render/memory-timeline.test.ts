import { describe, expect, it } from 'vitest';
import { slackMessageForTerminal } from '../../../../cli/format/slack-terminal';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import type { MemoryTimelineOutcome } from '../../../../functions/core/metrics/memory-window';
import { SPARK_BLOCKS } from '../../../../functions/core/metrics/sparkline';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { metricGraphUrl } from '../../../../functions/core/render/console-links';
import { MEMORY_TIMELINE_HEADING } from '../../../../functions/core/render/memory-timeline-view';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { hourWindow } from '../../../support/memory-hour';
import { corpusKill, fullOutcome, incidentFor } from './scenarios';

const JAVA = 'legacy/rhel6-2.6.32-642-global-java-full-syslog.log';
const INSTANCE = 'i-0a1b2c3d4e5f60789';
const FROM = Date.parse('2026-05-17T16:01:00Z');
const MINUTE = 60_000;
const KILL_AT = new Date('2026-05-17T17:00:41Z');

/** Available memory: 38 % until minute 7, then down by 36/52 points a minute to 2 % at minute 59 (17:00). */
const AVAILABLE = Array.from({ length: 60 }, (_, i) => (i <= 7 ? 38 : 38 - ((i - 7) * 36) / 52));
/** Swap use: none for 20 minutes, then 1.5 points a minute: 58.5 % at the kill. */
const SWAP = Array.from({ length: 60 }, (_, i) => (i < 20 ? 0 : (i - 20) * 1.5));

const clock = (i: number) => new Date(FROM + i * MINUTE).toISOString().slice(11, 16);

function read(
  available: readonly (number | null)[],
  swap: readonly (number | null)[] = SWAP,
): MemoryTimelineOutcome {
  return {
    status: 'read',
    window: hourWindow({ instanceId: INSTANCE, fromMs: FROM, killAt: KILL_AT, available, swap }),
  };
}

async function outcomeWith(memoryTimeline: MemoryTimelineOutcome | undefined): Promise<ResponseOutcome> {
  const outcome = fullOutcome(incidentFor(await corpusKill(JAVA)));
  return memoryTimeline ? { ...outcome, memoryTimeline } : outcome;
}

/** What the series says, worked out here from the values themselves. */
function figuresOf(values: readonly number[]) {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const lowAt = values.indexOf(low);
  const highAt = values.lastIndexOf(high, lowAt);
  const crossedAt = values.findIndex((v) => v <= 10);
  const spark = Array.from({ length: 12 }, (_, k) => {
    const bucket = Math.min(...values.slice(k * 5, k * 5 + 5));
    return SPARK_BLOCKS[Math.min(7, Math.floor(bucket / 12.5))];
  }).join('');
  const percent = (v: number) => `${v < 10 ? Math.round(v * 10) / 10 : Math.round(v)}%`;
  return {
    spark,
    fall: `available memory fell from ${percent(high)} at ${clock(highAt)} to ${percent(low)} at ${clock(lowAt)} (${lowAt - highAt} min)`,
    crossing: `at or below the early-warning threshold (10%) from ${clock(crossedAt)}`,
    swap: `swap used ${percent(SWAP[0] ?? 0)} → ${percent(SWAP[59] ?? 0)}`,
  };
}

const EXPECTED = figuresOf(AVAILABLE);

describe('the memory timeline in every kill message', () => {
  it('states the series’ own figures: the fall of 36 points in 52 min, the crossing, swap', () => {
    // The figures the fixture was built with, so the helper above is checked too.
    expect(EXPECTED.fall).toBe('available memory fell from 38% at 16:08 to 2% at 17:00 (52 min)');
    expect(EXPECTED.crossing).toBe('at or below the early-warning threshold (10%) from 16:49');
    expect(EXPECTED.swap).toBe('swap used 0% → 59%');
  });

  it('is a section of the Slack message after What happened and before Why, within Block Kit limits', async () => {
    const message = renderSlackMessage(await outcomeWith(read(AVAILABLE)));
    expect(validateSlackMessage(message)).toEqual([]);
    const texts = message.blocks.map((block) => (block.type === 'section' ? (block.text?.text ?? '') : ''));
    const at = texts.findIndex((text) => text.startsWith(`*${MEMORY_TIMELINE_HEADING}`));
    expect(at).toBeGreaterThan(texts.findIndex((text) => text.startsWith('*What happened*')));
    expect(at).toBeLessThan(texts.findIndex((text) => text.startsWith('*Why')));
    const section = texts[at] ?? '';
    expect(section).toContain(`(CloudWatch agent, ${INSTANCE})`);
    expect(section).toContain(`\`${EXPECTED.spark}\` 16:01 to 17:00 UTC`);
    expect(section).toContain(EXPECTED.fall);
    expect(section).toContain(EXPECTED.crossing);
    expect(section).toContain(EXPECTED.swap);
    const links = texts.find((text) => text.startsWith('*Links:*')) ?? '';
    expect(links).toContain(
      "#metricsV2:graph=~(metrics~(~(~'CWAgent~'mem_available_percent~'InstanceId~'i-0a1b2c3d4e5f60789",
    );
    expect(links).toContain('|Memory metrics (hour before)>');
  });

  it('is in the plain text (email, SNS) and the Amazon Q notification, with the graph link', async () => {
    const outcome = await outcomeWith(read(AVAILABLE));
    for (const text of [
      renderPlainText(outcome),
      renderSnsNotification(outcome).message,
      renderQNotification(outcome).content.description,
    ]) {
      expect(text).toContain(EXPECTED.spark);
      expect(text).toContain(EXPECTED.fall);
      expect(text).toContain(EXPECTED.crossing);
      expect(text).toContain(EXPECTED.swap);
      expect(text).toContain('#metricsV2:graph=');
    }
    expect(renderPlainText(outcome)).toContain(
      `${MEMORY_TIMELINE_HEADING} (CloudWatch agent, ${INSTANCE}):\n  ${EXPECTED.spark}  16:01 to 17:00 UTC\n  ${EXPECTED.fall};`,
    );
  });

  it('shows in the terminal as the Slack message does', async () => {
    const terminal = slackMessageForTerminal(renderSlackMessage(await outcomeWith(read(AVAILABLE))));
    expect(terminal).toContain(`${EXPECTED.spark}\` 16:01 to 17:00 UTC`);
    expect(terminal).toContain(EXPECTED.fall);
  });

  it('says the agent went silent before the kill, and draws no block where it did', async () => {
    const silent = AVAILABLE.map((v, i) => (i >= 55 ? null : v));
    const text = renderPlainText(await outcomeWith(read(silent)));
    const present = silent.filter((v): v is number => v !== null);
    expect(text).toContain(`${figuresOf(present).spark.slice(0, 11)}·`);
    expect(text).toContain(
      `the agent sent nothing from ${clock(55)} on, the last 5 min before the kill: a host that thrashes often stops reporting`,
    );
  });

  it('says a gap in the hour by its minutes, and a level that held', async () => {
    // 55 % or 56 % all hour, but nothing from minute 20 to minute 24; no swap metric at all.
    const held = Array.from({ length: 60 }, (_, i) => (i >= 20 && i < 25 ? null : 55 + (i % 2)));
    const text = renderPlainText(await outcomeWith(read(held, [])));
    expect(text).toContain(`available memory held between 55% and 56%; 56% at the last point (${clock(59)})`);
    expect(text).toContain('never at or below the early-warning threshold (10%)');
    expect(text).toContain(`no points from ${clock(20)} to ${clock(24)} (5 min)`);
    expect(text).toContain('no swap figures');
    expect(text).not.toContain('sent nothing');
  });

  it('says why there is no timeline in one line, without a sparkline', async () => {
    const none = renderSlackMessage(await outcomeWith({ status: 'no-metrics', instanceId: INSTANCE }));
    const line = none.blocks
      .map((block) => (block.type === 'section' ? (block.text?.text ?? '') : ''))
      .find((text) => text.startsWith(`*${MEMORY_TIMELINE_HEADING}:*`));
    expect(line).toContain(`no memory metrics: CloudWatch holds no mem_available_percent of ${INSTANCE}`);
    expect(line).toContain('append-config');
    expect(line).not.toMatch(/[▁▂▃▄▅▆▇█·]/);
    const failed = renderPlainText(
      await outcomeWith({ status: 'unreadable', instanceId: INSTANCE, error: 'TimeoutError' }),
    );
    expect(failed).toContain(
      `${MEMORY_TIMELINE_HEADING}: the memory metrics of ${INSTANCE} could not be read (TimeoutError).`,
    );
    expect(failed).not.toContain('metricsV2');
  });

  it('says nothing when none was asked for: a drill, or a deployment without the metrics', async () => {
    for (const outcome of [
      await outcomeWith({ status: 'not-read', reason: 'drill' }),
      await outcomeWith({ status: 'not-read', reason: 'not-configured' }),
      await outcomeWith(undefined),
    ]) {
      expect(renderPlainText(outcome)).not.toContain(MEMORY_TIMELINE_HEADING);
      expect(JSON.stringify(renderSlackMessage(outcome))).not.toContain(MEMORY_TIMELINE_HEADING);
    }
  });
});

describe('metricGraphUrl', () => {
  const graph = {
    instanceId: INSTANCE,
    start: '2026-05-17T16:01:00.000Z',
    end: '2026-05-17T17:01:00.000Z',
    killAt: '2026-05-17T17:00:41.000Z',
    thresholdPercent: 10,
  };

  it('opens the agent metrics of the instance over the window, the kill marked, on 0-100 %', () => {
    expect(metricGraphUrl({ partition: 'aws', region: 'eu-west-1' }, graph)).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#metricsV2:graph=' +
        "~(metrics~(~(~'CWAgent~'mem_available_percent~'InstanceId~'i-0a1b2c3d4e5f60789~(label~'available*20*25))" +
        "~(~'.~'swap_used_percent~'.~'.~(label~'swap*20used*20*25)))" +
        "~view~'timeSeries~stacked~false~region~'eu-west-1~stat~'Average~period~60" +
        "~start~'2026-05-17T16*3a01*3a00.000Z~end~'2026-05-17T17*3a01*3a00.000Z" +
        '~yAxis~(left~(min~0~max~100))' +
        "~annotations~(vertical~(~(label~'OOM*20kill~value~'2026-05-17T17*3a00*3a41.000Z))" +
        "~horizontal~(~(label~'early*20warning~value~10)))" +
        "~title~'Memory*20of*20i-0a1b2c3d4e5f60789*20before*20the*20OOM*20kill)",
    );
  });

  it('builds none for a malformed instance id or a partition without a console', () => {
    expect(
      metricGraphUrl({ partition: 'aws', region: 'eu-west-1' }, { ...graph, instanceId: 'i-0abc|<x>' }),
    ).toBeNull();
    expect(metricGraphUrl({ partition: 'aws-iso', region: 'us-iso-east-1' }, graph)).toBeNull();
  });
});
