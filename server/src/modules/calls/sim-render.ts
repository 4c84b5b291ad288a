// The simulated provider's prompt renderer: µ-law silence as long as the text would take to speak (about 14
// characters a second), so simulated calls last as long as real ones without running TTS.
import type { PromptRenderer } from './types';

const CHARS_PER_SECOND = 14;
const ULAW_SILENCE = 0xff;

export const silentRenderer: PromptRenderer = async (text) => Buffer.alloc(Math.ceil((text.length / CHARS_PER_SECOND) * 8000), ULAW_SILENCE);
