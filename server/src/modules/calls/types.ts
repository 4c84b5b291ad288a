// The seam between the call logic (scripts, dialer, campaigns: `calls/*`) and telephony (`calls/sip`, simulated,
// webhook providers). Agreed before either side was built; change it only together.

/** How an outbound attempt ended, from the dialer's point of view. */
export type Disposition =
  | 'completed' // answered and the script reached an end state
  | 'incomplete' // answered, but the far end hung up (or stopped answering) before an end state
  | 'no-answer' // rang until the ring timeout (we sent CANCEL) or 408/480
  | 'busy' // 486/600
  | 'rejected' // 603 / 403 declined
  | 'invalid-number' // 404/484/604: never redialled, goes to the tracers' wrong-number list
  | 'failed'; // anything else (network, 5xx, unreachable host)

/** One answered call, inbound or outbound, as the script runner sees it. Audio is 8 kHz G.711 µ-law. */
export interface CallSession {
  readonly id: string;
  /** the far end: dialled number / SIP URI (outbound) or caller id (inbound) */
  readonly remote: string;
  readonly direction: 'outbound' | 'inbound';
  readonly answeredAt: Date;
  /**
   * Play audio to the far end. Resolves when all of it was sent, or early when the far end hung up, or (with
   * `bargeIn`) when a DTMF digit arrived (the digit stays queued for `nextDigit`).
   */
  play(ulaw: Buffer, opts?: { bargeIn?: boolean }): Promise<{ hungUp: boolean; interrupted: boolean }>;
  /**
   * The next DTMF digit ('0'-'9', '*', '#') received since the last call, or null after `timeoutMs` or hang-up.
   * `expect` (given with a question's first key) says what the whole answer may be: a provider that collects keys
   * in round trips (TwiML's Gather) asks for all of them at once; one that streams keys (SIP, simulated) ignores it.
   */
  nextDigit(timeoutMs: number, expect?: KeyExpectation): Promise<string | null>;
  /** Drop queued digits (before a question, so keys pressed during an earlier prompt don't answer it). */
  clearDigits(): void;
  /**
   * Optional: record what the caller says (inbound voice messages), as 8 kHz µ-law, until '#' (not queued as a
   * digit), `silenceMs` without voice (when given), `maxMs`, or hang-up.
   */
  record?(maxMs: number, opts?: { silenceMs?: number }): Promise<Recording>;
  /** End the call (BYE); idempotent. */
  hangup(): Promise<void>;
  /** Resolves once the call has ended, by either side. */
  readonly ended: Promise<{ by: 'local' | 'remote'; at: Date }>;
}

/** What a question's answer may be: its allowed keys, and for multi-key answers the terminator and longest length. */
export interface KeyExpectation {
  digits: string;
  terminator?: string;
  maxDigits?: number;
}

export interface Recording {
  ulaw: Buffer;
  endedBy: 'key' | 'silence' | 'max-length' | 'hangup';
}

export interface DialOptions {
  /** caller id to present (the trunk's default when absent) */
  callerId?: string;
  /** give up (CANCEL) after ringing this long */
  ringTimeoutMs: number;
  signal?: AbortSignal;
}

/** What a provider reports for an outbound attempt. `session` is present only when answered. */
export interface DialResult {
  disposition: Exclude<Disposition, 'completed' | 'incomplete'> | 'answered';
  /** the final SIP status (or the provider's equivalent), null when none was received */
  sipCode: number | null;
  reason?: string;
  session?: CallSession;
  /** when the far end started ringing / answered */
  ringingAt?: Date;
  answeredAt?: Date;
}

export interface CallProvider {
  readonly name: string;
  /** max simultaneous calls this provider (trunk) carries */
  readonly maxChannels: number;
  start(): Promise<void>;
  /** Place a call; resolves when it was answered (with a session) or failed. */
  dial(to: string, opts: DialOptions): Promise<DialResult>;
  /** Inbound calls (hotline): the handler owns the session until it resolves; the provider hangs up after. */
  onInbound(handler: (session: CallSession) => Promise<void>): void;
  close(): Promise<void>;
}

/** Renders prompt text to 8 kHz µ-law audio (TTS with cache, or an uploaded recording). */
export type PromptRenderer = (
  text: string,
  opts: {
    language: 'vi' | 'en';
    voice?: string;
    /** `text` before its `{variables}` were filled, with their values: sentences without a variable are rendered
     * once and cached on disk; the others (names, dates: personal data) are rendered per call, never stored */
    template?: string;
    vars?: Record<string, string | number>;
  },
) => Promise<Buffer>;

// ---- call scripts (data, stored per campaign, edited in the web app) ----

export interface CallScript {
  /** the script's code (`vigil calls dial --script <name>`), e.g. 'daily-health-check' */
  name: string;
  /** what people see: the script's name per language (the pages show the user's, else the other, else `name`) */
  title?: { vi?: string; en?: string };
  language: 'vi' | 'en';
  /** espeak-ng voice, e.g. 'vi', 'vi-vn-x-south', 'en' */
  voice?: string;
  start: string;
  states: Record<string, ScriptState>;
}

/** Text may hold variables `{name}`, `{date}`, … filled per call. */
export type ScriptState =
  | { kind: 'say'; text: string; next: string }
  | {
      kind: 'ask';
      text: string;
      /** the answer's name, e.g. 'fever' */
      field: string;
      /** allowed keys, e.g. '12' */
      digits: string;
      /** how long to wait for the first key after the prompt, ms */
      timeoutMs: number;
      /** re-asks after no input or an invalid key */
      retries: number;
      /** multi-digit answers (e.g. a national id) end with this key; single key when absent */
      terminator?: string;
      maxDigits?: number;
      /** text played before re-asking after an invalid key */
      invalidText?: string;
      /** next state by answer; `*` matches any valid answer */
      branches: Record<string, string>;
      /** state when retries are exhausted */
      noInput: string;
    }
  | {
      kind: 'end';
      text?: string;
      outcome: 'completed' | 'wrong-person' | 'incomplete' | 'message';
      /** follow-up fields set by reaching this end, e.g. { symptomatic: true } */
      set?: Record<string, string | number | boolean>;
    };

export interface ScriptResult {
  outcome: 'completed' | 'wrong-person' | 'incomplete' | 'message' | 'hung-up';
  /** field → digits */
  answers: Record<string, string>;
  /** follow-up fields set by the end state */
  set: Record<string, string | number | boolean>;
  /** states visited, in order */
  path: string[];
  endState: string | null;
}
