/** Every button, modal and reaction handler, in the order the router asks them. A new one is one file and one line here. */
import type { Handler } from '../handler.ts';
import { again } from './again.ts';
import { cancel } from './cancel.ts';
import { cellReaction } from './cell-reaction.ts';
import { classifyLabels } from './classify-labels.ts';
import { upscale } from './upscale.ts';
import { variations } from './variations.ts';
import { vote } from './vote.ts';
import { voteReaction } from './vote-reaction.ts';

export const HANDLERS: readonly Handler[] = [variations, upscale, again, cancel, vote, classifyLabels, cellReaction, voteReaction];
