'use strict';
/**
 * jest's node environment, on a plain (non-contextified) global object.
 *
 * jest-environment-node runs every module inside a vm context whose global is a contextified
 * Proxy: each global lookup (`Math`, `JSON`, `Map`, `Date`, `Buffer`…) then goes through V8's
 * interceptors and the Proxy trap, ~0.4 µs, measured 100× slower than plain Node. Integration
 * tests run whole apps (NestJS, pg, ioredis, the exchange simulator) in the test process, so that
 * cost was most of their CPU. Node ≥ 20.18 can create a context with an ordinary global object
 * (vm.constants.DONT_CONTEXTIFY); this environment asks for one and is otherwise jest's own.
 * What it gives up: jest's tracking of globals a test file leaves behind (the cleanup warnings).
 */
const vm = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

class FastNodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    const createContext = vm.createContext;
    if (vm.constants?.DONT_CONTEXTIFY) vm.createContext = () => createContext(vm.constants.DONT_CONTEXTIFY);
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
  }
}

module.exports = FastNodeEnvironment;
