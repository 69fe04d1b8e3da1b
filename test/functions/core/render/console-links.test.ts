import { describe, expect, it } from 'vitest';
import {
  consoleOrigin,
  executionUrl,
  logsInsightsUrl,
  runCommandUrl,
  s3ConsoleUrl,
} from '../../../../functions/core/render/console-links';
import { jsurlEncode, jsurlStringify } from '../../../../functions/core/render/jsurl';

const AWS = { partition: 'aws', region: 'us-east-1' };
const CN = { partition: 'aws-cn', region: 'cn-north-1' };
const GOV = { partition: 'aws-us-gov', region: 'us-gov-west-1' };

describe('console links per partition', () => {
  it.each([
    [AWS, 'https://us-east-1.console.aws.amazon.com'],
    [CN, 'https://cn-north-1.console.amazonaws.cn'],
    [GOV, 'https://us-gov-west-1.console.amazonaws-us-gov.com'],
    [{ partition: 'aws-iso', region: 'us-iso-east-1' }, null],
    [{ partition: 'aws', region: 'us-east-1"><script>' }, null],
    [{ partition: 'aws', region: '' }, null],
  ])('uses the console domain of %j', (target, origin) => {
    expect(consoleOrigin(target)).toBe(origin);
  });

  it('links a Step Functions execution in each partition', () => {
    expect(executionUrl(AWS, 'arn:aws:states:us-east-1:123456789012:execution:Response:oom-1')).toBe(
      'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn:aws:states:us-east-1:123456789012:execution:Response:oom-1',
    );
    expect(executionUrl(CN, 'arn:aws-cn:states:cn-north-1:123456789012:execution:Response:oom-1')).toBe(
      'https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:123456789012:execution:Response:oom-1',
    );
    expect(
      executionUrl(GOV, 'arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:Response:oom-1'),
    ).toMatch(
      /^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\/states\/home\?region=us-gov-west-1#\/v2\/executions\/details\/arn:aws-us-gov:/,
    );
    expect(executionUrl(AWS, 'not an arn|<x>')).toBeNull();
  });

  it('links the Run Command output of one instance, or of the command', () => {
    const id = '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d';
    expect(runCommandUrl(AWS, id, 'i-0a1b2c3d4e5f60789')).toBe(
      `https://us-east-1.console.aws.amazon.com/systems-manager/run-command/${id}/i-0a1b2c3d4e5f60789?region=us-east-1`,
    );
    expect(runCommandUrl(GOV, id, null)).toBe(
      `https://us-gov-west-1.console.amazonaws-us-gov.com/systems-manager/run-command/${id}?region=us-gov-west-1`,
    );
    expect(runCommandUrl(AWS, 'x/../../evil', null)).toBeNull();
  });

  it('links an S3 object, or a prefix as a bucket listing', () => {
    expect(
      s3ConsoleUrl(AWS, 's3://diag-bucket/oom/1a2b/i-0a1b2c3d4e5f60789/awsrunShellScript/collect/stdout'),
    ).toBe(
      'https://s3.console.aws.amazon.com/s3/object/diag-bucket?region=us-east-1&prefix=oom%2F1a2b%2Fi-0a1b2c3d4e5f60789%2FawsrunShellScript%2Fcollect%2Fstdout',
    );
    expect(s3ConsoleUrl(CN, 's3://diag-bucket/oom/1a2b/')).toBe(
      'https://cn-north-1.console.amazonaws.cn/s3/buckets/diag-bucket?region=cn-north-1&prefix=oom%2F1a2b%2F',
    );
    expect(s3ConsoleUrl(AWS, 'https://not-s3/x')).toBeNull();
  });
});

describe('Logs Insights link', () => {
  it('encodes queryDetail as JSURL after $3FqueryDetail$3D, as the console does', () => {
    const url = logsInsightsUrl(AWS, {
      logGroup: '/ec2/kernel',
      query:
        'fields @timestamp, @message\n| filter @logStream = "i-0a1b2c3d4e5f60789"\n| sort @timestamp asc',
      start: '2026-05-17T16:45:28.000Z',
      end: '2026-05-17T17:15:28.000Z',
    });
    // Worked by hand from the JSURL rules: `:` -> *3a, space -> *20, `@` -> *40, `,` -> *2c, newline -> *0a,
    // `|` -> *7c, `=` -> *3d, `"` -> *22, `/` -> *2f; strings start with `'`, the object is `~(key~value...)`.
    expect(url).toBe(
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:logs-insights$3FqueryDetail$3D~(end~'2026-05-17T17*3a15*3a28.000Z~start~'2026-05-17T16*3a45*3a28.000Z~timeType~'ABSOLUTE~tz~'UTC~editorString~'fields*20*40timestamp*2c*20*40message*0a*7c*20filter*20*40logStream*20*3d*20*22i-0a1b2c3d4e5f60789*22*0a*7c*20sort*20*40timestamp*20asc~source~(~'*2fec2*2fkernel))",
    );
  });

  it('builds it on the China and GovCloud console domains', () => {
    const q = {
      logGroup: 'kern',
      query: 'fields @message',
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-01-01T00:30:00.000Z',
    };
    expect(logsInsightsUrl(CN, q)).toMatch(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/cloudwatch\/home\?region=cn-north-1#logsV2:logs-insights\$3FqueryDetail\$3D~\(/,
    );
    expect(logsInsightsUrl(GOV, q)).toMatch(
      /^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\/cloudwatch\//,
    );
  });

  it('follows JSURL (Sage/jsurl v1) for every value type', () => {
    expect(jsurlStringify({ a: 1, b: true, c: null, d: ['x', 2], e: 'it$ 1' })).toBe(
      "~(a~1~b~true~c~null~d~(~'x~2)~e~'it!*201)",
    );
    expect(jsurlStringify([])).toBe('~(~)');
    expect(jsurlEncode('é€')).toBe('*e9**20ac');
    expect(jsurlEncode('a-b_c.d')).toBe('a-b_c.d');
  });
});
