/**
 * Property-based fuzz of the bridge's request decoding: random and mutated client frames go through
 * the WebSocket frame decoding (answerClientFrame) and the dispatch of a real engine on a temporary
 * SQLite store. Whatever comes in, the answer is a reply frame with an envelope, never a throw.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, SAMPLE_STREAM } from '../../src-main/engine/engine';
import { CALL_NAMES, type CallName, type CallRequest } from '../../src-shared/contract/bridge';
import { Envelope, ERROR_CODES } from '../../src-shared/contract/transport';
import { ClientFrame, ServerFrame } from '../../src-shared/contract/transport';
import { answerClientFrame } from '../../src-main/server/answer-frame';
import { tempDir } from '../helpers';

const engine = createEngine({ storePath: join(tempDir(), 'store.db'), market: false, modelPath: false });
afterAll(() => engine.close());

const RUNS = 300;
const stream = { symbol: SAMPLE_STREAM.symbol, interval: SAMPLE_STREAM.interval };

/** A valid request of every call: the seeds the mutations start from (the compiler keeps it complete). */
const VALID: { [K in CallName]: CallRequest<K> } = {
  'app.info': {},
  'streams.list': {},
  'candles.range': { ...stream, limit: 50 },
  'candles.count': stream,
  'preferences.get': {},
  'preferences.set': { theme: 'light' },
  'alerts.list': {},
  'alerts.add': { symbol: 'BTCUSDT', class: 'buy', minProbability: 0.6 },
  'alerts.remove': { id: 1 },
  'alerts.fired': { limit: 5 },
  'alerts.thumbnail': { firedId: 1, png: 'data:image/png;base64,iVBORw0KGgo=' },
  'replay.start': { ...stream, from: 1_700_000_000_000, to: 1_700_000_600_000, warmup: 10 },
  'replay.control': { id: 'replay-1', action: 'pause' },
  'feed.health': {},
  'watchlist.quotes': {},
  'watchlist.list': {},
  'watchlist.add': { symbol: 'ETHUSDT', interval: '5' },
  'watchlist.remove': { symbol: 'ETHUSDT', interval: '5' },
  'instruments.search': { query: 'BTC' },
  'model.info': {},
  'models.list': {},
  'models.report': { version: 'default-0' },
  'models.use': { version: 'default-0' },
  'signals.list': { ...stream, limit: 5 },
  'signals.explain': { id: 1, method: 'gradcam' },
  'training.start': { ...stream, epochs: 1 },
  'training.cancel': { trainingId: 1 },
  'backtest.run': { ...stream, runId: 'run-1' },
  'backtest.cancel': { runId: 'run-1' },
  'audit.list': { filter: { predicted: 'buy', from: 0 }, order: 'oldest', offset: 0, limit: 5 },
  'audit.facets': {},
  'audit.verify': { id: 1 },
  'forecasts.explain': { id: 1, head: 'sharp' },
  'candles.resampled': { symbol: stream.symbol, interval: '15', limit: 50 },
  'drawings.list': stream,
  'drawings.save': { ...stream, shape: { kind: 'trend', from: { time: 0, price: 1 }, to: { time: 60_000, price: 2 } } },
  'drawings.remove': { id: 1 },
  'layouts.list': {},
  'layouts.save': { name: 'two', layout: { charts: 2, others: [{ category: 'linear', symbol: 'ETHUSDT', interval: '5' }] } },
  'layouts.remove': { name: 'two' },
  'models.import': { name: 'pytorch', model: { text: '{}', fileName: 'model.json' }, encoding: '{}' },
  'signals.modelView': { id: 1, method: 'gradcam' },
  'models.compare': { versions: ['default-0', 'default-1'] },
};

const callName = fc.oneof(
  fc.constantFrom(...CALL_NAMES),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'toString'),
);
const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** A valid request with one field removed, replaced by anything, or added, or the whole payload replaced. */
const mutatedRequest = fc.constantFrom(...CALL_NAMES).chain((name) => {
  const valid = VALID[name] as Record<string, unknown>;
  const keys = Object.keys(valid);
  const withField = (key: string, value: unknown) => ({ ...valid, [key]: value });
  const withoutField = (key: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key));
  const payload = fc.oneof(
    fc.constant(valid),
    keys.length === 0 ? fc.constant(valid) : fc.constantFrom(...keys).map(withoutField),
    keys.length === 0 ? jsonValue : fc.tuple(fc.constantFrom(...keys), jsonValue).map(([key, value]) => withField(key, value)),
    fc.tuple(fc.string({ maxLength: 12 }), jsonValue).map(([key, value]) => withField(key, value)),
    jsonValue,
  );
  return fc.record({ name: fc.constant(name), payload });
});

/** Edits of a frame's text: a character inserted, a stretch deleted, the text cut short. */
const textEdit = fc.oneof(
  fc.tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })).map(
    ([at, inserted]) =>
      (text: string) =>
        text.slice(0, at % (text.length + 1)) + inserted + text.slice(at % (text.length + 1)),
  ),
  fc.tuple(fc.nat(), fc.nat({ max: 8 })).map(
    ([at, length]) =>
      (text: string) =>
        text.slice(0, at % (text.length + 1)) + text.slice((at % (text.length + 1)) + length),
  ),
  fc.nat().map((at) => (text: string) => text.slice(0, at % (text.length + 1))),
);

async function answer(text: string): Promise<{ id: number | null; reply: { ok: boolean; error?: { code: string } } }> {
  const frame = ServerFrame.parse(JSON.parse(await answerClientFrame(text, engine.dispatch)));
  if (!('reply' in frame)) throw new Error(`an event frame in answer to ${text.slice(0, 80)}`);
  return frame;
}

describe('bridge request decoding under fuzz', () => {
  it('reaches a handler with every seed request', async () => {
    for (const name of CALL_NAMES) {
      const { id, reply } = await answer(JSON.stringify({ id: 7, call: name, payload: VALID[name] }));
      expect(id).toBe(7);
      expect(reply.ok || reply.error?.code === 'handler_failed', `${name}: ${JSON.stringify(reply)}`).toBe(true);
    }
  });

  it('answers any text with a refusal frame of id null', async () => {
    const isFrame = (text: string) => {
      try {
        return ClientFrame.safeParse(JSON.parse(text)).success;
      } catch {
        return false;
      }
    };
    const text = fc
      .oneof(
        fc.string({ unit: 'binary' }),
        fc.json({ maxDepth: 4 }),
        jsonValue.map((value) => JSON.stringify({ value })),
      )
      .filter((raw) => !isFrame(raw));
    await fc.assert(
      fc.asyncProperty(text, async (raw) => {
        const { id, reply } = await answer(raw);
        expect({ id, ok: reply.ok, code: reply.error?.code }).toEqual({ id: null, ok: false, code: 'bad_request' });
      }),
      { numRuns: RUNS },
    );
  });

  it('answers every frame with an id under its own id, whatever its call and payload', async () => {
    const frame = fc.record({
      id: fc.integer(),
      call: callName,
      payload: fc.oneof(
        jsonValue,
        mutatedRequest.map((r) => r.payload),
      ),
    });
    await fc.assert(
      fc.asyncProperty(frame, async (sent) => {
        const { id, reply } = await answer(JSON.stringify(sent));
        expect(id).toBe(sent.id);
        expect(Envelope.safeParse(reply).success).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers mutated valid requests with a value or a typed refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), mutatedRequest, async (sentId, { name, payload }) => {
        const { id, reply } = await answer(JSON.stringify({ id: sentId, call: name, payload }));
        expect(id).toBe(sentId);
        if (!reply.ok) expect(['bad_request', 'handler_failed']).toContain(reply.error?.code);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers edited frame texts with a reply frame', async () => {
    const edited = fc
      .tuple(fc.integer(), mutatedRequest, fc.array(textEdit, { minLength: 1, maxLength: 4 }))
      .map(([id, { name, payload }, edits]) => edits.reduce((text, edit) => edit(text), JSON.stringify({ id, call: name, payload })));
    await fc.assert(
      fc.asyncProperty(edited, async (text) => {
        const { reply } = await answer(text);
        expect(Envelope.safeParse(reply).success).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers any value given to the dispatch, as Electron IPC may pass it, with an envelope', async () => {
    const anything = fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(callName, anything),
        fc.oneof(
          anything,
          mutatedRequest.map((r) => r.payload),
        ),
        async (name, payload) => {
          const reply = await engine.dispatch(name, payload);
          expect(Envelope.safeParse(reply).success).toBe(true);
          if (!reply.ok) expect(ERROR_CODES).toContain(reply.error.code);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
