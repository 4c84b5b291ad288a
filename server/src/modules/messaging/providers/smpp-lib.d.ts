// The parts of npm `smpp` (0.5, no bundled types) that Vigil uses.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';

  export interface PDU {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
  }
  export class Session extends EventEmitter {
    socket: import('node:net').Socket;
    send(pdu: PDU, responseCallback?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    [command: string]: unknown;
  }
  export interface Server extends NetServer {
    sessions: Session[];
  }
  export class PDU {
    constructor(command: string, options?: Record<string, unknown>);
  }
  export function connect(options: { host: string; port: number; tls?: boolean; auto_enquire_link_period?: number }, listener?: () => void): Session;
  export function createServer(options: Record<string, unknown>, listener: (session: Session) => void): Server;
  export function createServer(listener: (session: Session) => void): Server;
  export const encodings: { ASCII: { match(s: string): boolean } };
  export const ESME_ROK: number;
  export const errors: Record<string, number>;
  export const consts: { ESM_CLASS: Record<string, number>; MESSAGE_STATE: Record<string, number>; ENCODING: Record<string, number> };
}
