export * from './error-type';
export * from './domain-error';
export * from './http-error-mapping';
export * from './all-exceptions.filter';
