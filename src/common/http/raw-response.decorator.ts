import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

/** Fastify route config flag read by the enveloping adapter (`envelope.ts`). */
export const RAW_RESPONSE = 'rawResponse';

function markRaw(handler: object): void {
  const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as Record<string, unknown> | undefined) ?? {};
  Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, [RAW_RESPONSE]: true }, handler);
}

/**
 * Skips the {status:"success", data} envelope (health, metrics, CSV dumps, redirects). On a
 * class it marks every handler of the class. Carried as Fastify route config, so the adapter
 * sees it on the reply without a per-request lookup.
 */
export const RawResponse =
  (): ClassDecorator & MethodDecorator =>
  (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (descriptor) {
      markRaw(descriptor.value as object);
      return;
    }
    // Descriptors, not property reads: reading a getter here would run it on the prototype.
    const methods = Object.entries(Object.getOwnPropertyDescriptors((target as { prototype: object }).prototype));
    for (const [name, d] of methods) if (name !== 'constructor' && typeof d.value === 'function') markRaw(d.value as object);
  };
