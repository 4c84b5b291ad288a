// Module certificates: EU DCC issue and verify (see README "Certificates").
export { certCommand } from './cli';
export { verifyHc1 } from './verify';
export type { VerifyResult, Checks } from './verify';
