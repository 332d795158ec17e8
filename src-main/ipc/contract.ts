/**
 * The one declaration of the bridge between the engine (main process or `serve`) and the renderer.
 * Main registers a handler per call, the preload and the WebSocket client expose exactly these
 * names, and both sides take their types from here. Pure: zod only, so the renderer can import it.
 */
import { z } from 'zod';
import { CATEGORIES, INTERVALS } from '../market/intervals';

export const SymbolName = z.string().regex(/^[A-Z0-9]{2,30}$/, 'symbol must be 2-30 upper-case letters or digits');
export const IntervalSchema = z.enum(INTERVALS);
export const CategorySchema = z.enum(CATEGORIES);
const EpochMs = z.number().int().nonnegative();

export const StreamKey = z.object({
  exchange: z.literal('bybit').default('bybit'),
  category: CategorySchema.default('linear'),
  symbol: SymbolName,
  interval: IntervalSchema,
});

export const CandleSchema = z.object({
  time: EpochMs,
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  confirmed: z.boolean(),
});

/**
 * Many candles as columns: a third of the JSON of an array of objects, and quick to validate, which
 * matters when the chart loads 100k of them at start.
 */
export const CandleColumnsSchema = z
  .object({
    time: z.array(EpochMs),
    open: z.array(z.number()),
    high: z.array(z.number()),
    low: z.array(z.number()),
    close: z.array(z.number()),
    volume: z.array(z.number()),
    confirmed: z.array(z.boolean()),
  })
  .refine((c) => [c.open, c.high, c.low, c.close, c.volume, c.confirmed].every((column) => column.length === c.time.length), {
    message: 'candle columns must all have the same length',
  });
export type CandleColumns = z.output<typeof CandleColumnsSchema>;

export function candlesFromColumns(c: CandleColumns): Candle[] {
  return c.time.map((time, i) => ({
    time,
    open: c.open[i] ?? NaN,
    high: c.high[i] ?? NaN,
    low: c.low[i] ?? NaN,
    close: c.close[i] ?? NaN,
    volume: c.volume[i] ?? NaN,
    confirmed: c.confirmed[i] ?? false,
  }));
}

export function columnsFromCandles(candles: readonly Candle[]): CandleColumns {
  return {
    time: candles.map((c) => c.time),
    open: candles.map((c) => c.open),
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
    volume: candles.map((c) => c.volume),
    confirmed: candles.map((c) => c.confirmed),
  };
}

export const StreamSummary = z.object({
  exchange: z.string(),
  category: CategorySchema,
  symbol: SymbolName,
  interval: IntervalSchema,
  first: EpochMs.nullable(),
  last: EpochMs.nullable(),
});

export const SIGNAL_CLASSES = ['buy', 'hold', 'sell'] as const;
export const CAM_METHODS = ['gradcam', 'gradcampp', 'scorecam', 'layercam'] as const;
export const CamMethod = z.enum(CAM_METHODS);

/**
 * One scored and explained candle window: what the model said, why, and enough to audit it.
 * `cam[i]` is the normalized attention (0..1) of the candle starting at `windowStarts[i]`;
 * the window's last candle is the one at `candleStart`.
 */
export const SignalSchema = z.object({
  id: z.number().int(),
  exchange: z.string(),
  category: CategorySchema,
  symbol: SymbolName,
  interval: IntervalSchema,
  candleStart: EpochMs,
  /** False for a provisional signal on the candle still forming. */
  confirmed: z.boolean(),
  modelVersion: z.string(),
  predicted: z.enum(SIGNAL_CLASSES),
  /** Softmax probabilities in SIGNAL_CLASSES order. */
  probabilities: z.array(z.number()),
  method: CamMethod,
  windowStarts: z.array(EpochMs),
  cam: z.array(z.number()),
  /** Per input channel: how much it drove the call (e.g. gradient × input summed over time). */
  features: z.array(z.object({ name: z.string(), attribution: z.number() })),
  /**
   * Per candle of the window (as `windowStarts`), each channel's attribution (as `features`). Given
   * with a fresh explanation; not stored, since the stored inputs reproduce it.
   */
  candleFeatures: z.array(z.array(z.number())).optional(),
  inputHash: z.string(),
  createdAt: EpochMs,
});
export type Signal = z.output<typeof SignalSchema>;

/** Layout and preferences; every field has a default so an old or empty document still parses. */
export const PreferencesSchema = z.object({
  theme: z.enum(['dark', 'light']).default('dark'),
  stream: z.object({ category: CategorySchema, symbol: SymbolName, interval: IntervalSchema }).optional(),
  heatmap: z.object({ visible: z.boolean().default(true), method: CamMethod.default('gradcam') }).prefault({}),
  sidePanel: z.object({ visible: z.boolean().default(true), width: z.number().int().min(200).max(800).default(340) }).prefault({}),
  /** Also score the candle still forming (a provisional signal, not stored), at most once a second per stream. */
  provisionalSignals: z.boolean().default(false),
});
export type Preferences = z.output<typeof PreferencesSchema>;

/** An alert per symbol: fire when a signal of `class` reaches the probability (and attention concentration). */
export const AlertRuleInput = z
  .object({
    exchange: z.literal('bybit').default('bybit'),
    category: CategorySchema.default('linear'),
    symbol: SymbolName,
    class: z.enum(SIGNAL_CLASSES),
    minProbability: z.number().min(0).max(1),
    minConcentration: z.number().min(0).max(1).default(0),
  })
  .strict();
export const AlertRuleSchema = AlertRuleInput.extend({ id: z.number().int(), createdAt: EpochMs });
export type AlertRule = z.output<typeof AlertRuleSchema>;

export const FiredAlertSchema = z.object({
  id: z.number().int(),
  rule: AlertRuleSchema,
  signalId: z.number().int(),
  interval: IntervalSchema,
  candleStart: EpochMs,
  probability: z.number(),
  concentration: z.number(),
  firedAt: EpochMs,
  thumbnail: z.string().nullable(),
});
export type FiredAlert = z.output<typeof FiredAlertSchema>;

/** What re-running a stored signal from its stored inputs gave. */
export const AUDIT_VERDICTS = ['reproduced', 'differs', 'not re-run'] as const;

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/;

export const ReplayStateSchema = z.object({
  id: z.string(),
  cursor: z.number().int(),
  total: z.number().int(),
  time: EpochMs,
  playing: z.boolean(),
  speed: z.number(),
  late: z.number().int(),
});

const Interval95 = z.object({ value: z.number(), low: z.number(), high: z.number() });
const ClassificationReportSchema = z.object({
  n: z.number().int(),
  accuracy: Interval95,
  balancedAccuracy: Interval95,
  perClass: z.record(z.string(), z.object({ precision: z.number().nullable(), recall: z.number().nullable(), support: z.number().int() })),
  /** confusion[actual][predicted], classes in SIGNAL_CLASSES order. */
  confusion: z.array(z.array(z.number().int())),
  logLoss: z.number().nullable(),
});
/** A model's evaluation on its test period, with the baselines and the explanation faithfulness. */
export const EvaluationReportSchema = z.object({
  windows: z.number().int(),
  period: z.object({ from: EpochMs, to: EpochMs }).nullable(),
  model: ClassificationReportSchema,
  baselines: z.object({
    majorityClass: ClassificationReportSchema.extend({ class: z.string() }),
    lastReturnSign: ClassificationReportSchema,
  }),
  faithfulness: z.object({
    topDrop: z.number(),
    randomDrop: z.number(),
    ratio: z.number().nullable(),
    windows: z.number().int(),
    fraction: z.number(),
    target: z.number(),
  }),
  verdict: z.array(z.string()),
});
export type EvaluationReportValue = z.output<typeof EvaluationReportSchema>;

/** Where a training run is: sent by the model worker and pushed on to the renderer. */
export const TrainProgressSchema = z.object({
  stage: z.string().optional(),
  epoch: z.number().int().optional(),
  epochs: z.number().int().optional(),
  batch: z.number().int().optional(),
  batches: z.number().int().optional(),
  trainLoss: z.number().optional(),
  validationLoss: z.number().optional(),
});
export type TrainProgress = z.output<typeof TrainProgressSchema>;

/** The trading rules of a backtest (see backtest/simulate); every field has the CLI's default. */
export const BacktestRulesSchema = z
  .object({
    /** Enter on buy or sell when its probability is at least this. */
    threshold: z.number().min(0).max(1).default(0.5),
    /** Skip signals whose attention concentration is below this (diffuse explanations). */
    minConcentration: z.number().min(0).max(1).default(0),
    /** Exit after this many candles... */
    holdCandles: z.number().int().min(1).max(100_000).default(15),
    /** ...or earlier on an opposite signal that passes the filters. */
    exitOnOpposite: z.boolean().default(true),
    allowShort: z.boolean().default(true),
    /** Taker fee per side, in basis points of the traded notional. */
    feeBps: z.number().min(0).max(1000).default(5.5),
    /** Slippage per side, in basis points against the trader. */
    slippageBps: z.number().min(0).max(1000).default(1),
  })
  .strict();
export type BacktestRules = z.output<typeof BacktestRulesSchema>;

export const PerformanceReportSchema = z.object({
  totalReturn: z.number(),
  sharpe: z.number(),
  sortino: z.number(),
  maxDrawdown: z.number(),
  winRate: z.number(),
  /** Gross profit over gross loss; null when nothing was lost (infinite). */
  profitFactor: z.number().nullable(),
  trades: z.number().int(),
  exposure: z.number(),
});

/** A backtest window's call, as the signals CSV lists it. */
export const BacktestSignalSchema = z.object({
  candleStart: EpochMs,
  predicted: z.enum(SIGNAL_CLASSES),
  probabilities: z.array(z.number()),
  concentration: z.number(),
});

export const BacktestTradeSchema = z.object({
  side: z.enum(['long', 'short']),
  entryTime: EpochMs,
  exitTime: EpochMs,
  entryPrice: z.number(),
  exitPrice: z.number(),
  /** Net of fees and slippage on both sides. */
  return: z.number(),
  exit: z.enum(['horizon', 'opposite', 'end']),
  /** The entry signal in short, as the trades CSV lists it. */
  signal: z.object({
    candleStart: EpochMs,
    confidence: z.number(),
    concentration: z.number(),
    topCandles: z.array(z.object({ start: EpochMs, weight: z.number() })),
  }),
});

export type BacktestTrade = z.output<typeof BacktestTradeSchema>;
export type BacktestSignal = z.output<typeof BacktestSignalSchema>;

const Empty = z.object({}).strict();

/** Why a frame or row from the exchange was refused (see market/bybit/protocol.ts REJECT_KINDS). */
const RejectCounts = z.record(z.string(), z.number().int().nonnegative());

/** 'repairing': live, while a hole a push revealed is filled by REST. */
export const STREAM_STATES = ['connecting', 'subscribing', 'live', 'repairing', 'reconnecting', 'stopped', 'failed'] as const;

/** Health of one watched stream, as the status bar and `serve`'s log show it. */
export const StreamHealthSchema = StreamKey.extend({
  state: z.enum(STREAM_STATES),
  /** Milliseconds since the last push on this stream; null before the first. */
  lastMessageAgeMs: z.number().nonnegative().nullable(),
  messagesPerSecond: z.number().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  rowsBackfilled: z.number().int().nonnegative(),
  backfill: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).nullable(),
  rejected: RejectCounts,
  error: z.string().nullable(),
});
export type StreamHealth = z.output<typeof StreamHealthSchema>;

export const FeedHealthSchema = z.object({
  /** Where candles come from: 'off', 'bybit mainnet', 'replay', or the endpoint. */
  source: z.string(),
  streams: z.array(StreamHealthSchema),
  /** Rejected frames by kind over all connections, including those no stream could own. */
  rejected: RejectCounts,
  /** Added latency of the most recent `frames` pushed frames, received → stored → event delivered; null before any. */
  latency: z.object({ p50Ms: z.number(), p99Ms: z.number(), frames: z.number().int() }).nullable(),
});
export type FeedHealth = z.output<typeof FeedHealthSchema>;

export const InstrumentSchema = z.object({ symbol: z.string(), status: z.string(), baseCoin: z.string(), quoteCoin: z.string() });
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;

export const ModelInfoSchema = z.object({
  status: z.enum(['starting', 'ready', 'failed']),
  /** The tfjs backend the model runs on. */
  backend: z.enum(BACKEND_NAMES).nullable(),
  error: z.string().nullable(),
  model: z
    .object({
      version: z.string(),
      path: z.string(),
      /** Input channel names; null for a model imported without a feature pipeline. */
      channels: z.array(z.string()).nullable(),
      windowLength: z.number().int(),
      /** The candle interval it was trained on; it scores only streams of that interval. */
      interval: z.string().nullable(),
      convs: z.array(z.object({ filters: z.number().int(), kernelSize: z.number().int() })),
      createdAt: EpochMs,
    })
    .nullable(),
});

/** Request/response calls. Requests are strict so a misspelt field is refused, not ignored. */
export const calls = {
  'app.info': {
    request: Empty,
    response: z.object({
      name: z.string(),
      version: z.string(),
      storePath: z.string(),
      storeBytes: z.number().int().nonnegative(),
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
    request: z
      .object({ firedId: z.number().int(), png: z.string().max(4_000_000).regex(PNG_DATA_URL, 'png must be a PNG data URL') })
      .strict(),
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
    response: z.array(StreamKey.extend({ last: z.number().nullable(), lastTime: EpochMs.nullable(), change24h: z.number().nullable() })),
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
    response: z.array(
      z.object({
        version: z.string(),
        path: z.string(),
        createdAt: EpochMs,
        active: z.boolean(),
        /** Balanced accuracy on its test period, when it was trained here. */
        testBalancedAccuracy: z.number().nullable(),
      }),
    ),
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
        target: z.enum(SIGNAL_CLASSES).optional(),
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
    response: z.object({
      runId: z.string(),
      modelVersion: z.string(),
      candles: z.number().int(),
      strategy: PerformanceReportSchema,
      buyAndHold: PerformanceReportSchema,
      /** Strategy equity (starts at 1) and drawdown (≤ 0) after each candle, thinned to a few thousand points. */
      equity: z.array(z.object({ time: EpochMs, equity: z.number(), drawdown: z.number() })),
      /** Each trade with its entry signal, explained as live explains (not stored: id 0). */
      trades: z.array(BacktestTradeSchema.extend({ explanation: SignalSchema })),
      signals: z.array(BacktestSignalSchema),
    }),
  },
  'backtest.cancel': {
    request: z.object({ runId: z.string() }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  /** Every stored signal with the alerts it fired, newest first. */
  'audit.list': {
    request: z.object({ limit: z.number().int().min(1).max(100_000).default(10_000) }).strict(),
    response: z.array(z.object({ signal: SignalSchema, alertsFired: z.array(z.string()) })),
  },
  /** Re-runs a stored signal with its model from its stored candles and compares, bit for bit. */
  'audit.verify': {
    request: z.object({ id: z.number().int() }).strict(),
    response: z.object({ id: z.number().int(), verdict: z.enum(AUDIT_VERDICTS), detail: z.string() }),
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
  /** Backfill of one stream: pages fetched of pages needed (the total grows if time passes meanwhile). */
  'backfill.progress': StreamKey.extend({
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    rows: z.number().int().nonnegative(),
  }),
  /** Windows explained so far of a backtest's total. */
  'backtest.progress': z.object({ runId: z.string(), done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  'training.progress': TrainProgressSchema.extend({
    trainingId: z.number().int(),
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    /** The new model's version when done. */
    version: z.string().optional(),
    error: z.string().optional(),
  }),
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
export type Candle = z.output<typeof CandleSchema>;
export type StreamKeyValue = z.output<typeof StreamKey>;

export const ERROR_CODES = ['unknown_call', 'bad_request', 'bad_response', 'handler_failed', 'transport'] as const;
export type BridgeErrorCode = (typeof ERROR_CODES)[number];

/** Every call answers with an envelope, so a refusal reaches the caller as data, never as a crash. */
export const Envelope = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
  }),
]);
export type EnvelopeValue = z.output<typeof Envelope>;

/** Raised on the renderer side when a call is refused or its answer does not match the contract. */
export class BridgeError extends Error {
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** The object the renderer talks to, whatever the transport. */
export interface Bridge {
  invoke<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>>;
  subscribe<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
}

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** Renderer side: turn an envelope into the typed value, or throw a BridgeError. */
export function openEnvelope<K extends CallName>(name: K, raw: unknown): CallResponse<K> {
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success) throw new BridgeError('transport', `malformed reply to ${name}`);
  if (!envelope.data.ok) throw new BridgeError(envelope.data.error.code, envelope.data.error.message);
  const value = calls[name].response.safeParse(envelope.data.value);
  if (!value.success) throw new BridgeError('bad_response', `${name}: ${z.prettifyError(value.error)}`);
  return value.data as CallResponse<K>;
}

/** Renderer side: validate an event payload; undefined when it does not match the contract. */
export function parseEvent<K extends EventName>(name: K, raw: unknown): EventPayload<K> | undefined {
  const parsed = events[name].safeParse(raw);
  return parsed.success ? (parsed.data as EventPayload<K>) : undefined;
}

/**
 * What a transport hands the renderer before validation: one function per call of the contract and
 * a subscription per event. The preload builds it from `calls`/`events`, so it exposes exactly the
 * contract; the WebSocket client builds the same shape.
 */
export interface RawBridge {
  calls: { [K in CallName]: (request: unknown) => Promise<unknown> };
  subscribe(name: EventName, listener: (payload: unknown) => void): () => void;
}

export const CALL_NAMES = Object.keys(calls) as CallName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** Renderer side: the typed, validated bridge over a raw transport. */
export function createBridge(raw: RawBridge): Bridge {
  return {
    async invoke(name, request) {
      if (!isCallName(name)) throw new BridgeError('unknown_call', `unknown call: ${String(name)}`);
      return openEnvelope(name, await raw.calls[name](request));
    },
    subscribe(name, listener) {
      if (!isEventName(name)) throw new BridgeError('unknown_call', `unknown event: ${String(name)}`);
      return raw.subscribe(name, (payload) => {
        const parsed = parseEvent(name, payload);
        if (parsed === undefined) console.warn(`dropped a malformed ${name} event`);
        else listener(parsed);
      });
    },
  };
}
