/**
 * Models of several kinds side by side (../../src-shared/domain/kind-comparison), pure: each model's
 * evaluation report (direction, forecast heads, trust) read into one row, and the sentences that
 * say plainly which model does not beat the reference 1-D model or a baseline.
 */
import { directionVerdict, EvaluationReportSchema, type EvaluationReport } from '../../src-shared/domain/evaluation';
import type { ComparedModel, KindComparison } from '../../src-shared/domain/kind-comparison';
import type { RiskReport } from '../../src-shared/domain/risk-report';
import type { ModelMetadata } from '../model/model-file';
import { kindOf } from '../model/spec';
import { intervalVerdict, lossVerdict } from './risk-verdict';

/** One model to compare: who it is, and its report on the period compared. */
export interface ComparisonEntry {
  modelVersion: string;
  kind: string;
  windowLength: number;
  report: EvaluationReport;
  latencyMs: number | null;
}

/** The kind the others are judged against when it is among them: today's 1-D FinancialCNN. */
export const REFERENCE_KIND = 'financial-cnn';

function forecastFigures(risk: RiskReport | undefined): Pick<ComparedModel, 'volatility' | 'var' | 'sharp'> {
  const volatility = risk?.volatility;
  const sharp = risk?.sharpMove;
  return {
    volatility:
      volatility?.model === undefined
        ? null
        : {
            qlike: volatility.model.qlike,
            baselines: volatility.baselines.map((b) => ({
              baseline: b.name,
              figure: b.qlike,
              verdict:
                b.dieboldMariano === undefined
                  ? 'cannot tell'
                  : lossVerdict('volatility', b.name, 'QLIKE', volatility.model?.qlike ?? NaN, b.qlike, b.dieboldMariano).verdict,
            })),
          },
    var:
      risk?.var === undefined
        ? null
        : risk.var.flatMap((v) =>
            v.model === undefined
              ? []
              : [
                  {
                    quantile: v.quantile,
                    violationRate: v.model.violationRate,
                    kupiecPValue: v.model.kupiec.pValue,
                    pinball: v.model.pinball,
                    baselines: v.baselines.map((b) => ({
                      baseline: b.name,
                      figure: b.pinball,
                      verdict:
                        b.dieboldMariano === undefined
                          ? 'cannot tell'
                          : lossVerdict('var', b.name, 'pinball loss', v.model?.pinball ?? NaN, b.pinball, b.dieboldMariano).verdict,
                    })),
                  },
                ],
          ),
    sharp:
      sharp?.model === undefined
        ? null
        : {
            auc: sharp.model.auc,
            baselines: sharp.baselines.map((b) => ({
              baseline: b.name,
              figure: b.auc.value,
              verdict: intervalVerdict('sharpMove', b.name, 'ROC AUC', sharp.model?.auc ?? b.auc, b.auc.value).verdict,
            })),
          },
  };
}

function row(entry: ComparisonEntry, reference: ComparisonEntry | undefined): ComparedModel {
  const { report } = entry;
  const gradcam = report.trust?.rows.find((r) => r.method === 'gradcam' && r.head === 'direction');
  return {
    modelVersion: entry.modelVersion,
    kind: entry.kind,
    windowLength: entry.windowLength,
    windows: report.windows,
    period: report.period,
    direction: {
      balancedAccuracy: report.model.balancedAccuracy,
      logLoss: report.model.logLoss,
      vsMajorityClass: directionVerdict(report.model, report.baselines.majorityClass),
      vsLastReturnSign: directionVerdict(report.model, report.baselines.lastReturnSign),
      vsReference: reference === undefined ? null : directionVerdict(report.model, reference.report.model),
    },
    ...forecastFigures(report.risk),
    faithfulness:
      gradcam === undefined
        ? null
        : {
            method: gradcam.method,
            space: report.trust?.space ?? 'inputs',
            windows: gradcam.windows,
            roadCombined: gradcam.roadCombined,
            deletionAuc: gradcam.deletionAuc,
          },
    latencyMs: entry.latencyMs,
  };
}

const f3 = (x: number) => x.toFixed(3);
const space = (removedIn: 'inputs' | 'candles') => (removedIn === 'candles' ? 'candle space' : 'input space');
const interval = (i: { value: number; low: number; high: number }) => `${f3(i.value)} [${f3(i.low)}, ${f3(i.high)}]`;

/** The sentences about one model: against each baseline, then against the reference. */
function sentences(model: ComparedModel, reference: ComparedModel): string[] {
  const name = `${model.kind} ${model.modelVersion}`;
  const ba = interval(model.direction.balancedAccuracy);
  const out: string[] = [];
  const baselines = [
    ['majority-class', model.direction.vsMajorityClass],
    ['last-return-sign', model.direction.vsLastReturnSign],
  ] as const;
  for (const [baseline, verdict] of baselines)
    if (verdict !== 'beats')
      out.push(
        `${name} does NOT beat the ${baseline} baseline on direction (balanced accuracy ${ba}${verdict === 'cannot tell' ? '; the 95% intervals overlap' : ''}).`,
      );
  if (model === reference) return out;
  const against = reference.kind === REFERENCE_KIND ? `the 1-D model ${reference.modelVersion}` : `the reference ${reference.modelVersion}`;
  const figures = `balanced accuracy ${ba} vs ${interval(reference.direction.balancedAccuracy)}`;
  const vs = model.direction.vsReference;
  out.push(
    vs === 'beats'
      ? `${name} beats ${against} on direction: ${figures}.`
      : `${name} does NOT beat ${against} on direction: ${figures}${vs === 'cannot tell' ? '; the 95% intervals overlap' : ''}.`,
  );
  if (model.volatility !== null && reference.volatility !== null) {
    const lower = model.volatility.qlike < reference.volatility.qlike;
    out.push(
      `${name}'s volatility QLIKE is ${f3(model.volatility.qlike)} vs ${f3(reference.volatility.qlike)} for ${against} (lower is better): ${lower ? 'lower' : 'NOT lower'}.`,
    );
  }
  if (model.faithfulness !== null && reference.faithfulness !== null && model.faithfulness.space !== reference.faithfulness.space)
    out.push(
      `${name}'s Grad-CAM faithfulness was measured with its candles removed in ${space(model.faithfulness.space)}, ${against}'s in ${space(reference.faithfulness.space)}: they are not compared (\`compare\` measures both in candle space).`,
    );
  else if (model.faithfulness !== null && reference.faithfulness !== null) {
    const higher = model.faithfulness.roadCombined > reference.faithfulness.roadCombined;
    out.push(
      `${name}'s Grad-CAM ROAD combined score, in ${space(model.faithfulness.space)}, is ${model.faithfulness.roadCombined.toFixed(4)} vs ${reference.faithfulness.roadCombined.toFixed(4)} for ${against} (higher is better): its heatmap is ${higher ? 'more' : 'NOT more'} faithful.`,
    );
  }
  return out;
}

/**
 * The comparison of `entries` (at least one), judged against `referenceVersion`, by default the
 * first 1-D FinancialCNN among them (else the first entry).
 */
export function compareModels(entries: readonly ComparisonEntry[], referenceVersion?: string): KindComparison {
  const reference =
    referenceVersion === undefined
      ? (entries.find((e) => e.kind === REFERENCE_KIND) ?? entries[0])
      : entries.find((e) => e.modelVersion === referenceVersion);
  if (reference === undefined)
    throw new Error(
      referenceVersion === undefined ? 'no model to compare' : `the reference ${referenceVersion} is not among the models compared`,
    );
  const models = entries.map((e) => row(e, e === reference ? undefined : reference));
  const referenceRow = models[entries.indexOf(reference)] as ComparedModel;
  const periods = new Set(models.map((m) => `${m.windows}:${m.period?.from}:${m.period?.to}`));
  const samePeriod = periods.size === 1;
  const verdicts = [
    ...(samePeriod
      ? []
      : [
          "The models were NOT measured on the same test windows (each figure is its model's own test period): run `compare` on one file for a like-for-like table.",
        ]),
    ...(reference.kind === REFERENCE_KIND
      ? []
      : [`No 1-D FinancialCNN is among the models: they are judged against ${reference.modelVersion}.`]),
    ...models.flatMap((m) => sentences(m, referenceRow)),
  ];
  return { reference: reference.modelVersion, samePeriod, models, verdicts };
}

/**
 * The comparison of registered models by the reports saved with them at training (the Models view's):
 * each on its own test period, which `samePeriod` and a sentence say when they differ; an imported
 * model without a report is refused.
 */
export function storedComparison(models: readonly ModelMetadata[]): KindComparison {
  return compareModels(
    models.map((metadata) => {
      const report = EvaluationReportSchema.safeParse((metadata.metrics as { test?: unknown } | null)?.test);
      if (!report.success)
        throw new Error(
          `model ${metadata.version} has no evaluation saved with it (an imported model): compare it with the \`compare\` command`,
        );
      return {
        modelVersion: metadata.version,
        kind: kindOf(metadata.spec),
        windowLength: metadata.spec.sequence_length,
        report: report.data,
        latencyMs: null,
      };
    }),
  );
}

const WORDS = { beats: 'beats', 'does not beat': 'NOT', 'cannot tell': '~' } as const;

/** The comparison as a text table, one row per model, then its sentences (what `compare` prints). */
export function comparisonTable(comparison: KindComparison): string {
  const header = [
    'model',
    'kind',
    'T',
    'windows',
    'bal. acc. [95%]',
    'vs maj.',
    'vs sign',
    'vs 1-D',
    'QLIKE',
    'beats',
    'VaR 1%/5% rate',
    'sharp AUC',
    'ROAD',
    'del. AUC',
    'ms',
  ];
  const rows = comparison.models.map((m) => {
    return [
      m.modelVersion,
      m.kind,
      String(m.windowLength),
      String(m.windows),
      interval(m.direction.balancedAccuracy),
      WORDS[m.direction.vsMajorityClass],
      WORDS[m.direction.vsLastReturnSign],
      m.direction.vsReference === null ? 'ref.' : WORDS[m.direction.vsReference],
      m.volatility === null ? '–' : f3(m.volatility.qlike),
      m.volatility === null
        ? '–'
        : `${m.volatility.baselines.filter((b) => b.verdict === 'beats').length}/${m.volatility.baselines.length}`,
      m.var === null ? '–' : m.var.map((v) => `${(100 * v.violationRate).toFixed(1)}%`).join('/'),
      m.sharp === null ? '–' : interval(m.sharp.auc),
      m.faithfulness === null ? '–' : m.faithfulness.roadCombined.toFixed(4),
      m.faithfulness === null ? '–' : m.faithfulness.deletionAuc.toFixed(4),
      m.latencyMs === null ? '–' : m.latencyMs.toFixed(1),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...rows.map(line),
    '',
    'vs: beats / NOT (does not beat) / ~ (cannot tell: the 95% intervals overlap); beats: the volatility baselines whose QLIKE it beats (Diebold–Mariano);',
    'VaR rate: share of breaks at 1% and 5%; ROAD (higher is better) and deletion AUC (lower is better) of Grad-CAM on the direction head, candles removed in candle space; ms: forward + Grad-CAM at batch 1.',
    '',
    ...comparison.verdicts,
  ].join('\n');
}
