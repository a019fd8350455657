import { join } from 'node:path';
import { isAudioPath, parentName, stemOf } from '../files.js';
import { canonicalLabel } from '../taxonomy.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem } from '../types.js';
import { readTextFile } from './text.js';

const EVALUATION_LINE =
  /^\[\s*([\d.]+)\s*-\s*([\d.]+)\s*\]\s+(\S+)\s+(\S+)\s+\[\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\]/;
const TRANSCRIPT_LINE = /^(\S+)\s+\[[\d.]+-[\d.]+\]:\s?(.*)$/;
const UTTERANCE = /^(Ses\d{2})[FM]_(.+)_([FM])(\d+)$/;

const isEvaluationFile = (rel: string): boolean =>
  parentName(rel) === 'EmoEvaluation' && rel.endsWith('.txt') && /(^|\/)dialog\/EmoEvaluation\//.test(rel);
const isTranscriptFile = (rel: string): boolean =>
  parentName(rel) === 'transcriptions' && rel.endsWith('.txt') && /(^|\/)dialog\/transcriptions\//.test(rel);
const isSentenceAudio = (rel: string): boolean => isAudioPath(rel) && /(^|\/)sentences\/wav\//.test(rel);

/**
 * IEMOCAP: labels from `Session*\/dialog/EmoEvaluation/<dialog>.txt` lines
 * `[6.2901 - 8.2357]<TAB>Ses01F_impro01_F000<TAB>neu<TAB>[2.5000, 2.5000, 2.5000]` (valence,
 * activation, dominance), audio from `Session*\/sentences/wav/<dialog>/<utterance>.wav`,
 * transcripts from `dialog/transcriptions/<dialog>.txt`. The speaker is the session plus the
 * gender of the utterance's own speaker (`F` of `F000`), e.g. `Ses01M` for `Ses01F_impro01_M003`;
 * `session` is `Ses01`..`Ses05` for leave-one-session-out.
 */
export const iemocapLoader: CorpusLoader = {
  name: 'iemocap',
  title: 'IEMOCAP',
  detect(listing) {
    const evaluations = listing.files.filter(isEvaluationFile).length;
    return evaluations > 0 && listing.files.some(isSentenceAudio) ? 1 : 0;
  },
  async load(listing: CorpusListing) {
    const items: CorpusItem[] = [];
    const problems: CorpusProblem[] = [];
    const audio = new Map<string, string>();
    for (const rel of listing.files.filter(isSentenceAudio)) audio.set(stemOf(rel), rel);
    const transcripts = new Map<string, string>();
    for (const rel of listing.files.filter(isTranscriptFile)) {
      try {
        for (const line of (await readTextFile(join(listing.root, rel))).split(/\r?\n/)) {
          const match = TRANSCRIPT_LINE.exec(line.trim());
          if (match) transcripts.set(match[1], match[2].trim());
        }
      } catch (error) {
        problems.push({
          source: join(listing.root, rel),
          problem: `transcript unreadable (${(error as Error).message})`,
        });
      }
    }
    const labelled = new Set<string>();
    for (const rel of listing.files.filter(isEvaluationFile)) {
      const source = join(listing.root, rel);
      let text: string;
      try {
        text = await readTextFile(source);
      } catch (error) {
        problems.push({ source, problem: `annotation unreadable (${(error as Error).message})` });
        continue;
      }
      text.split(/\r?\n/).forEach((line, index) => {
        if (!line.startsWith('[')) return;
        const where = `${source}:${index + 1}`;
        const match = EVALUATION_LINE.exec(line);
        if (!match) {
          problems.push({
            source: where,
            problem: 'evaluation line does not read as [start - end] utterance emotion [V, A, D]',
          });
          return;
        }
        const [, start, end, utterance, emotion, valence, activation, dominance] = match;
        const parts = UTTERANCE.exec(utterance);
        if (!parts) {
          problems.push({
            source: where,
            problem: `utterance id ${utterance} does not read as SesNN<F|M>_<dialog>_<F|M>NNN`,
          });
          return;
        }
        const label = canonicalLabel('iemocap', emotion);
        if (!label) {
          problems.push({ source: where, problem: `emotion ${emotion} is not an IEMOCAP category` });
          return;
        }
        labelled.add(utterance);
        const audioRel = audio.get(utterance);
        if (!audioRel) {
          problems.push({
            source: where,
            problem: `no audio sentences/wav/.../${utterance}.wav for this label`,
          });
          return;
        }
        const [, session, , gender] = parts;
        const dialog = utterance.slice(0, utterance.lastIndexOf('_'));
        const transcript = transcripts.get(utterance);
        items.push({
          path: join(listing.root, audioRel),
          corpus: 'iemocap',
          id: utterance,
          label,
          rawLabel: emotion,
          speaker: `${session}${gender}`,
          gender: gender === 'F' ? 'female' : 'male',
          session,
          ...(transcript !== undefined ? { text: transcript } : {}),
          meta: {
            dialog,
            dialogType: dialog.includes('_impro')
              ? 'improvised'
              : dialog.includes('_script')
                ? 'scripted'
                : 'unknown',
            dialogStart: Number(start),
            dialogEnd: Number(end),
            valence: Number(valence),
            activation: Number(activation),
            dominance: Number(dominance),
          },
        });
      });
    }
    for (const [utterance, rel] of audio) {
      if (!labelled.has(utterance)) {
        problems.push({
          source: join(listing.root, rel),
          problem: 'no EmoEvaluation line labels this utterance',
        });
      }
    }
    return { items, problems };
  },
};
