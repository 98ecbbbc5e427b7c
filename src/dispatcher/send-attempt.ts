// One scheduled attempt's request, from the stored message to the receiver's answer: render,
// sign, send. Every way that can fail ends in a result with a coded reason that the attempt
// records, never in an exception that would leave the delivery claimed and unrecorded.
import { type HttpClient, notSent, type SendResult } from '../delivery/outbound.ts';
import { type EffectivePolicy, signsStandardWebhooks } from '../domain/delivery-policy.ts';
import { type Endpoint, recordedHeaders } from '../domain/endpoint.ts';
import type { QueuedMessage } from '../store/queue.ts';
import { currentSecret, type EndpointSettings } from './endpoint-settings.ts';
import { type RenderedRequest, renderRequest } from './render.ts';

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

export async function sendAttempt(input: {
  http: HttpClient;
  settings: EndpointSettings;
  message: QueuedMessage;
  endpoint: Endpoint;
  policy: EffectivePolicy;
  attemptId: string;
  attemptNumber: number;
  startedAt: number;
}): Promise<AttemptResult> {
  const { message, endpoint, policy, startedAt } = input;
  if (message.payload === null) {
    const result = notSent(
      'invalid_url',
      'the message payload has expired or was deleted; nothing was sent',
    );
    return { result, hopeless: true, requestHeaders: null };
  }
  let request: RenderedRequest;
  try {
    request = renderRequest({
      message,
      endpoint,
      policy,
      signers: signsStandardWebhooks(policy) ? input.settings.signersFor(endpoint, startedAt) : [],
      secret: currentSecret(endpoint),
      attemptId: input.attemptId,
      attemptNumber: input.attemptNumber,
      timestampSeconds: Math.floor(startedAt / 1000),
    });
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
