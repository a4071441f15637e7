import type { Socket } from 'net';

const SOH = '\x01';
const MAX_LOGON_BYTES = 8 * 1024;

export interface PeekedLogon {
  senderCompId: string;
}

/**
 * Reads the connection's first message and puts the bytes back. We need the member (its
 * SenderCompID) before jspurefix builds the session: the session's store, sequence numbers and
 * venue subscription are the member's. (jspurefix's wildcard acceptor learns it inside the session
 * instead, where the Logon bypasses the hooks we use for sequence checks.) A first message that
 * is not a Logon, is oversized or does not arrive in time ends the connection without a reply,
 * as FIX prescribes for a connection that never logged on.
 */
export function peekLogon(socket: Socket, timeoutMs: number): Promise<PeekedLogon> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const finish = (error: Error | null, result?: PeekedLogon): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) return reject(error);
      socket.pause();
      socket.unshift(received);
      resolve(result as PeekedLogon);
    };
    const onClose = (): void => finish(new Error('closed before Logon'));
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const end = /\x0110=\d{3}\x01/.exec(text);
      if (!end) {
        if (received.length > MAX_LOGON_BYTES) finish(new Error('no complete message in the first 8 KiB'));
        return;
      }
      const fields = new Map<string, string>();
      for (const field of text.slice(0, end.index).split(SOH)) {
        const eq = field.indexOf('=');
        if (eq > 0 && !fields.has(field.slice(0, eq))) fields.set(field.slice(0, eq), field.slice(eq + 1));
      }
      const sender = fields.get('49');
      if (fields.get('35') !== 'A') return finish(new Error(`first message is MsgType ${fields.get('35')}, not Logon`));
      if (!sender) return finish(new Error('Logon without SenderCompID'));
      finish(null, { senderCompId: sender });
    };
    const timer = setTimeout(() => finish(new Error(`no Logon within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
