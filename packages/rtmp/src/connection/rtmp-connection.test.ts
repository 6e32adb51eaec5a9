import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@sluice/test-support';
import { RtmpConnection } from './rtmp-connection.js';

describe('RtmpConnection', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets) s.destroy();
    server?.close();
  });

  it('a client acknowledges a Window Acknowledgement Size at once (no wait on Nagle and a delayed ACK)', async () => {
    const acknowledged: number[] = [];
    server = createServer((socket) => {
      sockets.push(socket);
      const serverSide: RtmpConnection = new RtmpConnection(
        socket,
        {
          // as nginx-rtmp does after connect: the window first, alone in its segment
          onReady: () => serverSide.announceWindow(5_000_000),
          onMessage: () => {},
          onClose: () => {},
          onAcknowledgement: (total) => acknowledged.push(total),
        },
        { role: 'server' },
      );
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const client = new RtmpConnection(
      socket,
      { onReady: () => {}, onMessage: () => {}, onClose: () => {} },
      { role: 'client' },
    );
    await waitFor(() => acknowledged.length > 0, 5000, 'the client acknowledgement');
    // the 16 bytes of the Window Acknowledgement Size message (one type 0 chunk)
    expect(acknowledged).toEqual([16]);
    expect(client.reader.bytesReceived).toBe(16);
  });
});
