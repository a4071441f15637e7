/**
 * The one door to jspurefix. Its DI container (tsyringe) throws at import unless the Reflect
 * metadata API is loaded first, so every import of the engine goes through here.
 */
import 'reflect-metadata';

export * from 'jspurefix';
export { makeSessionScope } from 'jspurefix/dist/runtime/session-scope';
export type { ILooseObject } from 'jspurefix/dist/collections/collection';
