import { describe, expect, it } from 'vitest';
import { pacing, reverseFunnel } from '../../domain/goals/reverse-funnel';

const articleRates = { winRate: 0.25, sqlToOpportunity: 0.5, mqlToSql: 0.4, leadToMql: 0.2, visitorToLead: 0.02 };

describe('reverse funnel', () => {
  it("reproduces PRODUCT.md's $1,000,000 example exactly", () => {
    expect(
      reverseFunnel({ metric: 'new_revenue', target: 100_000_000, averageDealSizeMinor: 2_000_000 }, articleRates),
    ).toEqual({
      revenueMinor: 100_000_000,
      wonDeals: 50,
      opportunities: 200,
      sqls: 400,
      mqls: 1_000,
      leads: 5_000,
      visitors: 250_000,
    });
  });

  it('rounds up at every step', () => {
    // $1,010,000 / $20,000 = 50.5 → 51 deals; 51 / 0.25 = 204; 204 / 0.5 = 408; 408 / 0.4 = 1,020;
    // 1,020 / 0.2 = 5,100; 5,100 / 0.02 = 255,000
    const needs = reverseFunnel({ metric: 'new_revenue', target: 101_000_000, averageDealSizeMinor: 2_000_000 }, articleRates);
    expect(needs).toMatchObject({ wonDeals: 51, opportunities: 204, sqls: 408, mqls: 1_020, leads: 5_100, visitors: 255_000 });
    // 7 / 0.3 = 23.33 → 24
    expect(reverseFunnel({ metric: 'sqls', target: 7 }, { ...articleRates, leadToMql: 0.3 })).toMatchObject({
      revenueMinor: null,
      wonDeals: 0,
      sqls: 7,
      mqls: 18,
      leads: 60,
    });
  });

  it('starts from the goal metric', () => {
    expect(reverseFunnel({ metric: 'mqls', target: 1_000 }, articleRates)).toEqual({
      revenueMinor: null,
      wonDeals: 0,
      opportunities: 0,
      sqls: 0,
      mqls: 1_000,
      leads: 5_000,
      visitors: 250_000,
    });
  });

  it('refuses impossible inputs', () => {
    expect(() => reverseFunnel({ metric: 'new_revenue', target: 100 }, articleRates)).toThrow(/average deal size/);
    expect(() => reverseFunnel({ metric: 'mqls', target: 10 }, { ...articleRates, leadToMql: 0 })).toThrow(/leadToMql/);
    expect(() => reverseFunnel({ metric: 'mqls', target: 0 }, articleRates)).toThrow(/target/);
  });
});

describe('pacing', () => {
  it('compares actual to date with the share of the target the elapsed days call for', () => {
    // Q1 2026 has 90 days; on 16 Feb 00:00 UTC, 46 days have passed.
    const p = pacing(1_000, 400, '2026-01-01', '2026-03-31', new Date('2026-02-16T00:00:00Z'));
    expect(p.elapsedShare).toBeCloseTo(46 / 90, 10);
    expect(p.neededToDate).toBe(512); // ceil(1000 * 46 / 90) = ceil(511.1)
    expect(p.onTrack).toBe(false);
    expect(p.projectedAtEnd).toBe(783); // round(400 * 90 / 46)
    expect(p.paceRatio).toBeCloseTo(400 / 512, 10);
  });

  it('clamps before and after the period', () => {
    expect(pacing(100, 0, '2026-01-01', '2026-01-31', new Date('2025-12-01')).paceRatio).toBeNull();
    expect(pacing(100, 120, '2026-01-01', '2026-01-31', new Date('2026-05-01'))).toMatchObject({
      elapsedShare: 1,
      neededToDate: 100,
      projectedAtEnd: 120,
      onTrack: true,
    });
  });
});
