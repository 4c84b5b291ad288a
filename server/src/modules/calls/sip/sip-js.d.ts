// Types for npm `sip` 0.0.6 (CommonJS, ships none): only what the SIP provider uses.
declare module 'sip' {
  export interface SipUri {
    schema: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params: Record<string, string | null | undefined>;
    headers: Record<string, string>;
  }
  export interface NameAddr {
    name?: string;
    uri: string;
    params: Record<string, string | null | undefined>;
  }
  export interface Via {
    version?: string;
    protocol?: string;
    host?: string;
    port?: number;
    params: Record<string, string | number | null | undefined>;
  }
  export interface SipHeaders {
    via?: Via[];
    to?: NameAddr;
    from?: NameAddr;
    'call-id'?: string;
    cseq?: { seq: number; method: string };
    contact?: NameAddr[] | '*';
    route?: NameAddr[];
    'record-route'?: NameAddr[];
    'content-type'?: string;
    'content-length'?: number;
    'max-forwards'?: number | string;
    [name: string]: unknown;
  }
  export interface SipMessage {
    method?: string;
    uri?: string | SipUri;
    status?: number;
    reason?: string;
    version?: string;
    headers: SipHeaders;
    content?: string;
  }
  export interface SipRequest extends SipMessage {
    method: string;
    uri: string;
  }
  export interface SipResponse extends SipMessage {
    status: number;
  }
  export interface Remote {
    protocol: string;
    address: string;
    port: number;
  }
  export interface StackOptions {
    address?: string;
    port?: number;
    publicAddress?: string;
    hostname?: string;
    udp?: boolean;
    tcp?: boolean;
    rport?: boolean;
    logger?: {
      send?: (m: SipMessage, target: Remote) => void;
      recv?: (m: SipMessage, remote: Remote) => void;
      error?: (e: unknown) => void;
    };
  }
  export interface Stack {
    send(m: SipMessage, callback?: (rs: SipResponse) => void): void;
    destroy(): void;
    hostname(): string;
  }
  export function create(options: StackOptions, onRequest: (rq: SipRequest, remote: Remote) => void): Stack;
  export function makeResponse(rq: SipRequest, status: number, reason?: string, extension?: { headers?: SipHeaders; content?: string }): SipResponse;
  export function parseUri(s: string | SipUri): SipUri | undefined;
  export function stringifyUri(u: SipUri | string): string;
  export function parse(s: Buffer | string): SipMessage | undefined;
  export function stringify(m: SipMessage): string;
  export function copyMessage<T extends SipMessage>(m: T, deep?: boolean): T;
  export function generateBranch(): string;
  const sip: {
    create: typeof create;
    makeResponse: typeof makeResponse;
    parseUri: typeof parseUri;
    stringifyUri: typeof stringifyUri;
    parse: typeof parse;
    stringify: typeof stringify;
    copyMessage: typeof copyMessage;
    generateBranch: typeof generateBranch;
  };
  export default sip;
}

declare module 'sip/digest' {
  import type { SipMessage } from 'sip';
  export interface DigestSession {
    realm?: string;
    [k: string]: unknown;
  }
  export interface Credentials {
    user: string;
    password?: string;
    realm?: string;
    hash?: string;
  }
  export function signRequest(ctx: DigestSession, rq: SipMessage, rs?: SipMessage, creds?: Credentials): SipMessage;
  export function challenge(ctx: DigestSession, rs: SipMessage): SipMessage;
  export function authenticateRequest(ctx: DigestSession, rq: SipMessage, creds?: Credentials): boolean;
  const digest: { signRequest: typeof signRequest; challenge: typeof challenge; authenticateRequest: typeof authenticateRequest };
  export default digest;
}
