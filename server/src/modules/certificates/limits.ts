// Limits shared by the verifier and the API schema (no runtime imports: the web app type-checks schema.ts).
/** A QR code holds at most ~4.3k alphanumerics; anything longer is not a DCC. */
export const MAX_HC1_LENGTH = 8192;
