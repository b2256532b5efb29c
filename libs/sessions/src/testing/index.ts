// The `nest-sessions/testing` entry: what an app needs to test a store of its own.
export {
  describeSessionStoreContract,
  sessionWrite,
  type SessionStoreContractSubject,
} from './session-store-contract.js';
