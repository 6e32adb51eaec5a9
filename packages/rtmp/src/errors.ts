/** Typed errors of @sluice/rtmp. Each carries what the peer (or the caller) said. */

/** The peer broke the RTMP protocol (bad chunk header, oversize message, bad handshake...). */
export class RtmpProtocolError extends Error {
  override readonly name = 'RtmpProtocolError';
}

/** The connection could not be established (DNS, refused, reset, TLS, connect rejected). */
export class RtmpConnectError extends Error {
  override readonly name = 'RtmpConnectError';
  /** The server's onStatus/_error code when the `connect` command was refused, e.g. `NetConnection.Connect.Rejected`. */
  readonly code: string | undefined;
  readonly description: string | undefined;
  constructor(
    message: string,
    options?: { code?: string | undefined; description?: string | undefined; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
    this.description = options?.description;
  }
}

/** A connect or send deadline passed (connection timeout, send timeout). */
export class RtmpTimeoutError extends Error {
  override readonly name = 'RtmpTimeoutError';
  /**
   * Which deadline: 'connect', 'send' (the socket drained nothing), or 'acknowledgement'
   * (the kernel took the bytes but the server acknowledged none of them: it stopped reading).
   */
  readonly phase: 'connect' | 'send' | 'acknowledgement';
  readonly timeoutMs: number;
  constructor(phase: 'connect' | 'send' | 'acknowledgement', timeoutMs: number, detail = '') {
    super(
      phase === 'connect'
        ? `RTMP connection not established within ${timeoutMs} ms`
        : phase === 'send'
          ? `RTMP send stalled: nothing drained for ${timeoutMs} ms`
          : `RTMP destination stopped reading: no acknowledgement for ${timeoutMs} ms${detail}`,
    );
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** The server refused to let us publish: its onStatus (or _error) code and description. */
export class RtmpPublishRejected extends Error {
  override readonly name = 'RtmpPublishRejected';
  /** e.g. `NetStream.Publish.BadName`. */
  readonly code: string;
  readonly description: string;
  constructor(code: string, description: string) {
    super(`RTMP publish rejected: ${code}${description ? ` (${description})` : ''}`);
    this.code = code;
    this.description = description;
  }
}

/** A track cannot be sent to this server (codec unknown to RTMP, or E-RTMP codec the server did not announce). */
export class RtmpUnsupportedCodec extends Error {
  override readonly name = 'RtmpUnsupportedCodec';
  readonly codec: string;
  constructor(codec: string, reason: string) {
    super(`RTMP cannot carry ${codec}: ${reason}`);
    this.codec = codec;
  }
}

/** The connection was closed (by the peer or by us) while an operation was pending. */
export class RtmpConnectionClosed extends Error {
  override readonly name = 'RtmpConnectionClosed';
}
