import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, evidenceTexts, findingOf, incidentFrom } from './incidents';

// Real: a host-wide kill of dhclient with 1 MiB of RSS (syzkaller, 5.10): the report shows slab_unreclaimable
// at 279862 pages and almost no anonymous memory. The kill's own line has no RAM size; the diagnostics give it.
const SLAB_OOM = 'modern/syzkaller-printk-caller-id-5.10-global.log';
const slabHeavy = diagnostics({
  instanceType: 't3.small',
  memory: {
    totalKb: 1_986_244,
    availableKb: 402_112,
    slabKb: 1_169_400,
    sReclaimableKb: 49_924,
    sUnreclaimKb: 1_119_476,
  },
  slabTop: [
    { name: 'kmalloc-1k', sizeKb: 633_856 },
    { name: 'io_kiocb', sizeKb: 318_720 },
    { name: 'dentry', sizeKb: 31_104 },
  ],
});

describe('the kernel-slab finding', () => {
  it('finds unreclaimable slab holding most of RAM and ranks it the likely cause', () => {
    const analysis = analyzeIncident(
      incidentFrom(SLAB_OOM, { instance: { instanceType: 't3.small' } }),
      slabHeavy,
    );
    const slab = findingOf(analysis, 'kernel-slab');

    expect(analysis.likelyCause).toBe(slab);
    expect(slab?.confidence).toBe(0.58);
    expect(slab?.title).toBe('Kernel slab memory is 1.1 GiB, 59% of RAM, mostly unreclaimable');
    expect(evidenceTexts(slab)).toEqual([
      'Slab 1.1 GiB (59% of 1.9 GiB RAM): SUnreclaim 1.1 GiB, SReclaimable 49 MiB',
      'SUnreclaim alone is 56% of RAM: no process kill can free it',
      'so much unreclaimable slab is more than any normal workload keeps',
      'largest caches: kmalloc-1k 619 MiB, io_kiocb 311 MiB, dentry 30 MiB',
    ]);
    expect(adviceText(slab?.recommendation)).toContain('slabtop -o -s c');
    expect(adviceText(slab?.recommendation)).toContain('kernel or driver leak');
  });

  it('points to file-system caches when dentries dominate', () => {
    const dentries = diagnostics({
      memory: { slabKb: 3_145_728, sReclaimableKb: 1_835_008, sUnreclaimKb: 1_310_720 },
      slabTop: [{ name: 'dentry', sizeKb: 1_572_864 }],
    });
    const slab = findingOf(analyzeIncident(incidentFrom(SLAB_OOM), dentries), 'kernel-slab');
    expect(slab?.confidence).toBe(0.51);
    expect(adviceText(slab?.recommendation)).toContain('vm.vfs_cache_pressure=200');
  });

  it('says nothing for normal slab use, or without diagnostics', () => {
    expect(findingOf(analyzeIncident(incidentFrom(SLAB_OOM), diagnostics()), 'kernel-slab')).toBeUndefined();
    expect(findingOf(analyzeIncident(incidentFrom(SLAB_OOM), null), 'kernel-slab')).toBeUndefined();
  });
});
