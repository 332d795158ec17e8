/**
 * `export-windows`: every labelled window of a candle series, encoded by a model kind exactly as the
 * app encodes it live, written for training elsewhere (PyTorch): the inputs, direction labels, window
 * times and the walk-forward split (with its embargo) as NumPy arrays, and the encoding spec that
 * `import-model` takes back with the trained weights. A FinancialCNN's channels are normalized with
 * statistics fitted on the training part only, as `train` does, and the spec carries them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import { intervalMs } from '../../src-shared/domain/intervals';
import { SIGNAL_CLASSES } from '../../src-shared/domain/signal';
import { buildEncodedDataset, pickRows } from '../features/dataset';
import { fitNormalization, normalizeInPlace } from '../features/windows';
import { MODEL_KIND_TABLE, windowEncoder } from '../model/kinds';
import type { EncodingSpec } from '../model/kinds/kind';
import { TrainSettingsSchema } from '../training/job';
import { walkForwardSplit } from '../training/split';
import { parse, streamOptions, UsageError } from './args';
import { parseKind, positiveInt, readCandles } from './model-args';
import { npyBytes } from './npy';

/** The split's parts as `split.npy` numbers them. */
const PARTS = ['train', 'validation', 'test'] as const;

export function commandExportWindows(args: string[]): void {
  const { values } = parse(args, {
    ...streamOptions,
    csv: { type: 'string' },
    out: { type: 'string' },
    kind: { type: 'string' },
    series: { type: 'string' },
    window: { type: 'string' },
    horizon: { type: 'string' },
    stride: { type: 'string' },
  });
  if (values.out === undefined) throw new UsageError('export-windows needs --out DIR');
  const { kind: kindName, series } = parseKind(values);
  const { candles, interval, source } = readCandles(values);
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const kind = MODEL_KIND_TABLE[kindName];
  const windowLength = positiveInt('window', values.window, kind.trainingDefaults.windowLength);
  const labels = { ...DEFAULT_LABEL_SPEC, horizon: positiveInt('horizon', values.horizon, DEFAULT_LABEL_SPEC.horizon) };
  const { spec, features } = kind.trainingPipeline(
    { sequence_length: windowLength, num_classes: SIGNAL_CLASSES.length, convs: kind.trainingDefaults.convs, batchnorm_eps: 1e-5 },
    { features: { ...DEFAULT_FEATURE_SPEC, windowLength }, ...(series === undefined ? {} : { series }) },
  );
  const stepMs = intervalMs(interval);
  const encoder = windowEncoder({ spec, features, normalization: null }, stepMs);
  const { inputs, samples } = buildEncodedDataset(candles, stepMs, encoder, labels, positiveInt('stride', values.stride, 1));
  const fractions = TrainSettingsSchema.parse({});
  const split = walkForwardSplit(
    samples,
    { train: fractions.trainFraction, validation: fractions.validationFraction },
    labels.horizon * stepMs,
  );
  const C = spec.input_channels;
  const normalization = kind.fitsNormalization ? fitNormalization(pickRows(inputs, encoder.rowSize, split.train), C) : null;
  if (normalization !== null) normalizeInPlace(inputs, normalization);

  // Position-major [N, P, C] → PyTorch's channels-first [N, C, P].
  const N = samples.length;
  const P = encoder.rowSize / C;
  const channelsFirst = new Float32Array(inputs.length);
  for (let n = 0; n < N; n++)
    for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) channelsFirst[(n * C + c) * P + p] = inputs[(n * P + p) * C + c] ?? NaN;
  const part = new BigInt64Array(N).fill(-1n);
  PARTS.forEach((name, k) => split[name].forEach((i) => (part[i] = BigInt(k))));

  const encoding: EncodingSpec = {
    kind: kindName,
    interval,
    windowLength,
    ...(spec.series === undefined ? {} : { series: spec.series }),
    ...(features === null ? {} : { features }),
    ...(normalization === null ? {} : { normalization }),
    labels,
  };
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'inputs.npy'), npyBytes(channelsFirst, [N, C, P]));
  writeFileSync(
    join(values.out, 'labels.npy'),
    npyBytes(
      BigInt64Array.from(samples, (s) => BigInt(s.label)),
      [N],
    ),
  );
  writeFileSync(
    join(values.out, 'window_ends.npy'),
    npyBytes(
      BigInt64Array.from(samples, (s) => BigInt(s.windowTo)),
      [N],
    ),
  );
  writeFileSync(join(values.out, 'split.npy'), npyBytes(part, [N]));
  writeFileSync(join(values.out, 'encoding.json'), `${JSON.stringify(encoding, null, 1)}\n`);
  const counts = Object.fromEntries(PARTS.map((name) => [name, split[name].length]));
  console.log(
    JSON.stringify(
      {
        out: values.out,
        source,
        kind: kindName,
        windows: N,
        shape: [N, C, P],
        channels: kind.window({ spec, features, normalization }).channels,
        classes: SIGNAL_CLASSES,
        split: counts,
      },
      null,
      1,
    ),
  );
}
