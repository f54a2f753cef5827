/**
 * The forecasting agent on the sample account: our forecast beside Cost Explorer's, a backtest beside
 * a naive baseline, the planted spikes found and explained by the right service and usage type (and
 * matched with Cost Anomaly Detection's), and budget advice against AWS Budgets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHarness } from './harness';

for (const size of ['small', 'medium'] as const) {
  test(`${size} sample account: forecast, backtest, anomalies with drivers, budgets`, async () => {
    const h = await startHarness({ seed: 42, size });
    try {
      const accounts = h.scenario.accounts.map((a) => a.id);
      const result = await h.activities.analyseForecast({ analysisId: `analysis/test/forecast-${size}`, accounts });
      const f = result.forecast;
      assert.equal(f.asOf, '2026-11-21');
      assert.equal(f.daily.length, 30);
      assert.equal(f.daily[0]!.date, '2026-11-21');
      for (const d of f.daily) assert.ok(Number(d.lower) <= Number(d.mean) && Number(d.mean) <= Number(d.upper));

      // Side by side with Cost Explorer's forecast: the same days, totals within 10% of each other.
      assert.ok(f.costExplorer, 'Cost Explorer forecast present');
      assert.equal(f.costExplorer.daily.length, 30);
      assert.ok(Math.abs(f.difference!.pct!) < 10, `ours vs Cost Explorer: ${f.difference!.pct}%`);

      // Backtest on the account's own history.
      assert.ok(f.backtest);
      assert.equal(f.backtest.holdoutDays, 30);
      // The held-out month holds planted spikes: the model's error is reported, whatever it is, and stays small.
      assert.ok(f.backtest.mape < 10, `backtest MAPE ${f.backtest.mape}%`);
      assert.ok(f.backtest.coverage > 0.5, `coverage ${f.backtest.coverage}`);
      assert.ok(f.backtest.naiveMape > 0);

      // Every planted spike is found, explained by its service, and matched with Cost Anomaly Detection.
      const spikes = h.scenario.events.filter((e) => e.kind === 'spike' && e.date >= f.history.start);
      assert.ok(spikes.length >= 1);
      for (const event of spikes) {
        const found = f.anomalies.find((a) => a.start <= event.endDate && a.end >= event.date);
        assert.ok(found, `${event.description} (${event.date}) found`);
        assert.equal(found.drivers?.find((d) => d.dimension === 'service')?.key, event.service, `${event.date}: top service`);
        assert.ok(found.drivers?.some((d) => d.dimension === 'usage-type'));
        assert.ok(found.drivers?.some((d) => d.dimension === 'account'));
        assert.ok(found.drivers?.some((d) => d.dimension === 'region'));
        assert.ok(found.costExplorerAnomalyId, `${event.date}: matched with Cost Explorer's anomaly`);
      }
      assert.ok(f.costExplorerAnomalies.length >= spikes.length);

      // Budgets from AWS Budgets, the month-end projection, and a suggestion.
      const budget = f.budget!;
      assert.equal(budget.month, '2026-11');
      assert.ok(Number(budget.projected) > Number(budget.monthToDate));
      assert.ok(budget.budgets.length >= accounts.length);
      assert.ok(Number(budget.suggestedMonthlyBudget) > 0);
      if (size === 'small') {
        const total = budget.budgets.find((b) => b.name === 'monthly-total')!;
        assert.equal(total.projectionSource, 'model');
        const scoped = budget.budgets.find((b) => b.name === 's3-storage')!;
        assert.equal(scoped.projectionSource, 'aws-budgets');
      }
      assert.ok(f.byService.length > 0);
      assert.deepEqual(result.notes, []);

      // Cost Explorer requests: history, forecast, anomalies and two per explained anomaly.
      const ce = result.usage.requests;
      assert.equal(ce['ce:GetCostForecast'], 1);
      assert.equal(ce['ce:GetAnomalies'], 1);
      const explained = f.anomalies.filter((a) => a.drivers).length;
      assert.ok(explained <= 5);
      // (Cost Explorer pages at 1,000 groups: the history takes two pages, a driver query now and then a second.)
      assert.ok(ce['ce:GetCostAndUsage']! <= 2 + 3 * explained, `${ce['ce:GetCostAndUsage']} GetCostAndUsage requests`);
      assert.equal(
        result.costExplorerRequests,
        Object.entries(ce)
          .filter(([k]) => k.startsWith('ce:'))
          .reduce((n, [, c]) => n + c, 0),
      );
    } finally {
      await h.close();
    }
  });
}

test('without access to AWS Budgets the forecast still arrives, with a note', async () => {
  const h = await startHarness({ seed: 42, size: 'small' });
  try {
    h.sim.setFaults([{ operation: 'DescribeBudgets', error: 'AccessDeniedException' }]);
    const result = await h.activities.analyseForecast({
      analysisId: 'analysis/test/forecast-denied',
      accounts: [h.scenario.accounts[0]!.id],
    });
    assert.match(result.notes.join(' '), /AWS Budgets .* skipped: needs IAM permission budgets:ViewBudget/);
    assert.deepEqual(result.forecast.budget?.budgets, []);
  } finally {
    await h.close();
  }
});
