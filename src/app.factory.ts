import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger, PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { AppModule, AppOptions } from './app.module';
import { AppConfig } from './common/config/app-config';
import { AllExceptionsFilter } from './common/errors';
import { EnvelopingFastifyAdapter } from './common/http/envelope';
import { strictValidationPipe } from './common/http/validation.pipe';
import { httpDuration, isProbePath } from './common/observability/metrics';
import { RealtimeIoAdapter } from './modules/realtime';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function fastifyAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new EnvelopingFastifyAdapter({
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    // Keep the caller's id when it is sane, so one id follows a request through the balancer.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const fastify = adapter.getInstance();
  // While closing, answer in-flight requests with `Connection: close`: otherwise their
  // keep-alive sockets hold server.close() open for the whole keep-alive timeout.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    if (isProbePath(route)) return;
    httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    logRequest(request, reply);
  });
  return adapter;
}

/** One line per request (probes aside): error for 5xx, warn for 4xx, info otherwise. */
function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  const log = PinoLogger.root;
  if (!log?.isLevelEnabled(level)) return;
  log[level](
    // Flat fields: the logger's req/res serializers expect Node's raw request and response.
    { reqId: request.id, method: request.method, url: request.url, remoteAddress: request.ip, statusCode: status, responseTime: Math.round(reply.elapsedTime) },
    'request completed',
  );
}

function mountDocs(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Mstock API')
      .setDescription(
        'Broking API for NSE/BSE equities. JSON under /api/v1; a Kite Connect v3-compatible surface at the root. ' +
          'Success: {status:"success", data}. Error: {status:"error", message, error_type}.',
      )
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'token api_key:access_token' }, 'kite')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
}

/** Builds the app exactly as production runs it; tests use the same function. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), fastifyAdapter(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(strictValidationPipe());
  // socket.io on this same HTTP server, with the Redis adapter across replicas (docs/realtime.md).
  app.useWebSocketAdapter(new RealtimeIoAdapter(app));
  if (config.http.corsOrigins.length) app.enableCors({ origin: config.http.corsOrigins, credentials: true });
  mountDocs(app);
  return app;
}
