/**
 * The FinancialCNN's architecture and weights as plain data: the PyTorch JSON format of
 * ../shared/golden (state_dict names, row-major data, conv weights [out, in, k]) is also our
 * in-memory form, so a model trained elsewhere and one trained here go through one code path.
 * Pure: zod only.
 */
import { z } from 'zod';
import { headLayout, HeadsSpec } from './heads';

export const ConvBlockSpec = z.object({
  filters: z.number().int().min(1).max(4096),
  kernel_size: z.number().int().min(1).max(63),
  padding: z.number().int().min(0),
});

/**
 * The model kinds (./kinds): how a window of candles becomes the network's input and how a CAM over
 * that input maps back to candles. Absent in a spec: the 1-D FinancialCNN, as every model before them.
 */
export const MODEL_KINDS = ['financial-cnn', 'gaf-cnn', 'image-cnn', 'cnn-lstm'] as const;
export type ModelKindName = (typeof MODEL_KINDS)[number];

/** The candle series a Gramian angular field can be made of (`gaf-cnn`). */
export const GAF_SERIES = ['open', 'high', 'low', 'close', 'volume'] as const;
export type GafSeries = (typeof GAF_SERIES)[number];

/** Each kind's name in the PyTorch export's `architecture` field and in a model folder's metadata. */
export const ARCHITECTURES = {
  'financial-cnn': 'FinancialCNN',
  'gaf-cnn': 'GafCNN',
  'image-cnn': 'ImageCNN',
  'cnn-lstm': 'CnnLSTM',
} as const satisfies Record<ModelKindName, string>;

/** Image kinds convolve 2-D (weights [out, in, k, k]); the FinancialCNN 1-D over time ([out, in, k]). */
const SPATIAL_DIMS: Record<ModelKindName, 1 | 2> = { 'financial-cnn': 1, 'gaf-cnn': 2, 'image-cnn': 2, 'cnn-lstm': 2 };

/** A cnn-lstm's LSTM over the last `sequence_length` input positions (one step per candle), beside the conv trunk. */
export const LstmBranchSpec = z.strictObject({ hidden: z.number().int().min(1).max(4096) });

export const ModelSpecSchema = z
  .object({
    kind: z.enum(MODEL_KINDS).optional(),
    /** `gaf-cnn`: the series imaged, each as a GASF and a GADF channel (default the closes). */
    series: z.array(z.enum(GAF_SERIES)).min(1).max(GAF_SERIES.length).optional(),
    input_channels: z.number().int().min(1).max(256),
    sequence_length: z.number().int().min(1).max(10_000),
    num_classes: z.number().int().min(2).max(64),
    convs: z.array(ConvBlockSpec).min(1).max(16),
    batchnorm_eps: z.number().positive().default(1e-5),
    /** `cnn-lstm`: its LSTM branch, whose last hidden state the heads read beside the pooled trunk. */
    lstm: LstmBranchSpec.optional(),
    /** Absent: the direction head only (`fc.*`), as every model before the forecast heads. */
    heads: HeadsSpec.optional(),
  })
  .refine((s) => s.convs.every((c) => c.padding * 2 === c.kernel_size - 1), {
    message: 'every conv block must keep the time length: padding = (kernel_size - 1) / 2 with an odd kernel_size',
  })
  .refine((s) => s.kind === 'gaf-cnn' || s.series === undefined, { message: 'only a gaf-cnn images series (drop "series")' })
  .refine((s) => s.kind !== 'gaf-cnn' || s.input_channels === 2 * (s.series?.length ?? 1), {
    message: 'a gaf-cnn has two input channels (GASF, GADF) per imaged series',
  })
  .refine((s) => s.kind !== 'image-cnn' || s.input_channels === 1, { message: 'an image-cnn reads one channel: its chart' })
  .refine((s) => (s.kind === 'cnn-lstm') === (s.lstm !== undefined), {
    message: 'a cnn-lstm, and only it, has an "lstm" branch ({"hidden": H})',
  })
  .refine((s) => s.kind !== 'cnn-lstm' || s.input_channels === 1, {
    message: 'a cnn-lstm reads one channel: its chart, then one value per candle for its LSTM',
  })
  .refine((s) => (s.heads?.volatility?.anchor?.channel ?? 0) < s.input_channels, {
    message: "the volatility head's anchor must name one of the input channels",
  });
export type ModelSpec = z.output<typeof ModelSpecSchema>;

export function kindOf(spec: Pick<ModelSpec, 'kind'>): ModelKindName {
  return spec.kind ?? 'financial-cnn';
}

/** The series a gaf-cnn images, in channel order (GASF then GADF of each). */
export function gafSeries(spec: Pick<ModelSpec, 'series'>): GafSeries[] {
  return spec.series ?? ['close'];
}

/**
 * Input positions a recurrent branch reads, the window's last: a cnn-lstm's T LSTM steps (its conv
 * trunk reads the positions before them); 0 for every other kind.
 */
export function recurrentSteps(spec: Pick<ModelSpec, 'lstm' | 'sequence_length'>): number {
  return spec.lstm === undefined ? 0 : spec.sequence_length;
}

/** One LSTM layer's weights in PyTorch's names and shapes (gates stacked: 4H rows), `features` inputs, `hidden` units. */
export function lstmLayerWeights(features: number, hidden: number): { name: string; shape: number[] }[] {
  return [
    { name: 'lstm.weight_ih_l0', shape: [4 * hidden, features] },
    { name: 'lstm.weight_hh_l0', shape: [4 * hidden, hidden] },
    { name: 'lstm.bias_ih_l0', shape: [4 * hidden] },
    { name: 'lstm.bias_hh_l0', shape: [4 * hidden] },
  ];
}

/** The seed's FinancialCNN over our nine feature channels. */
export function defaultModelSpec(inputChannels: number, sequenceLength: number): ModelSpec {
  return {
    input_channels: inputChannels,
    sequence_length: sequenceLength,
    num_classes: 3,
    convs: [
      { filters: 32, kernel_size: 5, padding: 2 },
      { filters: 64, kernel_size: 5, padding: 2 },
      { filters: 128, kernel_size: 3, padding: 1 },
    ],
    batchnorm_eps: 1e-5,
  };
}

/** Named weights in PyTorch layout. */
export type StateDict = Map<string, { shape: number[]; data: Float32Array }>;

/** Every weight the spec needs, with its PyTorch name and shape, in a fixed order. */
export function expectedWeights(spec: ModelSpec): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  let inChannels = spec.input_channels;
  const kernel = (k: number) => Array.from({ length: SPATIAL_DIMS[kindOf(spec)] }, () => k);
  spec.convs.forEach((conv, i) => {
    out.push({ name: `convs.${i}.weight`, shape: [conv.filters, inChannels, ...kernel(conv.kernel_size)] });
    out.push({ name: `convs.${i}.bias`, shape: [conv.filters] });
    for (const part of ['weight', 'bias', 'running_mean', 'running_var']) out.push({ name: `bns.${i}.${part}`, shape: [conv.filters] });
    inChannels = conv.filters;
  });
  // The heads read the pooled trunk, then a cnn-lstm's last hidden state.
  if (spec.lstm !== undefined) {
    out.push(...lstmLayerWeights(spec.input_channels, spec.lstm.hidden));
    inChannels += spec.lstm.hidden;
  }
  for (const head of headLayout(spec)) {
    const prefix = head.name === 'direction' ? 'fc' : `heads.${head.name}`;
    out.push({ name: `${prefix}.weight`, shape: [head.size, inChannels] });
    out.push({ name: `${prefix}.bias`, shape: [head.size] });
  }
  return out;
}

export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

/**
 * Checks that `weights` hold exactly the `expected` names, each of its shape with finite values;
 * `missing` words the error for an absent weight. Throws ModelFormatError on any mismatch.
 */
export function checkWeights(
  expected: readonly { name: string; shape: number[] }[],
  weights: StateDict,
  missing: (name: string) => string = (name) => `missing weight ${name}`,
): void {
  for (const { name, shape } of expected) {
    const w = weights.get(name);
    if (w === undefined) throw new ModelFormatError(missing(name));
    if (w.shape.join('x') !== shape.join('x')) {
      throw new ModelFormatError(`weight ${name} has shape [${w.shape.join(', ')}], the spec needs [${shape.join(', ')}]`);
    }
    if (w.data.length !== shape.reduce((a, b) => a * b, 1))
      throw new ModelFormatError(`weight ${name} has ${w.data.length} values for shape [${shape.join(', ')}]`);
    if (!w.data.every(Number.isFinite)) throw new ModelFormatError(`weight ${name} holds a non-finite value`);
  }
  const extra = [...weights.keys()].filter((k) => !expected.some((e) => e.name === k));
  if (extra.length > 0) throw new ModelFormatError(`unexpected weights: ${extra.slice(0, 5).join(', ')}`);
}

/** Checks that the weights match the spec exactly (names, shapes, finite values). */
export function checkStateDict(spec: ModelSpec, weights: StateDict): void {
  checkWeights(expectedWeights(spec), weights, (name) => {
    const head = name.startsWith('heads.') ? name.split('.')[1] : name.startsWith('fc.') ? 'direction' : undefined;
    return head === undefined ? `missing weight ${name}` : `the spec asks for the ${head} head, but the weights lack ${name}`;
  });
  for (let i = 0; i < spec.convs.length; i++) {
    if (!(weights.get(`bns.${i}.running_var`)?.data ?? []).every((v) => v >= 0))
      throw new ModelFormatError(`bns.${i}.running_var has a negative value`);
  }
}

/** Any number, ±Infinity (JSON's 1e999) included: checkStateDict names the weight that holds it. */
const WeightValue = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });
const TensorJson = z.object({ shape: z.array(z.number().int().nonnegative()), data: z.array(WeightValue) });

/** The golden / PyTorch export: the spec's fields beside a state_dict. */
export const PytorchModelJson = z.object({
  /** Absent: the FinancialCNN, as the first golden files. */
  architecture: z.enum(Object.values(ARCHITECTURES)).optional(),
  series: z.unknown().optional(),
  input_channels: z.number(),
  sequence_length: z.number(),
  num_classes: z.number(),
  convs: z.array(ConvBlockSpec),
  batchnorm_eps: z.number().optional(),
  heads: z.unknown().optional(),
  lstm: z.unknown().optional(),
  layout: z.string().optional(),
  state_dict: z.record(z.string(), TensorJson),
});

/** Parses a PyTorch-format model (the golden README's format); throws ModelFormatError on any mismatch. */
export function parsePytorchModel(json: unknown): { spec: ModelSpec; weights: StateDict } {
  const parsed = PytorchModelJson.safeParse(json);
  if (!parsed.success) throw new ModelFormatError(`not a PyTorch-format model file: ${z.prettifyError(parsed.error)}`);
  if (parsed.data.layout !== undefined && !parsed.data.layout.startsWith('channels_first')) {
    throw new ModelFormatError(`unsupported layout "${parsed.data.layout}"`);
  }
  const kind = MODEL_KINDS.find((k) => ARCHITECTURES[k] === parsed.data.architecture) ?? 'financial-cnn';
  const spec = ModelSpecSchema.safeParse(kind === 'financial-cnn' ? parsed.data : { ...parsed.data, kind });
  if (!spec.success) throw new ModelFormatError(`bad model spec: ${z.prettifyError(spec.error)}`);
  const weights: StateDict = new Map(
    Object.entries(parsed.data.state_dict).map(([name, t]) => [name, { shape: t.shape, data: Float32Array.from(t.data) }]),
  );
  checkStateDict(spec.data, weights);
  return { spec: spec.data, weights };
}
