// Dialogue context: the previous utterances of the same conversation, joined before the
// utterance with a separator token, for text models that read context (MELD, IEMOCAP). Browser-safe.
import { EmovoxParameterError } from '../util/errors.js';
import { CLS_ID, SEP_ID } from './word-vocab.js';

/** One utterance of a conversation, as a context builder needs it. */
export interface DialogueTurn {
  /** Conversation id (MELD: split + Dialogue_ID); turns of different dialogues never mix. */
  dialogue: string;
  /** Position in the conversation (MELD: Utterance_ID); earlier turns have smaller numbers. */
  turn: number;
  text: string;
  /** Who speaks (optional; `speakers: true` prefixes each context turn with it). */
  speaker?: string;
}

/** The items of each dialogue, in turn order. */
function turnsByDialogue(items: readonly DialogueTurn[]): Map<string, DialogueTurn[]> {
  const byDialogue = new Map<string, DialogueTurn[]>();
  for (const item of items) {
    const list = byDialogue.get(item.dialogue) ?? [];
    list.push(item);
    byDialogue.set(item.dialogue, list);
  }
  for (const list of byDialogue.values()) list.sort((a, b) => a.turn - b.turn);
  return byDialogue;
}

/**
 * The texts of the `turns` utterances before each item in its dialogue, oldest first.
 * Items may come in any order; an item whose dialogue has no earlier turn gets [].
 * @param items - utterances with dialogue id and turn number.
 * @param turns - how many previous utterances (default 2; 0 gives [] for all).
 * @param speakers - prefix each context text with "speaker: " (default false).
 * @returns one array per item, in the order of `items`.
 */
export function previousTurns(items: readonly DialogueTurn[], turns = 2, speakers = false): string[][] {
  if (!Number.isInteger(turns) || turns < 0)
    throw new EmovoxParameterError('turns', `must be an integer >= 0, got ${turns}`);
  const byDialogue = turnsByDialogue(items);
  return items.map((item) => {
    if (turns === 0) return [];
    const list = byDialogue.get(item.dialogue)!;
    const before = list.filter((t) => t.turn < item.turn).slice(-turns);
    return before.map((t) => (speakers && t.speaker ? `${t.speaker}: ${t.text}` : t.text));
  });
}

/**
 * The texts of the `turns` utterances after each item in its dialogue, nearest first: the replies
 * an utterance gets (offline classification of a finished conversation, as bidirectional
 * dialogue models read it). Items may come in any order; the last turn of a dialogue gets [].
 * @param items - utterances with dialogue id and turn number.
 * @param turns - how many following utterances (0 gives [] for all).
 * @param speakers - prefix each text with "speaker: " (default false).
 * @returns one array per item, in the order of `items`.
 */
export function followingTurns(items: readonly DialogueTurn[], turns: number, speakers = false): string[][] {
  if (!Number.isInteger(turns) || turns < 0)
    throw new EmovoxParameterError('turns', `must be an integer >= 0, got ${turns}`);
  const byDialogue = turnsByDialogue(items);
  return items.map((item) => {
    if (turns === 0) return [];
    const after = byDialogue
      .get(item.dialogue)!
      .filter((t) => t.turn > item.turn)
      .slice(0, turns);
    return after.map((t) => (speakers && t.speaker ? `${t.speaker}: ${t.text}` : t.text));
  });
}

/** Options of {@link encodeDialogue}. */
export interface DialogueEncodeOptions {
  /** Total ids at most (default 128). The utterance keeps its first ids; context loses its oldest. */
  maxLength?: number;
  /** Start with {@link CLS_ID} (default false). */
  cls?: boolean;
  /** Separator id between turns (default {@link SEP_ID}). */
  sep?: number;
  /**
   * Encoder of the context turns (default: `encode`); e.g. one that gives context words ids of
   * their own so a model can tell them from the utterance's words.
   */
  encodeContext?: (text: string) => number[];
  /** Following turns, nearest first (e.g. from {@link followingTurns}; default none). */
  following?: readonly string[];
  /** Encoder of the following turns (default: `encodeContext`, else `encode`). */
  encodeFollowing?: (text: string) => number[];
}

/**
 * Ids of `context₁ [SEP] context₂ [SEP] utterance` (optionally after [CLS]), then, with
 * `following` turns, `[SEP] next₁ [SEP] next₂`: previous turns oldest first, so a model reads the
 * conversation in order. The utterance keeps its ids first; when the rest does not fit, previous
 * and following turns share the remaining budget equally (a side that needs less gives its
 * share to the other), losing the ids farthest from the utterance: the oldest context ids and the
 * last following ids. The utterance is cut only when it alone is longer than the budget. With no
 * context the result is the utterance alone (no separator).
 * @param encode - text → ids (e.g. `(t) => vocab.encode(t)`).
 * @param utterance - the utterance to classify.
 * @param context - previous turns, oldest first (e.g. from {@link previousTurns}).
 */
export function encodeDialogue(
  encode: (text: string) => number[],
  utterance: string,
  context: readonly string[],
  options: DialogueEncodeOptions = {},
): number[] {
  const maxLength = options.maxLength ?? 128;
  if (!Number.isInteger(maxLength) || maxLength < 2)
    throw new EmovoxParameterError('maxLength', `must be an integer >= 2, got ${maxLength}`);
  const sep = options.sep ?? SEP_ID;
  const head = options.cls ? [CLS_ID] : [];
  const own = encode(utterance).slice(0, maxLength - head.length);
  const ctx: number[] = [];
  const encodeContext = options.encodeContext ?? encode;
  for (const text of context) ctx.push(...encodeContext(text), sep);
  const next: number[] = [];
  const encodeFollowing = options.encodeFollowing ?? encodeContext;
  for (const text of options.following ?? []) next.push(sep, ...encodeFollowing(text));
  const budget = Math.max(0, maxLength - head.length - own.length);
  let forNext = Math.min(next.length, Math.max(budget - ctx.length, Math.floor(budget / 2)));
  const forCtx = Math.min(ctx.length, budget - forNext);
  forNext = Math.min(next.length, budget - forCtx);
  // A context cut in the middle of a turn starts with that turn's remaining words: fine for a
  // model, and always ends with the separator before the utterance.
  const kept = ctx.slice(ctx.length - forCtx);
  return [...head, ...kept, ...own, ...next.slice(0, forNext)];
}
