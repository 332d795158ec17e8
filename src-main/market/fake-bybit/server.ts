/**
 * A fake Bybit v5 public API on 127.0.0.1 for tests, benchmarks and offline demos. It replays real
 * 1-minute candles from a CSV on a virtual clock: each `step()` sends one open update of the current
 * candle, and after `updatesPerCandle` of them its confirmation, then moves to the next candle.
 * REST serves every candle up to the virtual now (the current one still open), newest first.
 * Faults: dropped connections, stalled connections, lost confirmations, candles never pushed, raw
 * (malformed) frames, REST error replies.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Category } from '../../../src-shared/domain/intervals';
import {
  ARGS_CHARS_PER_CONNECTION,
  klineTopic,
  KLINE_PAGE_LIMIT,
  SPOT_TOPICS_PER_REQUEST,
  type KlineWireCandleValue,
} from '../bybit/protocol';
import { CsvError, parseCandleCsv } from '../candle-csv';
import { SlidingWindowLimit } from '../bybit/rate-limit';

const MINUTE = 60_000;

/** One CSV row with its decimal texts kept as written, so what is served is exactly the source. */
export interface SourceRow {
  start: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

/**
 * Rows `from` on (at most `count`) of a 1-minute candle CSV, their values kept as written. Each row is
 * checked as `import` checks it: a bad one throws a CsvError naming its line in the file.
 */
export function readSourceCsv(file: string, from = 0, count = Number.MAX_SAFE_INTEGER): SourceRow[] {
  const [header = '', ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const rows = lines.slice(from, from + count);
  try {
    parseCandleCsv([header, ...rows].join('\n'), '1');
  } catch (err) {
    throw err instanceof CsvError && err.line > 1 ? new CsvError(err.line + from, err.reason) : err;
  }
  return rows.map((line) => {
    const [start = '', open = '', high = '', low = '', close = '', volume = ''] = line.trim().split(',');
    return { start: Number(start), open, high, low, close, volume };
  });
}

export interface FakeBybitOptions {
  rows: SourceRow[];
  /** Every symbol replays the same rows. */
  symbols?: string[];
  category?: Category;
  /** Index of the candle open at virtual start; the rows before it are history. */
  startIndex?: number;
  updatesPerCandle?: number;
  /** REST limit per IP, as Bybit's: past it the server answers HTTP 403. */
  rateLimit?: { requests: number; windowMs: number };
  /** Extra instruments listed by instruments-info (for symbol search), beyond the replayed symbols. */
  extraInstruments?: string[];
  /**
   * For latency benchmarks: each push also carries `sentAt`, the wall time it was sent (ms since
   * the epoch, sub-ms precision, comparable across processes). Clients ignore unknown fields.
   */
  stampSends?: boolean;
}

type RestFault = { kind: 'retcode'; retCode: number; retMsg: string } | { kind: 'http'; status: number; body: string };

interface Client {
  socket: WebSocket;
  /** The TCP connection under `socket`, for writes that must reach the client in one piece. */
  tcp: Socket;
  id: string;
  topics: Set<string>;
  argsChars: number;
  stalled: boolean;
}

export class FakeBybit {
  readonly rows: SourceRow[];
  readonly symbols: string[];
  readonly category: Category;
  readonly updatesPerCandle: number;
  /** Counters the tests read. */
  readonly stats = { restRequests: 0, restRejected: 0, connections: 0, pushes: 0, pings: 0 };
  #cursor: number;
  #phase = 0;
  #confirmationsToLose = 0;
  #candlesToSkip = 0;
  #now: number;
  #url = '';
  #timer: NodeJS.Timeout | undefined;
  readonly #clients = new Set<Client>();
  readonly #faults: RestFault[] = [];
  readonly #limit: SlidingWindowLimit;
  readonly #extra: string[];
  readonly #stampSends: boolean;
  readonly #http = createServer((req, res) => this.#rest(req, res));
  readonly #wss = new WebSocketServer({ server: this.#http });

  constructor({
    rows,
    symbols = ['ETHUSDT'],
    category = 'linear',
    startIndex = 0,
    updatesPerCandle = 3,
    rateLimit = { requests: 600, windowMs: 5000 },
    extraInstruments = [],
    stampSends = false,
  }: FakeBybitOptions) {
    if (rows.length === 0 || startIndex >= rows.length) throw new Error('the replay needs rows, and startIndex inside them');
    this.rows = rows;
    this.symbols = symbols;
    this.category = category;
    this.updatesPerCandle = updatesPerCandle;
    this.#cursor = startIndex;
    this.#now = (rows[startIndex] as SourceRow).start;
    this.#limit = new SlidingWindowLimit(rateLimit.requests, rateLimit.windowMs);
    this.#extra = extraInstruments;
    this.#stampSends = stampSends;
    this.#wss.on('connection', (socket, req) => this.#accept(socket, req));
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.#http.listen(port, '127.0.0.1', resolve));
    this.#url = `127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
    return this;
  }

  /** WebSocket base, as `--bybit-ws` takes it (the category path is added by the client). */
  get wsUrl(): string {
    return `ws://${this.#url}`;
  }

  get restUrl(): string {
    return `http://${this.#url}`;
  }

  /** The virtual time. */
  now(): number {
    return this.#now;
  }

  /** Index of the candle now open (== rows.length when the replay is over). */
  get cursor(): number {
    return this.#cursor;
  }

  get finished(): boolean {
    return this.#cursor >= this.rows.length;
  }

  /** Advances the replay by one push per symbol; false when nothing is left to replay. */
  step(): boolean {
    const row = this.rows[this.#cursor];
    if (row === undefined) return false;
    const silent = this.#candlesToSkip > 0;
    if (this.#phase < this.updatesPerCandle) {
      this.#phase++;
      this.#now = row.start + Math.floor((this.#phase * MINUTE) / (this.updatesPerCandle + 1));
      if (!silent) this.#pushAll(this.#wire(row, this.#phase, false));
    } else {
      this.#now = row.start + MINUTE;
      if (silent) this.#candlesToSkip--;
      else if (this.#confirmationsToLose > 0) this.#confirmationsToLose--;
      else this.#pushAll(this.#wire(row, this.#phase, true));
      this.#cursor++;
      this.#phase = 0;
    }
    return true;
  }

  /** Steps until `count` more candles are confirmed (or the replay ends). */
  advanceCandles(count: number): void {
    const target = Math.min(this.rows.length, this.#cursor + count);
    while (this.#cursor < target) this.step();
  }

  /** Steps on a real timer, for demos. */
  play(stepMs: number): void {
    this.pause();
    this.#timer = setInterval(() => {
      if (!this.step()) this.pause();
    }, stepMs);
  }

  pause(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Cuts every open connection, as a network failure would (no close frame). */
  dropConnections(): void {
    for (const client of this.#clients) client.socket.terminate();
  }

  /** Makes the open connections silent: no pong, no data; they stay open (half-open link). */
  stallConnections(): void {
    for (const client of this.#clients) client.stalled = true;
  }

  /** The next `count` confirmation pushes are lost on the way (the connections stay up). */
  loseConfirmations(count: number): void {
    this.#confirmationsToLose += count;
  }

  /**
   * The next `count` candles (from the one now open) are never pushed, neither their updates nor their
   * confirmation, while the connections stay up and answer pings; REST serves them as usual.
   */
  skipCandles(count: number): void {
    this.#candlesToSkip += count;
  }

  /** Sends a frame as is to every live connection (malformed frames, foreign topics...). */
  sendRaw(text: string): void {
    for (const client of this.#clients) if (!client.stalled) client.socket.send(text);
  }

  /**
   * Sends text frames to every live connection in one TCP write, so that the client reads them in
   * one go (separate `sendRaw` calls may or may not be read together).
   */
  sendRawTogether(texts: string[]): void {
    const bytes = Buffer.concat(texts.map(textFrame));
    for (const client of this.#clients) if (!client.stalled) client.tcp.write(bytes);
  }

  /** The next REST requests answer with these faults, in order. */
  failRest(...faults: RestFault[]): void {
    this.#faults.push(...faults);
  }

  get openConnections(): number {
    return this.#clients.size;
  }

  async close(): Promise<void> {
    this.pause();
    for (const client of this.#clients) client.socket.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  // ---- WebSocket ------------------------------------------------------------------------------

  #accept(socket: WebSocket, req: IncomingMessage): void {
    if (req.url !== `/v5/public/${this.category}`) {
      socket.close(1008, 'unknown stream');
      return;
    }
    this.stats.connections++;
    const client: Client = { socket, tcp: req.socket, id: randomUUID(), topics: new Set(), argsChars: 0, stalled: false };
    this.#clients.add(client);
    socket.on('close', () => this.#clients.delete(client));
    socket.on('error', () => this.#clients.delete(client));
    socket.on('message', (data) => {
      if (client.stalled) return;
      let request: { op?: unknown; args?: unknown; req_id?: unknown };
      try {
        request = JSON.parse(String(data)) as typeof request;
      } catch {
        return; // Bybit ignores what it cannot read
      }
      const reqId = typeof request.req_id === 'string' ? request.req_id : undefined;
      if (request.op === 'ping') {
        this.stats.pings++;
        socket.send(
          JSON.stringify({
            success: true,
            ret_msg: 'pong',
            conn_id: client.id,
            ...(this.category === 'linear' ? { req_id: reqId ?? '' } : {}),
            op: 'ping',
          }),
        );
      } else if (request.op === 'subscribe') {
        socket.send(JSON.stringify({ ...this.#subscribe(client, request.args), conn_id: client.id, req_id: reqId ?? '', op: 'subscribe' }));
      }
    });
  }

  #subscribe(client: Client, args: unknown): { success: boolean; ret_msg: string } {
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return { success: false, ret_msg: 'error:args is invalid' };
    if (this.category === 'spot' && args.length > SPOT_TOPICS_PER_REQUEST)
      return { success: false, ret_msg: `args size >${SPOT_TOPICS_PER_REQUEST}` };
    const known = new Set(this.symbols.map((s) => klineTopic('1', s)));
    const unknown = args.find((t) => !known.has(t));
    if (unknown !== undefined) return { success: false, ret_msg: `error:handler not found,topic:${unknown}` };
    const chars = args.reduce((n, t) => n + JSON.stringify(t).length + 1, 0);
    if (client.argsChars + chars > ARGS_CHARS_PER_CONNECTION) return { success: false, ret_msg: 'error:args length exceeds limit' };
    client.argsChars += chars;
    for (const topic of args) client.topics.add(topic);
    return { success: true, ret_msg: this.category === 'spot' ? 'subscribe' : '' };
  }

  /** The candle as of update `phase` of `updatesPerCandle`; the confirmation carries the source values. */
  #wire(row: SourceRow, phase: number, confirm: boolean): KlineWireCandleValue {
    const values = confirm ? row : partialRow(row, phase / (this.updatesPerCandle + 1));
    return {
      start: row.start,
      end: row.start + MINUTE - 1,
      interval: '1',
      open: values.open,
      close: values.close,
      high: values.high,
      low: values.low,
      volume: values.volume,
      turnover: String(Number(values.volume) * Number(values.close)),
      confirm,
      timestamp: this.#now,
    };
  }

  #pushAll(candle: KlineWireCandleValue): void {
    for (const symbol of this.symbols) {
      const topic = klineTopic('1', symbol);
      let frame: string | undefined;
      for (const client of this.#clients) {
        if (client.stalled || !client.topics.has(topic)) continue;
        frame ??= JSON.stringify({
          topic,
          data: [candle],
          ts: this.#now,
          type: 'snapshot',
          ...(this.#stampSends ? { sentAt: performance.timeOrigin + performance.now() } : {}),
        });
        client.socket.send(frame);
        this.stats.pushes++;
      }
    }
  }

  // ---- REST -----------------------------------------------------------------------------------

  #rest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.stats.restRequests++;
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (!this.#limit.tryTake()) {
      this.stats.restRejected++;
      return reply(403, 'access too frequent');
    }
    const fault = this.#faults.shift();
    if (fault?.kind === 'http') return reply(fault.status, fault.body);
    if (fault?.kind === 'retcode')
      return reply(200, { retCode: fault.retCode, retMsg: fault.retMsg, result: {}, retExtInfo: {}, time: this.#now });
    const ok = (result: unknown) => reply(200, { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: this.#now });
    const error = (retMsg: string) => reply(200, { retCode: 10001, retMsg, result: {}, retExtInfo: {}, time: this.#now });
    const q = url.searchParams;
    if (url.pathname === '/v5/market/kline') {
      const symbol = q.get('symbol') ?? '';
      if ((q.get('category') ?? 'linear') !== this.category) return error('category is not served');
      if (!this.symbols.includes(symbol)) return error('Not supported symbols');
      if (q.get('interval') !== '1') return error('Invalid period!');
      const limit = Number(q.get('limit') ?? 200);
      if (!Number.isInteger(limit) || limit < 1 || limit > KLINE_PAGE_LIMIT) return error('limit must be 1-1000');
      return ok({
        symbol,
        category: this.category,
        list: this.#klinePage(Number(q.get('start') ?? 0), Number(q.get('end') ?? this.#now), limit),
      });
    }
    if (url.pathname === '/v5/market/instruments-info') {
      if (q.get('category') !== this.category) return error('category is required');
      const all = [...this.symbols, ...this.#extra].sort().map((symbol) => ({
        symbol,
        status: 'Trading',
        baseCoin: symbol.replace(/USDT$|USDC$/, ''),
        quoteCoin: symbol.endsWith('USDC') ? 'USDC' : 'USDT',
      }));
      const limit = Number(q.get('limit') ?? 500);
      const offset = Number(q.get('cursor') || 0);
      const page = all.slice(offset, offset + limit);
      return ok({ category: this.category, list: page, nextPageCursor: offset + limit < all.length ? String(offset + limit) : '' });
    }
    reply(404, { retCode: 10001, retMsg: 'not found' });
  }

  /** Candles with start in [start, end] that exist by now, newest `limit` of them, newest first. */
  #klinePage(start: number, end: number, limit: number): string[][] {
    const lastIndex = Math.min(this.#cursor, this.rows.length - 1);
    const last = Math.min(end, this.#now);
    let hi = upperBound(this.rows, last, lastIndex + 1) - 1;
    const list: string[][] = [];
    for (; hi >= 0 && list.length < limit; hi--) {
      const row = this.rows[hi] as SourceRow;
      if (row.start < start) break;
      const values = hi === this.#cursor ? partialRow(row, this.#phase / (this.updatesPerCandle + 1)) : row;
      list.push([
        String(row.start),
        values.open,
        values.high,
        values.low,
        values.close,
        values.volume,
        String(Number(values.volume) * Number(values.close)),
      ]);
    }
    return list;
  }
}

/** An unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2), as a server sends it. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header =
    length < 126 ? Buffer.from([0x81, length]) : length < 65_536 ? Buffer.from([0x81, 126, length >> 8, length & 0xff]) : undefined;
  if (header === undefined) throw new Error('textFrame: frames over 64 KiB are not needed here');
  return Buffer.concat([header, payload]);
}

/** Index of the first row starting after `time`, among the first `size` rows. */
function upperBound(rows: SourceRow[], time: number, size: number): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid] as SourceRow).start <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A candle part-way through its minute: prices move from open toward the final values, inside low..high. */
function partialRow(row: SourceRow, fraction: number): Omit<SourceRow, 'start'> {
  const open = Number(row.open);
  const toward = (final: string) => String(Number((open + (Number(final) - open) * fraction).toFixed(8)));
  return {
    open: row.open,
    high: toward(row.high),
    low: toward(row.low),
    close: toward(row.close),
    volume: String(Number((Number(row.volume) * fraction).toFixed(8))),
  };
}
