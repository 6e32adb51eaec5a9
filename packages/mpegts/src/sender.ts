/** What both MPEG-TS senders offer: the shape a push sink needs. */

/** A connection that carries muxed MPEG-TS bytes to one destination. */
export interface TsSender {
  /** Connects (TCP) or binds and connects the socket (UDP). Rejects with TsSenderError. */
  open(): Promise<void>;
  /**
   * Queues whole 188-byte packets. The bytes must stay unchanged until sent: pass chunks
   * of a TsMuxer in 'owned' output mode. Returns false when the queue is above its high
   * water mark (wait for onDrain). Never throws; failures go to onError.
   */
  send(chunk: Uint8Array): boolean;
  /** Bytes handed to the kernel so far. */
  readonly bytesSent: number;
  /** Bytes accepted by send() and not yet handed to the kernel. */
  readonly bufferedBytes: number;
  /** Called each time a full queue has drained. */
  onDrain(listener: () => void): void;
  /** Called with each failure (TsSenderError); TCP reports once and stops, UDP goes on. */
  onError(listener: (error: Error) => void): void;
  /** Sends what is held, then closes. Never rejects. */
  close(): Promise<void>;
  /** Optional: loss recovery counters, for transports that retransmit (SRT). */
  recoveryCounters?(): TsRecoveryCounters | undefined;
}

/** Loss recovery counters of a transport that retransmits (the shape of @sluice/push's RecoveryCounters). */
export interface TsRecoveryCounters {
  retransmittedPackets: number;
  retransmittedBytes: number;
  lostPackets: number;
  droppedPackets: number;
}
