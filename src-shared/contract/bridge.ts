/**
 * The one declaration of the bridge between the engine (main process or `serve`) and the renderer:
 * its calls and events. Main registers a handler per call, the preload and the WebSocket client
 * expose exactly these names, and both sides take their types from here. The shapes themselves are
 * the domain's (src-shared/domain). Pure: zod only, so the renderer can import it.
 */
import { z } from 'zod';
import { AlertRuleInput, AlertRuleSchema, FiredAlertSchema, PngDataUrl } from '../domain/alerts';
import { AUDIT_ORDERS, AUDIT_VERDICTS, AuditFilterSchema } from '../domain/audit';
import { backtestOutcomeWith, BacktestRulesSchema } from '../domain/backtest';
import { EvaluationReportSchema } from '../domain/evaluation';
import { FORECAST_HEADS, ForecastHead } from '../domain/forecast-explanation';
import { BackfillProgressSchema, FeedHealthSchema } from '../domain/health';
import {
  CandleColumnsSchema,
  CandleSchema,
  CategorySchema,
  EpochMs,
  InstrumentSchema,
  QuoteSchema,
  StreamKey,
  StreamSummary,
} from '../domain/market';
import { DrawingInput, DrawingSchema, LayoutName, LayoutSchema, NamedLayoutSchema } from '../domain/drawings';
import { KindComparisonSchema } from '../domain/kind-comparison';
import { ModelImportSchema, ModelInfoSchema, ModelSummarySchema, TrainProgressSchema } from '../domain/model';
import { ModelViewSchema } from '../domain/model-view';
import { PreferencesSchema } from '../domain/preferences';
import { RESAMPLED_INTERVALS } from '../domain/resample';
import { ReplayStateSchema } from '../domain/replay';
import { CamMethod, SignalClass, SignalSchema } from '../domain/signal';

const Empty = z.object({}).strict();

/** Request/response calls. Requests are strict so a misspelt field is refused, not ignored. */
export const calls = {
  'app.info': {
    request: Empty,
    response: z.object({
      name: z.string(),
      version: z.string(),
      storePath: z.string(),
      storeBytes: z.number().int().nonnegative(),
      /** The bundled sample's stream and span when the store holds it (a first run, offline): the UI says so. */
      sample: StreamKey.extend({ first: EpochMs, last: EpochMs }).nullable(),
    }),
  },
  'streams.list': {
    request: Empty,
    response: z.array(StreamSummary),
  },
  'candles.range': {
    request: StreamKey.extend({
      from: EpochMs.optional(),
      to: EpochMs.optional(),
      /** Newest `limit` candles of the range, returned ascending. */
      limit: z.number().int().min(1).max(200_000).default(100_000),
    }).strict(),
    response: CandleColumnsSchema,
  },
  'preferences.get': {
    request: Empty,
    response: PreferencesSchema,
  },
  'preferences.set': {
    request: PreferencesSchema,
    response: PreferencesSchema,
  },
  'alerts.list': {
    request: Empty,
    response: z.array(AlertRuleSchema),
  },
  'alerts.add': {
    request: AlertRuleInput,
    response: AlertRuleSchema,
  },
  'alerts.remove': {
    request: z.object({ id: z.number().int() }).strict(),
    response: z.object({ removed: z.boolean() }),
  },
  'alerts.fired': {
    request: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    response: z.array(FiredAlertSchema),
  },
  'alerts.thumbnail': {
    request: z.object({ firedId: z.number().int(), png: PngDataUrl }).strict(),
    response: z.object({ stored: z.boolean() }),
  },
  /** Starts replaying a stored range; the answer holds only candles before `from` (the warm-up). */
  'replay.start': {
    request: StreamKey.extend({
      from: EpochMs,
      to: EpochMs,
      warmup: z.number().int().min(0).max(10_000).default(300),
      /** The registered model that scores the replay; the active one by default. */
      modelVersion: z.string().optional(),
    }).strict(),
    response: z.object({ state: ReplayStateSchema, revealed: CandleColumnsSchema }),
  },
  'replay.control': {
    request: z
      .object({
        id: z.string(),
        action: z.enum(['play', 'pause', 'step', 'speed', 'seek', 'stop']),
        speed: z.number().min(1).max(1000).optional(),
        time: EpochMs.optional(),
      })
      .strict(),
    /** After a seek, `revealed` is what the chart may show now. */
    response: z.object({ state: ReplayStateSchema, revealed: CandleColumnsSchema.optional() }),
  },
  'candles.count': {
    request: StreamKey.strict(),
    response: z.object({ count: z.number().int().nonnegative() }),
  },
  'feed.health': {
    request: Empty,
    response: FeedHealthSchema,
  },
  /** Last price and 24 h change of every watched stream, from the store. */
  'watchlist.quotes': {
    request: Empty,
    response: z.array(QuoteSchema),
  },
  'watchlist.list': {
    request: Empty,
    response: z.array(StreamKey),
  },
  /**
   * Adds a stream to the watchlist (kept in the store); the feed backfills it and follows it live. With a
   * feed, a symbol the exchange does not list as Trading (instruments-info) is refused, saying why.
   */
  'watchlist.add': {
    request: StreamKey.strict(),
    response: z.array(StreamKey),
  },
  'watchlist.remove': {
    request: StreamKey.strict(),
    response: z.array(StreamKey),
  },
  /** Symbol search over instruments-info, refreshed from the exchange when reachable, else from the store's cache. */
  'instruments.search': {
    request: z
      .object({
        category: CategorySchema.default('linear'),
        query: z.string().max(30),
        limit: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
    response: z.object({ instruments: z.array(InstrumentSchema), cached: z.number().int().nonnegative(), fromCache: z.boolean() }),
  },
  'model.info': {
    request: Empty,
    response: ModelInfoSchema,
  },
  'models.list': {
    request: Empty,
    response: z.array(ModelSummarySchema),
  },
  /** The evaluation report saved with a model trained here; null for an imported model. */
  'models.report': {
    request: z.object({ version: z.string() }).strict(),
    response: z.object({ version: z.string(), report: EvaluationReportSchema.nullable() }),
  },
  'models.use': {
    request: z.object({ version: z.string() }).strict(),
    response: ModelInfoSchema,
  },
  'signals.list': {
    request: StreamKey.extend({
      from: EpochMs.optional(),
      to: EpochMs.optional(),
      limit: z.number().int().min(1).max(100_000).default(10_000),
    }).strict(),
    response: z.array(SignalSchema),
  },
  /** Re-explains a stored signal (same model, same candles) with another method, layer or class; not stored. */
  'signals.explain': {
    request: z
      .object({
        id: z.number().int(),
        method: CamMethod,
        layer: z.number().int().nonnegative().optional(),
        target: SignalClass.optional(),
      })
      .strict(),
    response: SignalSchema,
  },
  'training.start': {
    request: StreamKey.extend({
      epochs: z.number().int().min(1).max(200).default(20),
      stride: z.number().int().min(1).default(1),
    }).strict(),
    response: z.object({ trainingId: z.number().int() }),
  },
  'training.cancel': {
    request: z.object({ trainingId: z.number().int() }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  /**
   * Trades a model's explained signals over a stored range (windows never span a break) in the model
   * worker; progress arrives as 'backtest.progress' events under the caller's `runId`.
   */
  'backtest.run': {
    request: StreamKey.extend({
      runId: z.string().min(1).max(64),
      from: EpochMs.optional(),
      to: EpochMs.optional(),
      /** A registered model; the active one when left out. */
      modelVersion: z.string().optional(),
      rules: BacktestRulesSchema.prefault({}),
    }).strict(),
    /** Each trade's entry is explained as live explains it (not stored: id 0). */
    response: backtestOutcomeWith(SignalSchema).extend({ runId: z.string() }),
  },
  'backtest.cancel': {
    request: z.object({ runId: z.string() }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  /**
   * One page of the stored signals matching a filter, with the alerts each fired, and how many match
   * in all: the audit pages through every stored signal, however many.
   */
  'audit.list': {
    request: z
      .object({
        filter: AuditFilterSchema.prefault({}),
        order: z.enum(AUDIT_ORDERS).default('newest'),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    response: z.object({
      rows: z.array(z.object({ signal: SignalSchema, alertsFired: z.array(z.string()) })),
      total: z.number().int().nonnegative(),
    }),
  },
  /** The streams and models that have stored signals: what the audit can filter by. */
  'audit.facets': {
    request: Empty,
    response: z.object({ streams: z.array(StreamKey), models: z.array(z.string()) }),
  },
  /** Re-runs a stored signal with its model from its stored candles and compares, bit for bit. */
  'audit.verify': {
    request: z.object({ id: z.number().int() }).strict(),
    response: z.object({ id: z.number().int(), verdict: z.enum(AUDIT_VERDICTS), detail: z.string() }),
  },
  /**
   * Explains a stored signal's forecast head (same model, same candles): which candles and channels made
   * it expect that volatility, VaR or sharp move. The answer is the signal with `cam` and `features`
   * of that output and `explains` saying which; not stored. The method defaults to the signal's own.
   */
  'forecasts.explain': {
    request: z
      .object({
        id: z.number().int(),
        head: ForecastHead,
        /** An output of the head: a VaR quantile's index (default 0). */
        target: z.number().int().nonnegative().optional(),
        method: CamMethod.optional(),
        layer: z.number().int().nonnegative().optional(),
      })
      .strict(),
    response: SignalSchema,
  },
  /**
   * A stored 1-minute stream resampled to a higher timeframe as Bybit aggregates it: the newest `limit`
   * buckets starting at or before `to` (each whole), ascending, and the starts of those a break cut.
   */
  'candles.resampled': {
    request: StreamKey.omit({ interval: true })
      .extend({
        interval: z.enum(RESAMPLED_INTERVALS),
        to: EpochMs.optional(),
        limit: z.number().int().min(1).max(20_000).default(1_000),
      })
      .strict(),
    response: z.object({ candles: CandleColumnsSchema, cut: z.array(EpochMs) }),
  },
  /** A stream's drawings, oldest first. */
  'drawings.list': {
    request: StreamKey.strict(),
    response: z.array(DrawingSchema),
  },
  /** Stores a new drawing (no `id`) or an edited one; a locked drawing's shape is refused until it is unlocked. */
  'drawings.save': {
    request: DrawingInput,
    response: DrawingSchema,
  },
  /** Removes a drawing; a locked one is refused. */
  'drawings.remove': {
    request: z.object({ id: z.number().int().positive() }).strict(),
    response: z.object({ removed: z.boolean() }),
  },
  'layouts.list': {
    request: Empty,
    response: z.array(NamedLayoutSchema),
  },
  /** Saves a layout under a name (replacing one of that name); `current` is the working layout, saved on every change. */
  'layouts.save': {
    request: z.object({ name: LayoutName, layout: LayoutSchema }).strict(),
    response: NamedLayoutSchema,
  },
  'layouts.remove': {
    request: z.object({ name: LayoutName }).strict(),
    response: z.object({ removed: z.boolean() }),
  },
  /** Imports a PyTorch-trained model (any kind) with its encoding spec: checked, saved and registered, not made active. */
  'models.import': {
    request: ModelImportSchema,
    response: z.object({ version: z.string(), architecture: z.string() }),
  },
  /**
   * A signal's window as its model reads it: an image model's picture (a Gramian angular field, a
   * rendered chart) with its 2-D CAM over the cells, and the candles each row and column relates to. A
   * stored signal by `id` (explained as it was: its method, unless told; its candles checked against its
   * input hash), or a signal not stored (a replayed or forming candle's) by its `window`, with `method`.
   * A model reading its candles along time has none (`image` null).
   */
  'signals.modelView': {
    request: z
      .object({
        id: z.number().int().optional(),
        window: StreamKey.extend({
          /** The window's last candle. */
          candleStart: EpochMs,
          modelVersion: z.string(),
          /** That candle is still forming: scored as if it closed now, as its provisional signal was. */
          forming: z.boolean().default(false),
        })
          .strict()
          .optional(),
        method: CamMethod.optional(),
        layer: z.number().int().nonnegative().optional(),
        /** The head explained (default direction); `target` is an output of it (for direction a class index, default the predicted one). */
        head: z.enum(['direction', ...FORECAST_HEADS]).optional(),
        target: z.number().int().nonnegative().optional(),
      })
      .strict()
      .refine((r) => (r.id === undefined) !== (r.window === undefined), { message: "give a stored signal's id or a window, one of them" })
      .refine((r) => r.window === undefined || r.method !== undefined, { message: 'a window not stored needs its method' }),
    response: ModelViewSchema,
  },
  /** Registered models side by side by the reports saved with them (`compare` measures them on the same windows). */
  'models.compare': {
    request: z.object({ versions: z.array(z.string()).min(2).max(12) }).strict(),
    response: KindComparisonSchema,
  },
} as const;

/** Events pushed from the engine to every connected renderer. */
export const events = {
  'candle.updated': StreamKey.extend({ candle: CandleSchema }),
  'signal.created': SignalSchema,
  /** The signal of the window ending at the candle still forming: `confirmed` false, id 0, not stored. */
  'signal.provisional': SignalSchema,
  'alert.fired': FiredAlertSchema,
  'replay.state': ReplayStateSchema,
  'replay.step': z.object({ id: z.string(), candle: CandleSchema, signal: SignalSchema.nullable(), state: ReplayStateSchema }),
  'feed.health': FeedHealthSchema,
  'backfill.progress': BackfillProgressSchema,
  /** The bundled sample was imported after start (the exchange was unreachable and nothing was stored). */
  'sample.imported': StreamKey,
  /** Stored windows of a stream scored in the background (newest first) of those planned. */
  'signals.backfill': StreamKey.extend({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  /** Windows explained so far of a backtest's total. */
  'backtest.progress': z.object({ runId: z.string(), done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  'training.progress': TrainProgressSchema.extend({
    trainingId: z.number().int(),
    /** One run trains at a time: a run asked for meanwhile is 'queued' until it starts. */
    state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
    /** The new model's version when done. */
    version: z.string().optional(),
    error: z.string().optional(),
  }),
  /** A candle touched a horizontal line set as a price alert; the alert is then off (it fires once). */
  'drawing.alert': z.object({ drawing: DrawingSchema, candle: CandleSchema }),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type EventName = keyof typeof events;
/** What a caller may send (defaults still optional). */
export type CallRequest<K extends CallName> = z.input<Calls[K]['request']>;
/** What a handler receives, after validation filled the defaults. */
export type CallInput<K extends CallName> = z.output<Calls[K]['request']>;
export type CallResponse<K extends CallName> = z.output<Calls[K]['response']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export const CALL_NAMES = Object.keys(calls) as CallName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
