import WebSocket from 'ws';

/**
 * socket.io's wire protocol (engine.io v4 + socket.io v5) spoken by hand over a plain WebSocket,
 * for tests that need what a library client hides: a client that stops reading its socket.
 */
export interface RawSocketIo {
  request(event: string, payload: unknown): Promise<unknown>;
  /** Stops reading from the TCP socket: the server's writes pile up in the kernel, then in its own buffer. */
  stopReading(): void;
  close(): void;
}

export function connectRawSocketIo(baseUrl: string, token: string): Promise<RawSocketIo> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const acks = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
      else if (text === '2') ws.send('3');
      else if (text.startsWith('44')) reject(new Error(`refused: ${text}`));
      else if (text.startsWith('40'))
        resolve({
          request: (event, payload) =>
            new Promise((done) => {
              const id = nextId++;
              acks.set(id, done);
              ws.send(`42${id}${JSON.stringify([event, payload])}`);
            }),
          stopReading: () => (ws as unknown as { _socket: { pause(): void } })._socket.pause(),
          close: () => ws.terminate(),
        });
      else if (text.startsWith('43')) {
        const match = /^43(\d+)(.*)$/s.exec(text);
        if (match) acks.get(Number(match[1]))?.(JSON.parse(match[2])[0]);
      }
    });
  });
}
