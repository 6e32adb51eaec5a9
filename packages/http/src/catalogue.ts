/**
 * The stream catalogue: what the REST API needs to know about virtual hosts,
 * applications, streams and tracks. The server implements it; @sluice/http only
 * reads it. Every method may answer synchronously or with a promise.
 */
import type { TrackInfo } from '@sluice/media';

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** One application of a virtual host. */
export interface CatalogueApp {
  name: string;
  /** True when the application has `<Publishers><Push>`: push actions are allowed. */
  pushEnabled: boolean;
}

/** One track of a live stream, as the discovery API shows it. */
export interface CatalogueTrack {
  /** Track id, as used in `stream.tracks` of startPush. */
  id: number;
  type: 'video' | 'audio' | 'data';
  /** Codec name, e.g. `h264`, `aac`. */
  codec: string;
  /** Variant name, as used in `stream.variantNames` of startPush. */
  name?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  framerate?: number | undefined;
  /** Bits per second, when known. */
  bitrate?: number | undefined;
  samplerate?: number | undefined;
  channels?: number | undefined;
}

/** A live stream with its tracks. */
export interface CatalogueStream {
  name: string;
  tracks: readonly CatalogueTrack[];
  /** How the stream arrived, e.g. `rtmp`. */
  sourceType?: string | undefined;
  /** When the stream started, rendered like `2021-02-04T01:42:40.160+0900`. */
  createdTime?: string | undefined;
  /** Jumps in the source's timestamps absorbed since the stream started (the published timeline stays continuous). */
  discontinuities?: number | undefined;
}

/** What the REST API reads about vhosts, apps and streams. Implemented by the server. */
export interface StreamCatalogue {
  /** Names of all virtual hosts, in configuration order. */
  vhosts(): MaybePromise<readonly string[]>;
  /** Applications of a virtual host, in configuration order; undefined when the vhost is unknown. */
  apps(vhost: string): MaybePromise<readonly CatalogueApp[] | undefined>;
  /** Names of the live streams of an application; undefined when the vhost or app is unknown. */
  streams(vhost: string, app: string): MaybePromise<readonly string[] | undefined>;
  /** One live stream with its tracks; undefined when it is not live (or vhost/app unknown). */
  stream(vhost: string, app: string, name: string): MaybePromise<CatalogueStream | undefined>;
}

/** Converts a TrackInfo into the catalogue's track shape (video: size/framerate; audio: samplerate/channels). */
export function catalogueTrackFromTrackInfo(track: TrackInfo): CatalogueTrack {
  const out: CatalogueTrack = { id: track.id, type: track.kind, codec: track.codec };
  if (track.name !== undefined) out.name = track.name;
  if (track.kind === 'video') {
    if (track.width !== undefined) out.width = track.width;
    if (track.height !== undefined) out.height = track.height;
    if (track.frameRate !== undefined) out.framerate = track.frameRate;
  }
  if (track.kind === 'audio') {
    if (track.sampleRate !== undefined) out.samplerate = track.sampleRate;
    if (track.channels !== undefined) out.channels = track.channels;
  }
  if (track.bitrate !== undefined) out.bitrate = track.bitrate;
  return out;
}
