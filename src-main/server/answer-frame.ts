/** The server's side of one WebSocket client frame: decoded, dispatched, and its reply encoded. */
import { ClientFrame, type EnvelopeValue, type ServerFrameValue } from '../../src-shared/contract/transport';
import type { Dispatch } from '../ipc/dispatch';

const MALFORMED: EnvelopeValue = { ok: false, error: { code: 'bad_request', message: 'malformed frame: expected {id, call, payload}' } };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function failure(message: string): EnvelopeValue {
  return { ok: false, error: { code: 'handler_failed', message } };
}

function encodeReply(id: number | null, reply: EnvelopeValue): string {
  try {
    return JSON.stringify({ id, reply } satisfies ServerFrameValue);
  } catch (err) {
    return JSON.stringify({ id, reply: failure(`the reply could not be encoded: ${String(err)}`) } satisfies ServerFrameValue);
  }
}

/**
 * Whatever the text, the answer is one encoded reply frame (id null when the frame had no usable id),
 * never a throw: a client's bytes must not be able to stop the server.
 */
export async function answerClientFrame(text: string, dispatch: Dispatch): Promise<string> {
  const frame = ClientFrame.safeParse(parseJson(text));
  if (!frame.success) return encodeReply(null, MALFORMED);
  const { id, call, payload } = frame.data;
  try {
    return encodeReply(id, await dispatch(call, payload));
  } catch (err) {
    return encodeReply(id, failure(`${call.slice(0, 80)}: ${String(err)}`));
  }
}
