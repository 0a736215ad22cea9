import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { buildKpiFixture, type KpiFixture } from './kpi-fixture';

// The CLI as a user runs it, in a child process, against a PGlite data folder (DATA_DIR).
const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'report-cli-db-'));
const out = mkdtempSync(join(tmpdir(), 'report-cli-out-'));
let fx: KpiFixture;

function report(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bin/report.ts'), ...args], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  const database = openDatabase({ dataDir });
  await database.migrate();
  fx = await buildKpiFixture(database.db);
  await database.close();
});
describe('npm run report', () => {
  it('writes the monthly review as one offline HTML file, with progress', () => {
    const run = report('monthly-review', '--agreement', fx.agreementA, '--from', '2026-01-01', '--to', '2026-01-31', '--out', out);
    expect(run.stderr).toContain('Monthly SLA review: January 2026 vs December 2025');
    expect(run.stderr).toMatch(/16\/21 funnel \(December 2025\)/);
    expect(run.status).toBe(0);
    const file = join(out, 'monthly-review_2026-01-01_2026-01-31.html');
    expect(run.stdout.trim()).toBe(file);
    expect(readFileSync(file, 'utf8')).toContain('MQL → SQL acceptance fell from 100% to 33%');
  });

  it('writes PNG and CSV per chart', () => {
    expect(report('sales-cadence', '--from', '2026-01-01', '--to', '2026-01-31', '--format', 'png', '--out', out).status).toBe(0);
    expect(report('sales-cadence', '--from', '2026-01-01', '--to', '2026-01-31', '--format', 'csv', '--out', out).status).toBe(0);
    const files = readdirSync(join(out, 'sales-cadence_2026-01-01_2026-01-31'));
    expect(files.filter((name) => name.endsWith('.png')).length).toBeGreaterThan(5);
    expect(files).toContain('01-response_distribution-chart.csv');
  });

  it('fails with a clear message and a non-zero exit', () => {
    const cases: [string[], RegExp][] = [
      [['weekly'], /unknown notebook "weekly"; choose monthly-review, marketing-funnel, sales-cadence/],
      [['monthly-review', '--from', '2026-13-01', '--to', '2026-12-31'], /from: "2026-13-01" is not a date/],
      [['monthly-review', '--from', '2026-02-01', '--to', '2026-01-01'], /from \(2026-02-01\) is after to \(2026-01-01\)/],
      [['monthly-review', '--agreement', '00000000-0000-4000-8000-000000000000'], /SlaAgreement 00000000-0000-4000-8000-000000000000 was not found/],
      [['monthly-review', '--agreement', 'acme'], /neither an agreement id/],
    ];
    for (const [args, message] of cases) {
      const run = report(...args);
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(message);
    }
    expect(report('monthly-review', '--format', 'pdf').status).toBe(2);
  });

  it('reports a database error it cannot connect to', () => {
    const env = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bin/report.ts'), 'monthly-review'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/report: error: database or internal error: connect ECONNREFUSED 127\.0\.0\.1:1/);
  });
});
