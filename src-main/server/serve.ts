/**
 * Headless mode: the engine in plain Node, the built renderer over HTTP on loopback, and the bridge
 * contract over WebSocket. A token made fresh for each run guards the socket; browsers must also
 * come from the page's own origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine/engine';
import { BRIDGE_PATH, ClientFrame, type ServerFrameValue } from '../../src-shared/contract/transport';
import { CONTENT_SECURITY_POLICY } from '../security';

export interface ServeOptions {
  engine: Engine;
  rendererDir: string;
  host?: string;
  port?: number;
  log?: (line: string) => void;
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

function send(socket: WebSocket, frame: ServerFrameValue): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
}

export async function serve({ engine, rendererDir, host = '127.0.0.1', port = 0, log = () => {} }: ServeOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString('base64url');
  const assets = sirv(rendererDir, { dev: false, etag: true, single: false });
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    assets(req, res, () => {
      res.statusCode = 404;
      res.end('not found');
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const originOk = origin === undefined || new URL(origin).host === req.headers.host;
    if (url.pathname !== BRIDGE_PATH || !sameSecret(url.searchParams.get('token'), token) || !originOk) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (socket: WebSocket) => {
    const unlisten = engine.events.listen((event, payload) => send(socket, { event, payload }));
    socket.on('close', unlisten);
    socket.on('message', (data) => {
      let frame;
      try {
        frame = ClientFrame.safeParse(JSON.parse(String(data)));
      } catch {
        frame = undefined;
      }
      if (!frame?.success) {
        send(socket, {
          id: null,
          reply: { ok: false, error: { code: 'bad_request', message: 'malformed frame: expected {id, call, payload}' } },
        });
        return;
      }
      const { id, call, payload } = frame.data;
      void engine.dispatch(call, payload).then((reply) => send(socket, { id, reply }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, resolve);
  });
  const address = http.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}/?token=${token}`;
  log(`serving the renderer at ${url}`);
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
