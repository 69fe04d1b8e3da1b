import { describe, expect, it } from 'vitest';
import { instanceIdIn, privateIpIn } from '../../../../functions/core/detect/instance-hints';

describe('instance hints', () => {
  it.each([
    ['i-0abc1234def567890', 'i-0abc1234def567890'],
    ['i-0abc1234', 'i-0abc1234'],
    ['prod/i-0ABC1234DEF567890/kern', 'i-0abc1234def567890'],
    ['kernel_i-0abc1234def567890', 'i-0abc1234def567890'],
    ['i-0abc1234def56789', null],
    ['xi-0abc1234', null],
    ['ip-10-0-1-5', null],
  ])('finds the instance id in stream %s', (stream, id) => {
    expect(instanceIdIn(stream)).toBe(id);
  });

  it.each([
    ['ip-10-0-1-5', '10.0.1.5'],
    ['ip-10-0-1-5.ec2.internal', '10.0.1.5'],
    ['ip-172-31-32-7.eu-west-1.compute.internal', '172.31.32.7'],
    ['10.0.1.5', '10.0.1.5'],
    ['ip-10-0-1-500', null],
    ['db-primary', null],
  ])('reads the private IP in %s', (name, ip) => {
    expect(privateIpIn(name)).toBe(ip);
  });
});
