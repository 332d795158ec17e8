/**
 * Headless mode: the engine in plain Node, the built renderer over HTTP on loopback, and the bridge
 * contract over WebSocket. A token made fresh for each run guards the socket; browsers must also
 * come from the page's own origin, and every request must name this machine in its Host header.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine/engine';
import { BRIDGE_PATH, MAX_CLIENT_FRAME_BYTES } from '../../src-shared/contract/transport';
import { CONTENT_SECURITY_POLICY } from '../security';
import { answerClientFrame } from './answer-frame';
import { ClientCalls } from './client-calls';
import { allowedHostnames, hostAllowed, isLoopbackAddress, originAllowed } from './request-guards';

/**
 * Replies and events a client may leave unread before it is dropped. Above the largest burst the
 * renderer asks for at once (a first page of candles, 5,000 signals, the audit list); a client that
 * stops reading would otherwise make the server buffer without bound.
 */
export const MAX_UNREAD_BYTES = 64 << 20;
/** Close code for a dropped slow client: a policy violation (RFC 6455 7.4.1). */
export const SLOW_CLIENT_CLOSE_CODE = 1008;

export interface ServeOptions {
  engine: Engine;
  rendererDir: string;
  host?: string;
  port?: number;
  log?: (line: string) => void;
  /** Told what the operator must see (binding beyond loopback); the log by default. */
  warn?: (line: string) => void;
  /** Bytes a client may leave unread before it is dropped. */
  maxUnreadBytes?: number;
}

export interface RunningServer {
  /** The page to open, token included. */
  url: string;
  token: string;
  close(): Promise<void>;
}

function sameSecret(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Answers a refused upgrade and lets go of its socket even if the client never closes its side. */
function refuseUpgrade(socket: Duplex, status: '400 Bad Request' | '401 Unauthorized' | '403 Forbidden'): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

function peer(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

export async function serve({
  engine,
  rendererDir,
  host = '127.0.0.1',
  port = 0,
  log = () => {},
  warn = log,
  maxUnreadBytes = MAX_UNREAD_BYTES,
}: ServeOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString('base64url');
  // Known once the server is bound; no request arrives before.
  let allowedHosts: ReadonlySet<string> = new Set();
  const assets = sirv(rendererDir, { dev: false, etag: true, single: false });
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!hostAllowed(req.headers.host, allowedHosts)) {
      res.statusCode = 403;
      res.end('forbidden: the Host header does not name this server');
      return;
    }
    assets(req, res, () => {
      res.statusCode = 404;
      res.end('not found');
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands an upgraded socket over without its error listener: a reset must not stop the server.
    socket.on('error', () => socket.destroy());
    if (!hostAllowed(req.headers.host, allowedHosts)) return refuseUpgrade(socket, '403 Forbidden');
    // A request target may be absolute ("GET http://[ HTTP/1.1"): parsing must not throw.
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    if (url === null) return refuseUpgrade(socket, '400 Bad Request');
    const authorized =
      url.pathname === BRIDGE_PATH &&
      sameSecret(url.searchParams.get('token'), token) &&
      originAllowed(req.headers.origin, req.headers.host);
    if (!authorized) return refuseUpgrade(socket, '401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const client = peer(req.socket);
    /** Drops a client that leaves too much unread; true when nothing more should go to it. */
    const dropIfSlow = (): boolean => {
      if (socket.readyState !== socket.OPEN) return true;
      if (socket.bufferedAmount <= maxUnreadBytes) return false;
      log(`dropped the client at ${client}: it left ${socket.bufferedAmount} bytes unread`);
      socket.close(SLOW_CLIENT_CLOSE_CODE, `too slow: over ${maxUnreadBytes} bytes of replies and events unread`);
      return true;
    };
    const send = (text: string) => {
      if (!dropIfSlow()) socket.send(text);
    };
    const calls = new ClientCalls({
      start: (text) => void answerClientFrame(text, engine.dispatch).then(send),
      canStart: () => !dropIfSlow(),
      pauseReading: () => socket.pause(),
      resumeReading: () => socket.resume(),
    });
    const unlisten = engine.events.listen((event, payload) => send(JSON.stringify({ event, payload })));
    socket.on('close', () => {
      unlisten();
      calls.close();
    });
    // An oversized or invalid frame: ws has already closed this socket with the code saying why (1009, 1007...).
    socket.on('error', (err) => log(`closed the client at ${client}: ${err.message}`));
    socket.on('message', (data) => calls.push(String(data)));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, resolve);
  });
  const address = http.address() as AddressInfo;
  allowedHosts = allowedHostnames(address.address, machineAddresses(), hostname());
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}/?token=${token}`;
  log(`serving the renderer at ${url}`);
  if (!isLoopbackAddress(address.address)) {
    warn(
      `WARNING: listening on ${shownHost}:${address.port}, beyond this machine's loopback. Anyone who can reach this port ` +
        'can load the page, and anyone who sees the token (sent in plain HTTP, unencrypted) can use the engine. ' +
        'Leave --host at 127.0.0.1 unless you mean it.',
    );
  }
  return {
    url,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
