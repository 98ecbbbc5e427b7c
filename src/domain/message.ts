// A message is one event published to one application; a delivery pairs it with an endpoint,
// and an attempt is one HTTP try of a delivery.
export type Message = {
  id: string;
  appId: string;
  eventId: string | null;
  eventType: string;
  /** The payload's JSON text as stored (or the raw text); null once expunged or purged. */
  payload: string | null;
  /**
   * Set for a raw payload (`transformationsParams.rawPayload`): the payload is then text sent
   * exactly as given, with this content type. Null (or absent) for a JSON payload.
   */
  contentType?: string | null;
  /** True once the retention period purged the payload. */
  expired?: boolean;
  channels: string[] | null;
  tags: string[] | null;
  createdAt: number;
  deliverAt: number | null;
  /** The API request that published it (its log lines' reqId); attempts log it too. */
  requestId?: string | null;
};

/** Delivery and attempt statuses, numbered as Svix numbers them. */
export const MessageStatus = { success: 0, pending: 1, fail: 2, sending: 3 } as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

export const TriggerType = { scheduled: 0, manual: 1 } as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

export type Delivery = {
  msgId: string;
  endpointId: string;
  appId: string;
  status: MessageStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  triggerType: TriggerType;
  createdAt: number;
  updatedAt: number;
};

export type MessageAttempt = {
  id: string;
  msgId: string;
  endpointId: string;
  appId: string;
  url: string;
  status: MessageStatus;
  responseStatusCode: number;
  response: string | null;
  responseDurationMs: number;
  triggerType: TriggerType;
  createdAt: number;
  /**
   * The request's headers as sent, sensitive values masked; null when no request was built
   * (or for attempts recorded before Herald kept them).
   */
  requestHeaders: Record<string, string> | null;
  /**
   * Sent to a private address that the allowed subnets let through: its response is shown to
   * the operator only.
   */
  privateDestination: boolean;
};

/** Maps an HTTP status to Svix's status code class (0 for no response). */
export function statusCodeClass(code: number): number {
  if (code < 100 || code >= 600) return 0;
  return Math.floor(code / 100) * 100;
}
