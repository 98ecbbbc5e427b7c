// One request to an endpoint, from the message to the receiver's answer: build (render, sign),
// send. Attempts and test requests both go through here. Every way that can fail ends in a
// result with a coded reason (that an attempt records), never in an exception that would
// leave a delivery claimed and unrecorded.

import { recordedHeaders } from '../domain/endpoint.ts';
import { type HttpClient, notSent, type SendResult } from '../outbound/request.ts';
import type { RequestBuilder, RequestInput } from './prepare-request.ts';
import type { RenderedRequest } from './render.ts';

export type AttemptResult = {
  result: SendResult;
  /**
   * The attempt cannot succeed however often it is tried (the payload is gone, or no request
   * can be built from it under this policy): the delivery fails at once instead of retrying.
   */
  hopeless: boolean;
  /** The headers sent, as the attempt records them; null when no request was built. */
  requestHeaders: Record<string, string> | null;
};

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function sendAttempt(
  input: RequestInput & { http: HttpClient; requests: RequestBuilder },
): Promise<AttemptResult> {
  const { message, policy } = input;
  if (message.payload === null) {
    const result = notSent(
      'invalid_url',
      'the message payload has expired or was deleted; nothing was sent',
    );
    return { result, hopeless: true, requestHeaders: null };
  }
  let request: RenderedRequest;
  try {
    request = input.requests.prepareRequest(input);
  } catch (error) {
    // The same message and policy would fail the same way on every retry.
    const detail = `render_failed: the request could not be built from the payload under the endpoint's policy (${reason(error)}); nothing was sent`;
    return { result: notSent('render_failed', detail), hopeless: true, requestHeaders: null };
  }
  // Taken before sending: the client may add to the headers it is given.
  const requestHeaders = recordedHeaders(request.headers, input.http.userAgent);
  try {
    const result = await input.http.send({
      ...request,
      timeoutMs: policy.timeoutSeconds * 1000,
      httpsOnly: policy.httpsOnly,
    });
    return { result, hopeless: false, requestHeaders };
  } catch (error) {
    // The client broke rather than reporting a failure: it may work next time.
    const detail = `send_failed: the request could not be sent (${reason(error)})`;
    return { result: notSent('send_failed', detail), hopeless: false, requestHeaders };
  }
}
