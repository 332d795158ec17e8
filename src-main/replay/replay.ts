/**
 * Replay of a stored session: candles are revealed one at a time, as they would have arrived, and
 * each revealed candle is scored from the candles up to it and no further, by the same scoring the
 * live path uses. Nothing after the replay cursor ever leaves this module.
 */
import { randomUUID } from 'node:crypto';
import { columnsFromCandles, type Candle, type StreamKeyValue } from '../../src-shared/domain/market';
import type { CallInput, CallResponse } from '../../src-shared/contract/bridge';
import type { Signal } from '../../src-shared/domain/signal';
import type { EventHub } from '../ipc/dispatch';
import { intervalMs } from '../../src-shared/domain/intervals';
import type { CandleStore } from '../store/candles';
import { iso } from '../../src-shared/domain/iso-time';

/**
 * Scores the window ending at the last candle revealed, with the registered model `modelVersion` (the
 * active one when undefined). `revealed(count)` gives the last `count` candles revealed so far (all
 * of them for Infinity); nothing past the cursor.
 */
export type ScoreWindow = (
  stream: StreamKeyValue,
  revealed: (count: number) => readonly Candle[],
  modelVersion?: string,
) => Promise<Signal | undefined>;

export const MIN_SPEED = 1;
export const MAX_SPEED = 1000;

export interface ReplayState {
  id: string;
  /** Index of the last revealed candle in the session's range (−1 before the first). */
  cursor: number;
  total: number;
  /** Start of the last revealed candle, or the range start before any. */
  time: number;
  playing: boolean;
  speed: number;
  /** Steps that could not keep the requested pace (scoring took longer than a step). */
  late: number;
}

export class ReplaySession {
  readonly id = randomUUID();
  #cursor = -1;
  #playing = false;
  #speed = 60;
  #late = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stepping: Promise<void> = Promise.resolve();

  /**
   * @param history candles before the range, revealed from the start (the model's warm-up)
   * @param range the candles to replay, ascending
   */
  constructor(
    readonly stream: StreamKeyValue,
    readonly history: readonly Candle[],
    readonly range: readonly Candle[],
    private readonly score: ScoreWindow | undefined,
    private readonly events: EventHub,
    readonly modelVersion?: string,
  ) {}

  state(): ReplayState {
    return {
      id: this.id,
      cursor: this.#cursor,
      total: this.range.length,
      time: this.range[Math.max(0, this.#cursor)]?.time ?? 0,
      playing: this.#playing,
      speed: this.#speed,
      late: this.#late,
    };
  }

  /** Everything revealed so far: warm-up history and the range up to the cursor. */
  revealed(): Candle[] {
    return this.#lastRevealed(Infinity);
  }

  /** The last `count` candles revealed, copied without the rest (a scoring window needs a few hundred). */
  #lastRevealed(count: number): Candle[] {
    const end = this.#cursor + 1;
    const fromRange = this.range.slice(Math.max(0, end - count), end);
    const fromHistory = count > end ? this.history.slice(Math.max(0, this.history.length - (count - end))) : [];
    return [...fromHistory, ...fromRange];
  }

  /** Reveals the next candle and its signal. Serialized, so steps never overlap. */
  step(): Promise<void> {
    this.#stepping = this.#stepping.then(async () => {
      if (this.#cursor + 1 >= this.range.length) return this.pause();
      this.#cursor += 1;
      const candle = this.range[this.#cursor] as Candle;
      const signal = await this.score?.(this.stream, (count) => this.#lastRevealed(count), this.modelVersion);
      // Replay signals are not stored: a negative id per step keeps them apart from live ones.
      const replayed = signal === undefined ? null : { ...signal, id: -(this.#cursor + 1) };
      this.events.emit('replay.step', { id: this.id, candle, signal: replayed, state: this.state() });
    });
    return this.#stepping;
  }

  play(speed = this.#speed): void {
    this.#speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
    if (this.#playing) return;
    this.#playing = true;
    this.#schedule(performance.now());
  }

  pause(): void {
    this.#playing = false;
    clearTimeout(this.#timer);
    this.#emitState();
  }

  setSpeed(speed: number): void {
    this.#speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
    this.#emitState();
  }

  /** Moves the cursor to the last candle at or before `time` (without scoring the candles skipped). */
  async seek(time: number): Promise<void> {
    await this.#stepping;
    let index = -1;
    while (index + 1 < this.range.length && (this.range[index + 1] as Candle).time <= time) index += 1;
    this.#cursor = index;
    this.#emitState();
  }

  close(): void {
    this.#playing = false;
    clearTimeout(this.#timer);
  }

  #emitState(): void {
    this.events.emit('replay.state', this.state());
  }

  /** One step per candle interval divided by the speed, keeping pace against the clock, not drifting. */
  #schedule(due: number): void {
    if (!this.#playing) return;
    const period = (this.stream.interval === 'M' ? 30 * 86_400_000 : intervalMs(this.stream.interval)) / this.#speed;
    this.#timer = setTimeout(
      () => {
        void this.step().then(() => {
          const next = due + period;
          if (performance.now() > next) this.#late += 1;
          this.#schedule(Math.max(next, performance.now()));
        });
      },
      Math.max(0, due - performance.now()),
    );
  }
}

export type ReplayStart = CallInput<'replay.start'>;
export type ReplayControl = CallInput<'replay.control'>;

/** The engine's replay sessions, by id. */
export class Replays {
  readonly #sessions = new Map<string, ReplaySession>();

  constructor(
    private readonly store: CandleStore,
    private readonly events: EventHub,
    private readonly score: ScoreWindow | undefined,
  ) {}

  start({ from, to, warmup, modelVersion, ...key }: ReplayStart): CallResponse<'replay.start'> {
    if (to < from) throw new Error(`replay range ends (${iso(to)}) before it starts (${iso(from)})`);
    const range = [...this.store.closed(key, from, to)];
    if (range.length === 0)
      throw new Error(`no closed ${key.symbol} ${key.interval} candles are stored between ${iso(from)} and ${iso(to)}`);
    const history = warmup === 0 ? [] : this.store.range(key, 0, from - 1, warmup).filter((c) => c.confirmed);
    const session = new ReplaySession(key, history, range, this.score, this.events, modelVersion);
    this.#sessions.set(session.id, session);
    return { state: session.state(), revealed: columnsFromCandles(session.revealed()) };
  }

  async control({ id, action, speed, time }: ReplayControl): Promise<CallResponse<'replay.control'>> {
    const session = this.#sessions.get(id);
    if (session === undefined) throw new Error(`no replay session ${id}`);
    switch (action) {
      case 'play':
        session.play(speed);
        break;
      case 'pause':
        session.pause();
        break;
      case 'step':
        session.pause();
        await session.step();
        break;
      case 'speed':
        session.setSpeed(speed ?? session.state().speed);
        break;
      case 'seek':
        session.pause();
        await session.seek(time ?? session.state().time);
        return { state: session.state(), revealed: columnsFromCandles(session.revealed()) };
      case 'stop':
        session.close();
        this.#sessions.delete(id);
        break;
    }
    return { state: session.state() };
  }

  closeAll(): void {
    for (const session of this.#sessions.values()) session.close();
    this.#sessions.clear();
  }
}
