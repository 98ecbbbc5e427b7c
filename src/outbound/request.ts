// What sending one webhook request means, apart from how it is done: the request, its
// result, and the client interface (in-process, or on a thread of its own).

export type SendErrorCode =
  | 'invalid_url'
  | 'https_required'
  | 'destination_blocked'
  | 'dns_failed'
  | 'timeout'
  | 'connection_failed'
  | 'tls_error'
  | 'redirect'
  /** No request could be built (rendered or signed) from the payload under the policy. */
  | 'render_failed'
  /** The client failed instead of reporting a result. */
  | 'send_failed';

export type OutboundRequest = {
  url: string;
  /** Lower-case names; the client adds its `user-agent` when there is none. */
  headers: Record<string, string>;
  body: Buffer | string;
  timeoutMs: number;
  httpsOnly?: boolean;
};

export type SendResult = {
  statusCode: number | null;
  headers: Record<string, string>;
  /** The first `maxResponseBytes` of the response body, as UTF-8. */
  body: string;
  durationMs: number;
  error: null | { code: SendErrorCode; message: string };
  /**
   * The request went (or was about to go) to a private or reserved address that
   * `HERALD_ALLOWED_SUBNETS` let through: its answer is the operator's to read, not the
   * application's.
   */
  privateDestination: boolean;
};

export type HttpClient = {
  send(request: OutboundRequest): Promise<SendResult>;
  /** The `user-agent` a request gets when it carries none. */
  readonly userAgent: string;
  close(): Promise<void>;
};

/** A 2xx received within the timeout is the only success. */
export function isSuccess(result: SendResult): boolean {
  return (
    result.error === null &&
    result.statusCode !== null &&
    result.statusCode >= 200 &&
    result.statusCode < 300
  );
}

/** The result of an attempt whose request never went out. */
export function notSent(code: SendErrorCode, message: string): SendResult {
  return {
    statusCode: null,
    headers: {},
    body: '',
    durationMs: 0,
    error: { code, message },
    privateDestination: false,
  };
}
