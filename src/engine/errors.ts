/**
 * Errors the engine throws on purpose.
 *
 * - `UserInputError`: the input is at fault; the message says what to change (the bot shows it to the
 *   user, the CLI prints it and exits 2).
 * - `PackError`: the model pack is missing a file or a file is malformed; the message names the file.
 *   Thrown at start-up by `Engine.load`, never deep inside a request.
 * - `UnsupportedError`: the pack cannot do this operation (a CLIP-only pack asked to generate).
 */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
  constructor(
    message: string,
    /** What the message says, as data, for a caller that says it in another language (the bot's French). */
    readonly detail?: UserInputDetail,
  ) {
    super(message);
  }
}

/**
 * The input mistakes a person can make through the bot, as data: `what` is the subject the message
 * names ("The image", "The first image", "toward"…) when it is not the prompt itself.
 */
export type UserInputDetail = { what?: string } & (
  | { code: 'prompt-empty' }
  | { code: 'prompt-chars'; length: number; max: number }
  | { code: 'prompt-tokens'; tokens: number; max: number }
  | { code: 'template-braces' }
  | { code: 'labels-few'; count: number }
  | { code: 'labels-many'; count: number; max: number }
  | { code: 'label-long'; label: string; max: number }
  | { code: 'label-duplicate'; label: string }
  | { code: 'image-empty' }
  | { code: 'image-bytes'; mib: string; maxMib: string }
  | { code: 'image-pixels'; width: number; height: number; maxSide: number; megapixels: string }
  | { code: 'image-corrupt' }
  | { code: 'image-svg' }
  | { code: 'image-format'; format: string }
  | { code: 'image-unreadable' }
  | { code: 'texts-same' }
  | { code: 'from-needed' }
);
export type UserInputCode = UserInputDetail['code'];

export class PackError extends Error {
  override readonly name = 'PackError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export class UnsupportedError extends UserInputError {}

/** Throws the signal's reason (an AbortError by default) if it has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    throw reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
  }
}
