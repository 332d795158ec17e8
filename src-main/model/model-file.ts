/**
 * Saved models: a folder with `model.json` (tfjs's weightsManifest beside our metadata: spec,
 * features, normalization, data range, training settings, metrics) and `weights.bin` (float32,
 * little-endian, in manifest order: tfjs's weight format). A PyTorch-format JSON file (the golden
 * format) is read too. Every file is checked completely before anything uses it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { FeatureSpecSchema, LabelSpecSchema, NormalizationSchema } from '../../src-shared/domain/feature-spec';
import { readModelFolderFile } from './folder-file';
import {
  ARCHITECTURES,
  checkStateDict,
  expectedWeights,
  kindOf,
  ModelFormatError,
  ModelSpecSchema,
  parsePytorchModel,
  type StateDict,
} from './spec';

export const MODEL_FORMAT = 'candle-lens-model';

export const ModelMetadataSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(1),
  /** Unique name of this trained model; signals record it. */
  version: z.string().regex(/^[\w.-]{1,100}$/),
  createdAt: z.number().int(),
  /** The kind's architecture name (./spec's ARCHITECTURES); must match the spec's kind. */
  architecture: z.enum(Object.values(ARCHITECTURES)),
  spec: ModelSpecSchema,
  /** Null for a model imported without a feature pipeline (inputs are given directly). */
  features: FeatureSpecSchema.nullable(),
  normalization: NormalizationSchema.nullable(),
  labels: LabelSpecSchema.nullable(),
  dataRange: z
    .object({ source: z.string(), interval: z.string(), first: z.number().int(), last: z.number().int(), candles: z.number().int() })
    .nullable(),
  training: z.record(z.string(), z.unknown()).nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
});
export type ModelMetadata = z.output<typeof ModelMetadataSchema>;

const WeightsManifest = z
  .array(
    z.object({
      paths: z.array(z.string()).length(1),
      weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32') })),
    }),
  )
  .length(1);

const ModelJson = ModelMetadataSchema.extend({ weightsManifest: WeightsManifest });

export interface LoadedModel {
  metadata: ModelMetadata;
  weights: StateDict;
  /** sha256 of the weights, so two files with the same version but other weights are told apart. */
  weightsHash: string;
}

export function hashWeights(spec: ModelMetadata['spec'], weights: StateDict): string {
  const hash = createHash('sha256');
  for (const { name } of expectedWeights(spec)) {
    const data = weights.get(name)?.data ?? new Float32Array();
    hash.update(name).update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex');
}

/** Writes the model folder atomically (a temporary folder renamed into place). */
export function saveModel(dir: string, metadata: ModelMetadata, weights: StateDict): void {
  const meta = ModelMetadataSchema.parse(metadata);
  checkStateDict(meta.spec, weights);
  const names = expectedWeights(meta.spec);
  const total = names.reduce((n, w) => n + (weights.get(w.name)?.data.length ?? 0), 0);
  const buffer = new Float32Array(total);
  let offset = 0;
  for (const { name } of names) {
    const data = weights.get(name)?.data ?? new Float32Array();
    buffer.set(data, offset);
    offset += data.length;
  }
  const json = { ...meta, weightsManifest: [{ paths: ['weights.bin'], weights: names.map((w) => ({ ...w, dtype: 'float32' as const })) }] };
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'weights.bin'), new Uint8Array(buffer.buffer));
  writeFileSync(join(staging, 'model.json'), `${JSON.stringify(json, null, 1)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}

/**
 * Loads a model folder, its model.json, or a PyTorch-format JSON file (golden format; its metadata
 * then says it has no feature pipeline). Throws ModelFormatError with the reason on any mismatch.
 */
export function loadModel(path: string): LoadedModel {
  if (!existsSync(path)) throw new ModelFormatError(`model not found: ${path}`);
  const file = statSync(path).isDirectory() ? join(path, 'model.json') : path;
  const folder = dirname(file);
  const text = readModelFolderFile(folder, basename(file)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`${file} is not readable JSON: ${(err as Error).message}`);
  }
  if (typeof json === 'object' && json !== null && 'state_dict' in json) {
    const { spec, weights } = parsePytorchModel(json);
    const weightsHash = hashWeights(spec, weights);
    const metadata: ModelMetadata = {
      format: MODEL_FORMAT,
      formatVersion: 1,
      version: `pytorch-${weightsHash.slice(0, 12)}`,
      createdAt: 0,
      architecture: ARCHITECTURES[kindOf(spec)],
      spec,
      features: null,
      normalization: null,
      labels: null,
      dataRange: null,
      training: null,
      metrics: null,
    };
    return { metadata, weights, weightsHash };
  }
  const parsed = ModelJson.safeParse(json);
  if (!parsed.success) throw new ModelFormatError(`${file} is not a Candle Lens model: ${z.prettifyError(parsed.error)}`);
  const { weightsManifest, ...metadata } = parsed.data;
  const manifest = weightsManifest[0];
  const entries = manifest?.weights ?? [];
  const total = entries.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const bytes = readModelFolderFile(folder, manifest?.paths[0] ?? 'weights.bin', total * 4);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const weights: StateDict = new Map();
  let offset = 0;
  for (const w of entries) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    weights.set(w.name, { shape: w.shape, data: all.slice(offset, offset + size) });
    offset += size;
  }
  checkStateDict(metadata.spec, weights);
  const { features, normalization, spec } = metadata;
  if (features !== null && features.channels.length !== spec.input_channels) {
    throw new ModelFormatError(
      `the model has ${spec.input_channels} input channels but its feature spec lists ${features.channels.length}`,
    );
  }
  if (features !== null && features.windowLength !== spec.sequence_length) {
    throw new ModelFormatError(
      `the model reads ${spec.sequence_length} steps but its feature spec makes windows of ${features.windowLength}`,
    );
  }
  if (normalization !== null && (normalization.mean.length !== spec.input_channels || normalization.std.length !== spec.input_channels)) {
    throw new ModelFormatError(`normalization has the wrong number of channels for ${spec.input_channels} inputs`);
  }
  return { metadata, weights, weightsHash: hashWeights(spec, weights) };
}
