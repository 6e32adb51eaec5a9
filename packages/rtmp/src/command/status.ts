/** NetConnection/NetStream status info objects (onStatus, _result, _error). */
import { amf0Properties } from '@sluice/media';
import type { Amf0Value } from '@sluice/media';

/** The fields of an info object peers care about. */
export interface StatusInfo {
  level: string;
  code: string;
  description: string;
}

/** Builds an info object: { level, code, description } (+ extra fields). */
export function statusObject(
  level: 'status' | 'error' | 'warning',
  code: string,
  description: string,
  extra: Record<string, Amf0Value> = {},
): Record<string, Amf0Value> {
  return { level, code, description, ...extra };
}

/** Reads level/code/description of an info object; missing fields are ''. */
export function readStatus(value: Amf0Value | undefined): StatusInfo {
  const props = value === undefined ? undefined : amf0Properties(value);
  const str = (key: string): string => {
    const v = props?.[key];
    return typeof v === 'string' ? v : '';
  };
  return { level: str('level'), code: str('code'), description: str('description') };
}

/** Status codes this package sends or checks. */
export const StatusCode = {
  ConnectSuccess: 'NetConnection.Connect.Success',
  ConnectRejected: 'NetConnection.Connect.Rejected',
  PublishStart: 'NetStream.Publish.Start',
  PublishBadName: 'NetStream.Publish.BadName',
  /** An access-control refusal (signed URL, admission webhook); the description says why. */
  PublishUnauthorized: 'NetStream.Publish.Unauthorized',
  UnpublishSuccess: 'NetStream.Unpublish.Success',
  PlayFailed: 'NetStream.Play.Failed',
} as const;
