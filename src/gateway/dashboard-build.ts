/**
 * `npm run build` step: bundles the dashboard into a folder the gateway serves as is
 * (tsx src/gateway/dashboard-build.ts dist/gateway/dashboard).
 */
import { resolve } from 'node:path';
import { buildDashboard } from './dashboard-assets';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: tsx src/gateway/dashboard-build.ts <output folder>');
  process.exit(2);
}
buildDashboard(resolve(outDir)).then(
  () => console.log(`dashboard built into ${outDir}`),
  (err: unknown) => {
    console.error(`dashboard build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
