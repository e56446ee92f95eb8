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
}

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
