/**
 * `nest-sessions/testing`: what an app needs to test a store of its own.
 * The types it names (`SessionStore`, `SessionData`, ...) are exported by
 * `nest-sessions`.
 *
 * @packageDocumentation
 */
export {
  describeSessionStoreContract,
  sessionWrite,
  type SessionStoreContractSubject,
} from './session-store-contract.js';
