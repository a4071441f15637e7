import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { RAW_RESPONSE } from './raw-response.decorator';

interface SuccessEnvelope<T> {
  status: 'success';
  data: T;
}

/**
 * Wraps every route result as Kite does: {status:"success", data}. Done where Nest hands a
 * handler's result to Fastify rather than in a global interceptor: Nest's interceptor chain
 * (rxjs defers and two AsyncResource.bind per request, each with a deprecation wrapper on
 * Node 20) cost 5–15% of the server CPU per order in bench:orders. Errors never come here: the
 * exception filter sends its own envelope. Plugin routes (/docs) do not either.
 */
export class EnvelopingFastifyAdapter extends FastifyAdapter {
  override reply(response: Parameters<FastifyAdapter['reply']>[0], body: unknown, statusCode?: number) {
    // A raw Node response (no Fastify reply around it) is not a route's result: left as it is.
    const request = (response as Partial<FastifyReply>).request;
    const raw = (request?.routeOptions?.config as Record<string, unknown> | undefined)?.[RAW_RESPONSE];
    const enveloped = request && !raw ? ({ status: 'success', data: body ?? null } satisfies SuccessEnvelope<unknown>) : body;
    return super.reply(response, enveloped, statusCode);
  }
}
