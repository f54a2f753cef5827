/**
 * What a volume delivers, so a cheaper volume type can be sized to deliver the same (AWS Compute
 * Optimizer sizes gp3 the same way). Pure functions; figures from the EBS and RDS user guides.
 *
 * - gp2: 3 IOPS per GiB (at least 100, at most 16,000); 128 MiB/s up to 170 GiB, 250 MiB/s above.
 *   A 2,000 GiB gp2 volume gives 6,000 IOPS and 250 MiB/s.
 * - io1/io2: their provisioned IOPS; throughput 256 KiB per I/O up to 32,000 IOPS (at most 500 MiB/s),
 *   16 KiB per I/O above (at most 1,000 MiB/s).
 * - EBS gp3: 3,000 IOPS and 125 MiB/s included; up to 16,000 IOPS (500 per GiB) and 1,000 MiB/s
 *   (0.25 MiB/s per provisioned IOPS), each extra IOPS and MiB/s priced.
 * - RDS gp3: under 400 GiB, 3,000 IOPS and 125 MiB/s and nothing more can be provisioned; from 400 GiB,
 *   12,000 IOPS and 500 MiB/s included, extra IOPS priced.
 */

export interface Performance {
  iops: number;
  throughputMiBps: number;
}

export const GP3_INCLUDED: Performance = { iops: 3000, throughputMiBps: 125 };
export const GP3_MAX: Performance = { iops: 16_000, throughputMiBps: 1000 };
export const GP3_MAX_IOPS_PER_GIB = 500;
export const GP3_MAX_MIBPS_PER_IOPS = 0.25;

export function gp2Performance(sizeGiB: number): Performance {
  return { iops: Math.min(16_000, Math.max(100, 3 * sizeGiB)), throughputMiBps: sizeGiB > 170 ? 250 : 128 };
}

export function provisionedIopsPerformance(iops: number): Performance {
  const throughput = iops <= 32_000 ? Math.min(500, iops / 4) : Math.min(1000, (iops * 16) / 1024);
  return { iops, throughputMiBps: throughput };
}

/**
 * The gp3 configuration that delivers at least `need` on a `sizeGiB` volume: IOPS and throughput no
 * lower than the need nor than gp3's included figures. Undefined when gp3 cannot deliver it.
 */
export function gp3For(need: Performance, sizeGiB: number, maxIops = GP3_MAX.iops, maxIopsPerGiB = GP3_MAX_IOPS_PER_GIB): Performance | undefined {
  const throughputMiBps = Math.max(GP3_INCLUDED.throughputMiBps, Math.ceil(need.throughputMiBps));
  // Throughput above 0.25 MiB/s per IOPS needs more IOPS provisioned.
  const iops = Math.max(GP3_INCLUDED.iops, Math.ceil(need.iops), Math.ceil(throughputMiBps / GP3_MAX_MIBPS_PER_IOPS));
  if (iops > maxIops || iops > maxIopsPerGiB * sizeGiB || throughputMiBps > GP3_MAX.throughputMiBps) return undefined;
  return { iops, throughputMiBps };
}

/** RDS gp3 for a gp2 database volume: extra IOPS to provision, or why gp3 cannot match it. */
export function rdsGp3For(sizeGiB: number): { extraIops: number; performance: Performance } | { shortfall: string } {
  const need = gp2Performance(sizeGiB);
  const included = sizeGiB >= 400 ? { iops: 12_000, throughputMiBps: 500 } : GP3_INCLUDED;
  // Up to 170 GiB gp2 carries 128 MiB/s: gp3's 125 is within 3% of it, with 3,000 IOPS instead of at
  // most 510, so that is kept as the same performance; from 171 GiB gp2 carries 250 MiB/s, gp3 half that.
  if (sizeGiB < 400 && (need.iops > included.iops || need.throughputMiBps > included.throughputMiBps * 1.03))
    return {
      shortfall: `gp2 gives ${sizeGiB} GiB ${need.iops} IOPS and ${need.throughputMiBps} MiB/s; RDS gp3 under 400 GiB gives ${included.iops} IOPS and ${included.throughputMiBps} MiB/s and cannot be raised`,
    };
  const extraIops = Math.max(0, need.iops - included.iops);
  return { extraIops, performance: { iops: Math.max(need.iops, included.iops), throughputMiBps: included.throughputMiBps } };
}
