import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EvaluationReportSchema, type EvaluationReport } from '../../src-shared/domain/evaluation';
import { TRUST_METHODS } from '../../src-shared/domain/trust-report';
import { ROOT, runCli, SHARED_GOLDEN, sharedCsvHead, tempDir } from '../helpers';

const dir = tempDir();
const csv = join(dir, 'eth.csv');
let modelDir = '';
const bundledModel = join(ROOT, 'resources', 'models', readdirSync(join(ROOT, 'resources', 'models'))[0] ?? '');

/** `train` on the file's 900 candles: one epoch, every third 30-step window. */
function trainTiny(options: string[]): ReturnType<typeof runCli> {
  return runCli(['train', '--csv', csv, '--out', join(dir, 'models'), '--epochs', '1', '--stride', '3', '--window', '30', ...options]);
}

beforeAll(() => {
  writeFileSync(csv, sharedCsvHead('bybit_ETHUSDT_1m.csv', 900));
  // Any architecture: a 30-step window and two small conv blocks.
  const trained = trainTiny(['--convs', '8:3,8:5']);
  expect(trained.status, trained.stderr).toBe(0);
  expect(trained.stderr).toMatch(/epoch 1\/1: train loss/);
  modelDir = (JSON.parse(trained.stdout) as { dir: string }).dir;
}, 120_000);

describe('model commands', () => {
  it('parity passes on the golden reference and fails past the tolerances', () => {
    const ok = runCli(['parity', SHARED_GOLDEN]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^wasm: 8 cases.*PASS$/m);
    expect(ok.stdout).toMatch(/^cpu: 8 cases.*PASS$/m);
    const bad = join(dir, 'golden-bad');
    mkdirSync(bad);
    copyFileSync(join(SHARED_GOLDEN, 'model.json'), join(bad, 'model.json'));
    const cases = JSON.parse(readFileSync(join(SHARED_GOLDEN, 'cases.json'), 'utf8')) as { logits: number[][] };
    (cases.logits[0] as number[])[0] = ((cases.logits[0] as number[])[0] ?? 0) + 0.01;
    writeFileSync(join(bad, 'cases.json'), JSON.stringify(cases));
    const failed = runCli(['parity', bad, '--backend', 'cpu']);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/logits 1\.00e-2 .*FAIL/);
  });

  it('evaluate prints the report with baselines, intervals, faithfulness and a plain verdict', () => {
    const result = runCli(['evaluate', '--model', modelDir, '--csv', csv]);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { windows: number; baselines: object; model: object; faithfulness: object };
    expect(report).toMatchObject({ windows: 900 - 100 - 30 - 15 + 1 });
    expect(Object.keys(report.baselines)).toEqual(['majorityClass', 'lastReturnSign']);
    expect(report.model).toHaveProperty('balancedAccuracy.low');
    expect(report.faithfulness).toHaveProperty('ratio');
    expect(result.stderr).toMatch(/baseline/);
    // A direction-only model has no forecast heads to judge.
    expect(report).not.toHaveProperty('risk');
    // The trust report: every method on the direction head, over the test period's windows, and the default chosen by ROAD.
    const { trust } = EvaluationReportSchema.parse(report);
    expect(trust?.rows.map((r) => `${r.head} ${r.method}`)).toEqual(TRUST_METHODS.map((m) => `direction ${m}`));
    expect(trust?.rows.every((r) => r.windows === trust.windows && r.curves.morf.length === 9 && r.randomization.length === 3)).toBe(true);
    expect(result.stderr).toContain(trust?.defaultMethod.why);
  });

  it("evaluate judges a multi-head model's forecasts on the file's test period against the risk baselines", () => {
    // 900 candles leave no sharp move in the test period: the model is saved all the same, and its report says why the heads were not judged.
    const short = trainTiny(['--convs', '8:3', '--heads', 'direction,volatility,var,sharp']);
    expect(short.status, short.stderr).toBe(0);
    const shortReport = (JSON.parse(short.stdout) as { test: EvaluationReport }).test;
    expect(shortReport.risk).toBeUndefined();
    expect(shortReport.verdict.at(-1)).toMatch(/forecast heads could not be judged on this test period: ROC AUC needs both outcomes/);
    // Enough candles for sharp moves in the test period (its AUC needs both outcomes).
    const longer = join(dir, 'eth-1500.csv');
    writeFileSync(longer, sharedCsvHead('bybit_ETHUSDT_1m.csv', 1500));
    const trained = runCli(
      ['train', '--csv', longer, '--out', join(dir, 'models'), '--epochs', '1', '--stride', '2', '--window', '30', '--convs', '8:3'].concat(
        ['--heads', 'direction,volatility,var,sharp'],
      ),
    );
    expect(trained.status, trained.stderr).toBe(0);
    const heads = JSON.parse(trained.stdout) as { dir: string; test: EvaluationReport };
    expect(heads.test.risk?.volatility?.model).toBeDefined();
    // Few windows for the trust report: every head × method is measured on each.
    const result = runCli(['evaluate', '--model', heads.dir, '--csv', longer, '--trust-windows', '16']);
    expect(result.status, result.stderr).toBe(0);
    const { risk } = EvaluationReportSchema.parse(JSON.parse(result.stdout));
    expect(risk?.var?.map((v) => v.model?.violationRate)).toEqual([expect.any(Number), expect.any(Number)]);
    // Each counted break with its time, for the Models view's violations over time.
    for (const level of risk?.var ?? []) expect(level.model?.violationTimes).toHaveLength(level.model?.violations ?? -1);
    expect(risk?.sharpMove?.model?.auc).toHaveProperty('low');
    expect(risk?.volatility?.baselines.every((b) => b.dieboldMariano !== undefined)).toBe(true);
    // The test period comes after the baselines' training period; the verdicts reach stderr too.
    expect(risk?.test.from).toBeGreaterThan(risk?.training.to ?? Infinity);
    for (const verdict of risk?.verdicts ?? []) expect(result.stderr).toContain(verdict.sentence);
    expect(risk?.verdicts.length).toBeGreaterThan(0);
    // Every head's explanations are measured too.
    const { trust } = EvaluationReportSchema.parse(JSON.parse(result.stdout));
    expect(new Set(trust?.rows.map((r) => r.head))).toEqual(new Set(['direction', 'volatility', 'var', 'sharp']));
    expect(trust?.rows.length).toBe(4 * TRUST_METHODS.length);
    // Three trainings and an evaluation: more than the default 30 s on two busy cores.
  }, 120_000);

  it('explain prints one explained window with any method', () => {
    const at = sharedCsvHead('bybit_ETHUSDT_1m.csv', 500).trim().split('\n').at(-1)?.split(',')[0] ?? '';
    const result = runCli(['explain', '--model', modelDir, '--csv', csv, '--at', at, '--method', 'gradcampp', '--target', 'buy']);
    expect(result.status, result.stderr).toBe(0);
    const signal = JSON.parse(result.stdout) as { cam: number[]; windowStarts: number[]; target: string; features: unknown[] };
    expect(signal.cam.length).toBe(30);
    expect(signal.windowStarts.at(-1)).toBe(Number(at));
    expect(signal.target).toBe('buy');
    expect(signal.features.length).toBe(9);
  });

  it('train takes forecast heads with their loss weights and sharp-move k, and explain explains any head', () => {
    const trained = trainTiny([
      ...['--name', 'heads', '--convs', '8:3'],
      ...['--heads', 'direction,volatility,var,sharp', '--sharp-k', '2.5', '--loss-weights', 'volatility=0.5,var=2'],
    ]);
    expect(trained.status, trained.stderr).toBe(0);
    const { dir: headsDir } = JSON.parse(trained.stdout) as { dir: string };
    const spec = (JSON.parse(readFileSync(join(headsDir, 'model.json'), 'utf8')) as { spec: { heads: object } }).spec;
    // Training anchors the volatility head on the close-return channel (3) and puts the VaR in its units.
    expect(spec.heads).toEqual({
      direction: { loss_weight: 1 },
      volatility: {
        loss_weight: 0.5,
        loss: 'qlike',
        anchor: { channel: 3, mean: expect.any(Number) as number, std: expect.any(Number) as number },
      },
      var: { loss_weight: 2, quantiles: [0.01, 0.05], scale: 1, per_volatility: true },
      sharp: { loss_weight: 1, k: 2.5 },
    });
    const at = sharedCsvHead('bybit_ETHUSDT_1m.csv', 500).trim().split('\n').at(-1)?.split(',')[0] ?? '';
    const result = runCli(['explain', '--model', headsDir, '--csv', csv, '--at', at, '--target-head', 'var', '--target', '0.05']);
    expect(result.status, result.stderr).toBe(0);
    const explained = JSON.parse(result.stdout) as {
      targetHead: string;
      target: number;
      cam: number[];
      forecasts: Record<string, unknown>;
    };
    expect(explained).toMatchObject({ targetHead: 'var', target: 1 });
    expect(explained.cam.length).toBe(30);
    expect(Object.keys(explained.forecasts).sort()).toEqual(['sharpMove', 'var', 'var01', 'var05', 'volatility']);
  });

  it('refuses a head the model lacks, a bad VaR quantile and a horizon past the data', () => {
    const at = sharedCsvHead('bybit_ETHUSDT_1m.csv', 500).trim().split('\n').at(-1)?.split(',')[0] ?? '';
    const missing = runCli(['explain', '--model', modelDir, '--csv', csv, '--at', at, '--target-head', 'volatility']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/the model has no volatility head \(it has: direction\)/);
    const quantile = runCli(['train', '--csv', csv, '--out', join(dir, 'none'), '--heads', 'direction,var', '--var-quantiles', '0.01,0.5']);
    expect(quantile.stderr).toMatch(/a VaR quantile must lie strictly between 0 and 0.5/);
    const horizon = runCli(['train', '--csv', csv, '--out', join(dir, 'none'), '--horizon', '900', '--window', '30']);
    expect(horizon.stderr).toMatch(/the horizon of 900 candles is longer than the data allows/);
    expect(() => readdirSync(join(dir, 'none'))).toThrow(/ENOENT/);
  });

  it('refuses bad input with a clear error', () => {
    const early = sharedCsvHead('bybit_ETHUSDT_1m.csv', 50).trim().split('\n').at(-1)?.split(',')[0] ?? '';
    expect(runCli(['explain', '--model', modelDir, '--csv', csv, '--at', early]).stderr).toMatch(/needs 130 candles up to it/);
    expect(runCli(['explain', '--model', modelDir, '--csv', csv, '--at', '123']).stderr).toMatch(/no candle starting at 123/);
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, sharedCsvHead('bybit_ETHUSDT_1m.csv', 300).replace(/\n(\d+),[^\n]*\n/, '\n$1,1,2,x,1,1\n'));
    const badRow = runCli(['evaluate', '--model', modelDir, '--csv', broken]);
    expect(badRow.status).toBe(1);
    expect(badRow.stderr).toMatch(/broken\.csv: line 2: low "x" is not a finite number/);
    expect(runCli(['evaluate', '--model', join(SHARED_GOLDEN, 'model.json'), '--csv', csv]).stderr).toMatch(/no feature pipeline/);
    expect(runCli(['evaluate', '--model', join(dir, 'none'), '--csv', csv]).stderr).toMatch(/model not found/);
  }, 120_000); // five CLI runs, each starting Node and tfjs

  it('refuses a model whose outputs overflow (every weight 3e38) on explain, evaluate and backtest, printing no null', () => {
    // The bundled model with every weight 3e38: finite weights whose arithmetic overflows float32
    // (on cpu the logits are NaN; the old CLIs printed probabilities [null, null, null] and exited 0).
    const huge = join(dir, 'huge-model');
    cpSync(bundledModel, huge, { recursive: true });
    const bytes = readFileSync(join(huge, 'weights.bin')).byteLength;
    writeFileSync(join(huge, 'weights.bin'), new Uint8Array(new Float32Array(bytes / 4).fill(3e38).buffer));
    const at = sharedCsvHead('bybit_ETHUSDT_1m.csv', 500).trim().split('\n').at(-1)?.split(',')[0] ?? '';
    for (const args of [
      ['explain', '--model', huge, '--csv', csv, '--at', at],
      ['evaluate', '--model', huge, '--csv', csv],
      ['backtest', '--model', huge, '--csv', csv, '--threads', '1'],
    ]) {
      const result = runCli([...args, '--backend', 'cpu']);
      expect(result.stderr, args[0]).toMatch(
        /the model's output is not finite \([a-zA-Z ]+ holds (NaN|-?Infinity) at \d+\): its weights overflow float32 arithmetic/,
      );
      expect(result.status, args[0]).toBe(1);
      expect(result.stdout, args[0]).not.toMatch(/null/);
    }
  }, 120_000);

  it('refuses a model whose weights are a FIFO at once (explain blocked on it for ever)', () => {
    const fifoModel = join(dir, 'fifo-model');
    cpSync(modelDir, fifoModel, { recursive: true });
    const json = JSON.parse(readFileSync(join(fifoModel, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    (json.weightsManifest[0] as { paths: string[] }).paths = ['weights.fifo'];
    writeFileSync(join(fifoModel, 'model.json'), JSON.stringify(json));
    execFileSync('mkfifo', [join(fifoModel, 'weights.fifo')]);
    // The timeout only turns the old hang into a failure.
    const result = runCli(['explain', '--model', fifoModel, '--csv', csv, '--at', '0'], 60_000);
    expect(result.stderr).toMatch(/weights\.fifo is a FIFO, not a regular file/);
    expect(result.status).toBe(1);
  }, 90_000);
});
