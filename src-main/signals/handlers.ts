/** The bridge's model-side calls: models, stored signals, backtests and training. */
import { EvaluationReportSchema, type EvaluationReport } from '../../src-shared/domain/evaluation';
import { baselinesBeaten } from '../evaluation/baseline-verdict';
import { storedComparison } from '../evaluation/kind-comparison';
import { SIGNAL_CLASSES } from '../../src-shared/domain/signal';
import type { HandlersFor } from '../ipc/dispatch';
import type { ModelRegistry } from '../store/models';
import type { SignalStore } from '../store/signals';
import type { BacktestJobs } from './backtest-jobs';
import type { ModelHost } from './model-host';
import { importModelFiles } from './model-import';
import type { TrainingJobs } from './training-jobs';

/** What an engine with a model runs; undefined when it runs without one. */
export interface ModelSide {
  host: ModelHost;
  backtests: BacktestJobs;
  trainings: TrainingJobs;
  /** Where trained and imported models are saved. */
  modelsDir: string;
}

function required(model: ModelSide | undefined): ModelSide {
  if (model === undefined) throw new Error('this engine runs without a model');
  return model;
}

/** A registered model's evaluation on its test period; null when it has none (an imported model). */
function testReport(metadata: { metrics?: unknown }): EvaluationReport | null {
  const report = EvaluationReportSchema.safeParse((metadata.metrics as { test?: unknown } | null | undefined)?.test);
  return report.success ? report.data : null;
}

export function modelHandlers(model: ModelSide | undefined, registry: ModelRegistry): HandlersFor<'model' | 'models'> {
  return {
    'model.info': () => model?.host.info() ?? { status: 'failed', backend: null, error: 'this engine runs without a model', model: null },
    'models.list': () => {
      const active = model?.host.info().model?.version;
      return registry.list().map((m) => {
        const report = testReport(m.metadata);
        return {
          version: m.version,
          path: m.path,
          createdAt: m.createdAt,
          architecture: m.metadata.architecture,
          active: m.version === active,
          testBalancedAccuracy: report?.model.balancedAccuracy.value ?? null,
          baselinesBeaten: report === null ? null : baselinesBeaten(report),
        };
      });
    },
    'models.report': ({ version }) => {
      const entry = registry.get(version);
      if (entry === undefined) throw new Error(`no registered model ${version}`);
      return { version, report: testReport(entry.metadata) };
    },
    'models.compare': ({ versions }) =>
      storedComparison(
        versions.map((version) => {
          const entry = registry.get(version);
          if (entry === undefined) throw new Error(`no registered model ${version}`);
          return entry.metadata;
        }),
      ),
    'models.use': async ({ version: wanted }) => {
      const entry = registry.get(wanted);
      if (entry === undefined) throw new Error(`no registered model ${wanted}`);
      const { host } = required(model);
      await host.useModel(entry.path);
      return host.info();
    },
    'models.import': async ({ name, model: file, encoding }) => {
      const side = required(model);
      const imported = await importModelFiles(
        { name, model: { text: file.text, source: file.fileName }, encoding },
        { modelsDir: side.modelsDir, registry, check: (dir) => side.host.worker.check(dir), now: Date.now() },
      );
      return { version: imported.version, architecture: imported.architecture };
    },
  };
}

export function signalHandlers(model: ModelSide | undefined, signals: SignalStore): HandlersFor<'signals'> {
  return {
    'signals.list': ({ from, to, limit, ...key }) => signals.list(key, from, to, limit),
    'signals.explain': ({ id, method, layer, target }) =>
      required(model).host.explainStored(id, method, { layer, target: target === undefined ? undefined : SIGNAL_CLASSES.indexOf(target) }),
    'signals.modelView': ({ id, window, method, layer, head, target }) => {
      const { host } = required(model);
      // The request's checks leave exactly one of id and window, and a window its method.
      if (window === undefined || method === undefined) return host.viewStored(id ?? 0, method, { layer, head, target });
      const { candleStart, modelVersion, forming, ...key } = window;
      return host.viewWindow(key, candleStart, method, { layer, head, target, modelVersion, forming });
    },
  };
}

export function forecastHandlers(model: ModelSide | undefined, signals: SignalStore): HandlersFor<'forecasts'> {
  return {
    'forecasts.explain': ({ id, head, target, method, layer }) => {
      const stored = signals.get(id);
      if (stored === undefined) throw new Error(`no signal ${id}`);
      if (stored.forecasts === undefined)
        throw new Error(`signal ${id} has no forecasts: model ${stored.modelVersion} has no forecast head`);
      return required(model).host.explainStored(id, method ?? stored.method, { layer, head, target: target ?? 0 });
    },
  };
}

export function backtestHandlers(model: ModelSide | undefined): HandlersFor<'backtest'> {
  return {
    'backtest.run': ({ runId, from, to, modelVersion, rules, ...key }) =>
      required(model).backtests.run(key, { runId, from, to, modelVersion, rules }),
    'backtest.cancel': async ({ runId }) => ({ cancelled: await required(model).backtests.cancel(runId) }),
  };
}

export function trainingHandlers(model: ModelSide | undefined): HandlersFor<'training'> {
  return {
    'training.start': ({ epochs, stride, ...key }) => ({ trainingId: required(model).trainings.start(key, { epochs, stride }) }),
    'training.cancel': async ({ trainingId }) => ({ cancelled: await required(model).trainings.cancel(trainingId) }),
  };
}
