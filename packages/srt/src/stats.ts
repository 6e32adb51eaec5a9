/** Counters of one SRT connection. */

/** Statistics of one SRT connection (both directions; a live connection mostly uses one). */
export interface SrtStats {
  /** Data packets sent for the first time, and their payload bytes. */
  packetsSent: number;
  bytesSent: number;
  /** Retransmitted data packets (counted apart from the first transmissions) and their payload bytes. */
  packetsRetransmitted: number;
  bytesRetransmitted: number;
  /** Packets the peer reported lost (NAK entries) on the sending side. */
  packetsSendLost: number;
  /** Packets the sender dropped unacknowledged because they were too old to be played. */
  packetsSendDropped: number;
  /** Data packets received (each sequence number once), and their payload bytes. */
  packetsReceived: number;
  bytesReceived: number;
  /** Received packets that were retransmissions (including those that filled a gap). */
  packetsReceivedRetransmitted: number;
  /** Gaps detected in the received sequence (packets that were missing on first arrival). */
  packetsLost: number;
  /** Packets never delivered: skipped at their play time (too-late drop) or dropped on the sender's request. */
  packetsDropped: number;
  /** Packets that arrived after their play time or twice (discarded). */
  packetsBelated: number;
  /** Packets that could not be decrypted (unknown key). */
  packetsUndecrypted: number;
  /** Every byte of every datagram this connection handed to its socket: data, retransmissions and control packets. */
  datagramBytesSent: number;
  /** Smoothed round-trip time and its variance, in milliseconds. */
  rttMs: number;
  rttVarMs: number;
  /** Packets waiting in the send buffer (unacknowledged or not yet paced out) and in the receive buffer. */
  sendBufferPackets: number;
  receiveBufferPackets: number;
  /** The negotiated latencies in milliseconds: what we apply when receiving, what the peer applies. */
  latencyMs: number;
  peerLatencyMs: number;
  /** The current pacing rate in bytes/s (0: not paced). */
  sendRateLimit: number;
}

/** All-zero statistics. */
export function emptyStats(): SrtStats {
  return {
    packetsSent: 0,
    bytesSent: 0,
    packetsRetransmitted: 0,
    bytesRetransmitted: 0,
    packetsSendLost: 0,
    packetsSendDropped: 0,
    packetsReceived: 0,
    bytesReceived: 0,
    packetsReceivedRetransmitted: 0,
    packetsLost: 0,
    packetsDropped: 0,
    packetsBelated: 0,
    packetsUndecrypted: 0,
    datagramBytesSent: 0,
    rttMs: 100,
    rttVarMs: 50,
    sendBufferPackets: 0,
    receiveBufferPackets: 0,
    latencyMs: 0,
    peerLatencyMs: 0,
    sendRateLimit: 0,
  };
}
