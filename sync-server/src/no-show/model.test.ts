import { describe, expect, it } from 'vitest';
import { buildDemoClinic, DEMO_TIMEZONE, seededRandom } from '#seed/demo-clinic';
import { auc, bandOf, trainNoShowModel } from './model.js';

/**
 * The demo clinic's history is generated with no-show patterns the model is not
 * told (seed/demo-clinic.ts, noShowChance). Trained on its older visits, the
 * model must rank the newest, held-out quarter better than a base-rate
 * predictor, which ranks every visit alike (AUC 0.5), and predict them better
 * than the base rate does (Brier score).
 */
describe('the no-show model on the demo clinic', () => {
  it('beats the base rate on held-out visits (fixed seed)', () => {
    const today = new Date('2026-11-30T17:00:00.000Z');
    const clinic = buildDemoClinic({ today, random: seededRandom(7) });
    const model = trainNoShowModel(clinic.appointments, DEMO_TIMEZONE, today);
    expect(model).not.toBeNull();
    const { quality } = model!;
    // eslint-disable-next-line no-console -- printed on purpose: the README quotes this line.
    console.info(
      `no-show model, seed 7: AUC ${quality.auc!.toFixed(3)} on ${quality.testCount} held-out visits ` +
        `(base rate ${(quality.baseRate * 100).toFixed(1)}%, base-rate AUC 0.5); ` +
        `Brier ${quality.brier.toFixed(4)} vs base rate ${quality.baseBrier.toFixed(4)}`,
    );
    expect(quality.testCount).toBeGreaterThan(150);
    expect(quality.baseRate).toBeGreaterThan(0.05);
    expect(quality.auc!).toBeGreaterThan(0.65);
    expect(quality.brier).toBeLessThan(quality.baseBrier);
    // Calibrated enough that the riskiest fifth holds more no-shows than the safest fifth.
    expect(quality.calibration.at(-1)!.observed).toBeGreaterThan(quality.calibration[0]!.observed);
  });

  it('ranks by the rank-sum AUC and names a band staff can read', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auc([0.2, 0.2], [0, 1])).toBe(0.5);
    expect([0.05, 0.15, 0.3].map(bandOf)).toEqual(['low', 'medium', 'high']);
  });
});
