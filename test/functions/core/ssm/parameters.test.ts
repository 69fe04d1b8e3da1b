import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../../functions/core/policy/policy';
import { InvalidSsmParametersError } from '../../../../functions/core/ssm/errors';
import { ADD_SWAP_PARAMETERS, SSM_PARAMETERS } from '../../../../functions/core/ssm/parameter-specs';
import {
  matchesParameterPattern,
  validateAddSwapParameters,
  validateCollectDiagnosticsParameters,
  validateRestartServiceParameters,
} from '../../../../functions/core/ssm/parameters';

describe('validateCollectDiagnosticsParameters', () => {
  it('returns typed values and the Parameters map SendCommand takes', () => {
    const validation = validateCollectDiagnosticsParameters({
      killTime: '2026-11-25T17:30:50.123Z',
      unit: 'myapp.service',
      pid: 4242,
      memcgPath: '/system.slice/myapp.service',
      processHex: '6a617661',
      kernelTime: '5071.123456',
      killer: 'kernel',
      mode: 'pressure',
      sampleSeconds: '3',
    });
    expect(validation).toEqual({
      ok: true,
      value: {
        killTime: '2026-11-25T17:30:50.123Z',
        unit: 'myapp.service',
        pid: 4242,
        memcgPath: '/system.slice/myapp.service',
        processHex: '6a617661',
        kernelTime: 5071.123456,
        killer: 'kernel',
        mode: 'pressure',
        sampleSeconds: 3,
      },
      parameters: {
        killTime: ['2026-11-25T17:30:50.123Z'],
        unit: ['myapp.service'],
        pid: ['4242'],
        memcgPath: ['/system.slice/myapp.service'],
        processHex: ['6a617661'],
        kernelTime: ['5071.123456'],
        killer: ['kernel'],
        mode: ['pressure'],
        sampleSeconds: ['3'],
      },
    });
  });

  it('lets every parameter be absent, null or empty, meaning "not known" (a kill, sampled every 10 s)', () => {
    const validation = validateCollectDiagnosticsParameters({ unit: null, pid: undefined, memcgPath: '' });
    expect(validation.ok && validation.value).toEqual({
      killTime: null,
      unit: null,
      pid: null,
      memcgPath: null,
      processHex: null,
      kernelTime: null,
      killer: null,
      mode: 'kill',
      sampleSeconds: 10,
    });
    expect(validation.ok && validation.parameters).toEqual({
      killTime: [''],
      unit: [''],
      pid: [''],
      memcgPath: [''],
      processHex: [''],
      kernelTime: [''],
      killer: [''],
      mode: ['kill'],
      sampleSeconds: ['10'],
    });
  });

  it('refuses a process name that is not hex of at most 15 bytes, a kernel time with an exponent, another killer', () => {
    for (const [name, value] of [
      ['processHex', 'java'],
      ['processHex', '6A617661'],
      ['processHex', '6a6'],
      ['processHex', '61'.repeat(16)],
      ['kernelTime', '1.5e3'],
      ['kernelTime', '-1'],
      ['killer', 'earlyoom'],
    ] as const) {
      const validation = validateCollectDiagnosticsParameters({ [name]: value });
      expect(validation.ok, `${name}=${value}`).toBe(false);
    }
  });

  it('takes a pressure mode sampled 0 to 60 s apart, and refuses another mode or a longer wait', () => {
    for (const sampleSeconds of ['0', '9', '10', '59', '60', 0, 60]) {
      const validation = validateCollectDiagnosticsParameters({ mode: 'pressure', sampleSeconds });
      expect(validation.ok && validation.value.sampleSeconds, String(sampleSeconds)).toBe(
        Number(sampleSeconds),
      );
    }
    for (const [name, value] of [
      ['mode', 'Pressure'],
      ['mode', 'oom'],
      ['sampleSeconds', '61'],
      ['sampleSeconds', '600'],
      ['sampleSeconds', '05'],
      ['sampleSeconds', '-1'],
      ['sampleSeconds', '2.5'],
    ] as const) {
      expect(validateCollectDiagnosticsParameters({ [name]: value }).ok, `${name}=${value}`).toBe(false);
    }
  });

  it('accepts the memory cgroup paths kernels print for units, containers and pods', () => {
    for (const memcgPath of [
      '/',
      '/system.slice/mysql.service',
      '/docker/3f4c5a7e9b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e',
      '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e3d4c_5b6a_7980_1a2b_3c4d5e6f7a8b.slice/cri-containerd-3f4c5a7e9b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e.scope',
      '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-1234.scope',
    ]) {
      expect(validateCollectDiagnosticsParameters({ memcgPath }).ok, memcgPath).toBe(true);
    }
  });

  it('refuses times that match the pattern but are not real', () => {
    for (const killTime of ['2026-02-30T10:00:00Z', '2026-13-01T10:00:00Z', '2026-11-25T24:00:00Z']) {
      const validation = validateCollectDiagnosticsParameters({ killTime });
      expect(validation.ok || validation.error.problems[0]?.problem, killTime).toBe('range');
    }
  });
});

describe('validateAddSwapParameters', () => {
  it('returns numbers and booleans as such, written as text for SSM', () => {
    const validation = validateAddSwapParameters({
      sizeMiB: 4096,
      path: '/swapfile',
      maxDiskSharePercent: '30',
      dryRun: false,
    });
    expect(validation).toEqual({
      ok: true,
      value: { sizeMiB: 4096, path: '/swapfile', maxDiskSharePercent: 30, dryRun: false, drill: false },
      parameters: {
        sizeMiB: ['4096'],
        path: ['/swapfile'],
        maxDiskSharePercent: ['30'],
        dryRun: ['false'],
        drill: ['false'],
      },
    });
  });

  it('takes the documents’ defaults, a dry run included, for what is not given', () => {
    const validation = validateAddSwapParameters({});
    expect(validation.ok && validation.value).toEqual({
      sizeMiB: 2048,
      path: '/swapfile.oom-responder',
      maxDiskSharePercent: 25,
      dryRun: true,
      drill: false,
    });
  });

  it('reads a drill flag, so the document can refuse it', () => {
    const validation = validateAddSwapParameters({ drill: true });
    expect(validation.ok && validation.value.drill).toBe(true);
    expect(validation.ok && validation.parameters.drill).toEqual(['true']);
    expect(validateAddSwapParameters({ drill: 'yes' }).ok).toBe(false);
  });

  it('accepts what the deployed policy’s defaults plan', () => {
    const { sizeMiB, path, maxDiskSharePercent, dryRun } = parsePolicy({}).addSwap;
    expect(validateAddSwapParameters({ sizeMiB, path, maxDiskSharePercent, dryRun }).ok).toBe(true);
  });

  it('lists every problem at once, each naming its parameter', () => {
    const validation = validateAddSwapParameters({
      sizeMiB: 32,
      path: '/var/../etc/swap',
      maxDiskSharePercent: 2.5,
      dryRun: 'yes',
      fstabPath: '/etc/fstab',
    });
    expect(validation.ok).toBe(false);
    if (validation.ok) return;
    expect(validation.error).toBeInstanceOf(InvalidSsmParametersError);
    expect(validation.error.retryable).toBe(false);
    expect(validation.error.document).toBe('add-swap');
    expect(validation.error.problems.map((p) => [p.parameter, p.problem])).toEqual([
      ['fstabPath', 'unknown'],
      ['sizeMiB', 'pattern'],
      ['path', 'pattern'],
      ['maxDiskSharePercent', 'type'],
      ['dryRun', 'pattern'],
    ]);
    expect(validation.error.message).toContain('sizeMiB: "32" does not match');
  });

  it('admits exactly the sizes 64 to 65536 MiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 200_000 }), (size) => {
        expect(validateAddSwapParameters({ sizeMiB: size }).ok).toBe(size >= 64 && size <= 65_536);
      }),
      { numRuns: 2000, seed: 1 },
    );
    for (const size of [
      64, 65, 99, 100, 999, 1000, 9999, 10_000, 59_999, 60_000, 64_999, 65_000, 65_535, 65_536,
    ]) {
      expect(matchesParameterPattern('add-swap', 'sizeMiB', String(size)), String(size)).toBe(true);
    }
    for (const text of ['064', '+64', '64.0', '6e4', ' 64', '65537', '99999']) {
      expect(matchesParameterPattern('add-swap', 'sizeMiB', text), text).toBe(false);
    }
  });

  it('admits exactly the shares 1 to 90 percent', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 200 }), (share) => {
        expect(validateAddSwapParameters({ maxDiskSharePercent: share }).ok).toBe(share >= 1 && share <= 90);
      }),
      { seed: 2 },
    );
  });

  it('never admits a path that climbs, hides, repeats a slash or ends in one', () => {
    const component = fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 6 }), (parts) => {
        const path = `/${parts.join('/')}`;
        const dotted = parts.some((part) => part.startsWith('.'));
        expect(matchesParameterPattern('add-swap', 'path', path)).toBe(!dotted);
      }),
      { numRuns: 1000, seed: 3 },
    );
    for (const path of ['/a//b', '/a/', '/', 'swapfile', `/${'a'.repeat(64)}`, `${'/a'.repeat(9)}`]) {
      expect(matchesParameterPattern('add-swap', 'path', path), path).toBe(false);
    }
  });
});

describe('validateRestartServiceParameters', () => {
  it('accepts service units, instances included, and defaults to a dry run', () => {
    for (const unit of ['myapp.service', 'worker@2.service', 'a.service', 'my-app_v2:x.service']) {
      const validation = validateRestartServiceParameters({ unit });
      expect(validation.ok && validation.value, unit).toEqual({
        unit,
        memcgPath: null,
        dryRun: true,
        drill: false,
      });
    }
  });

  it('passes the killed task’s memory cgroup on, and refuses one that could climb out of the tree', () => {
    const memcgPath = '/user.slice/user-1000.slice/user@1000.service/app.slice/myapp-web.service';
    const validation = validateRestartServiceParameters({ unit: 'myapp-web.service', memcgPath });
    expect(validation.ok && validation.value.memcgPath).toBe(memcgPath);
    expect(validation.ok && validation.parameters.memcgPath).toEqual([memcgPath]);
    const climbing = validateRestartServiceParameters({ unit: 'a.service', memcgPath: '/system.slice/../x' });
    expect(climbing.ok || climbing.error.problems.map((p) => p.parameter)).toEqual(['memcgPath']);
  });

  it('refuses other unit types, bare templates, options and names over 255 characters', () => {
    for (const unit of [
      'myapp',
      'myapp.socket',
      'myapp@.service',
      '-myapp.service',
      `${'a'.repeat(248)}.service`,
    ]) {
      expect(validateRestartServiceParameters({ unit }).ok, unit).toBe(false);
    }
    expect(validateRestartServiceParameters({ unit: `${'a'.repeat(247)}.service` }).ok).toBe(true);
  });

  it('requires the unit', () => {
    const validation = validateRestartServiceParameters({ dryRun: false });
    expect(validation.ok || validation.error.problems).toEqual([
      { parameter: 'unit', problem: 'missing', message: 'required' },
    ]);
  });

  it('refuses values of the wrong type without echoing them raw', () => {
    const validation = validateRestartServiceParameters({
      unit: ['a.service'],
      dryRun: { evil: '\u001b[31m' },
    });
    expect(validation.ok).toBe(false);
    if (!validation.ok) {
      expect(validation.error.problems.map((p) => p.message)).toEqual([
        'expected text, a boolean or a whole number, got an array',
        'expected text, a boolean or a whole number, got an object',
      ]);
      expect(validation.error.message).not.toContain('\u001b');
    }
  });

  it('quotes a long hostile value as JSON, cut short', () => {
    const validation = validateRestartServiceParameters({ unit: `x.service\n${'\u001b[2J'.repeat(40)}` });
    expect(validation.ok).toBe(false);
    if (!validation.ok) {
      expect(validation.error.message).not.toContain('\u001b');
      expect(validation.error.message).not.toContain('\n');
      expect(validation.error.message).toContain('"x.service\\n');
    }
  });
});

describe('the parameter specs', () => {
  it('give every document parameter a default that its own pattern admits', () => {
    for (const specs of Object.values(SSM_PARAMETERS)) {
      for (const [name, spec] of Object.entries(specs)) {
        if ('default' in spec && spec.default !== undefined) {
          expect(new RegExp(spec.pattern).test(spec.default), name).toBe(true);
        }
      }
    }
    expect(ADD_SWAP_PARAMETERS.dryRun.default).toBe('true');
  });

  it('answer false for a parameter a document does not have', () => {
    expect(matchesParameterPattern('restart-service', 'path', '/swapfile')).toBe(false);
  });
});
