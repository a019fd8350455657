import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectCorpus, loadCorpora, loadCorpus } from '../../src/corpora/load.js';
import type { CorpusItem, CorpusProblem, LoadedCorpus } from '../../src/corpora/types.js';
import { makeTempDir, removeDir, writeTree } from './helpers.js';

let tmp: string;
before(() => {
  tmp = makeTempDir();
});
after(() => removeDir(tmp));

/** Builds a fixture corpus in its own folder and loads it (detected, not forced). */
async function fixture(
  name: string,
  audio: string[],
  texts: Record<string, string | Buffer> = {},
  dir = '',
): Promise<LoadedCorpus> {
  const root = join(tmp, name);
  writeTree(root, audio, texts);
  return loadCorpus(join(root, dir));
}

const item = (corpus: LoadedCorpus, file: string): CorpusItem => {
  const found = corpus.items.find((i) => basename(i.path) === file);
  assert.ok(found, `${file} should be loaded; problems: ${JSON.stringify(corpus.problems)}`);
  return found;
};
const problemFor = (corpus: LoadedCorpus, file: string): CorpusProblem => {
  const found = corpus.problems.find((p) => p.source.includes(file));
  assert.ok(found, `${file} should be reported as a problem`);
  return found;
};

describe('RAVDESS loader', () => {
  it('reads speech, song and full-AV names, keeps the whole code, reports bad names and duplicates', async () => {
    const c = await fixture('ravdess', [
      'Audio_Speech_Actors_01-24/Actor_01/03-01-05-02-02-01-01.wav',
      'Audio_Speech_Actors_01-24/Actor_12/03-01-01-01-01-02-12.wav',
      'Audio_Song_Actors_01-24/Actor_02/03-02-03-02-01-02-02.wav',
      'Video_Speech_Actor_03/Actor_03/01-01-08-01-02-01-03.mp4',
      'Video_Speech_Actor_03/Actor_03/02-01-08-01-02-01-03.mp4',
      'Audio_Speech_Actors_01-24/Actor_01/03-01-09-01-01-01-01.wav',
      'Audio_Speech_Actors_01-24/Actor_01/03-01-01-02-01-01-01.wav',
      'Audio_Speech_Actors_01-24/Actor_01/03-01-02-01-01-01-05.wav',
      'Audio_Speech_Actors_01-24/Actor_01/readme.wav',
      'audio_speech_actors_01-24/Actor_01/03-01-05-02-02-01-01.wav',
    ]);
    assert.equal(c.corpus, 'ravdess');
    assert.equal(c.items.length, 4);
    const angry = item(c, '03-01-05-02-02-01-01.wav');
    assert.equal(angry.label, 'angry');
    assert.equal(angry.rawLabel, '05');
    assert.equal(angry.speaker, 'Actor_01');
    assert.equal(angry.gender, 'male');
    assert.equal(angry.intensity, '02');
    assert.equal(angry.statement, '02');
    assert.equal(angry.text, 'Dogs are sitting by the door');
    assert.deepEqual(angry.meta, {
      modality: 'audio-only',
      vocalChannel: 'speech',
      repetition: '01',
      actor: 1,
      intensityName: 'strong',
    });
    assert.equal(item(c, '03-01-01-01-01-02-12.wav').gender, 'female');
    const song = item(c, '03-02-03-02-01-02-02.wav');
    assert.equal(song.meta.vocalChannel, 'song');
    assert.equal(song.label, 'happy');
    assert.equal(item(c, '01-01-08-01-02-01-03.mp4').meta.modality, 'full-AV');
    assert.match(problemFor(c, '02-01-08-01-02-01-03.mp4').problem, /video-only/);
    assert.match(problemFor(c, '03-01-09-01-01-01-01.wav').problem, /emotion 09/);
    assert.match(problemFor(c, '03-01-01-02-01-01-01.wav').problem, /neutral has no strong/);
    assert.match(problemFor(c, '03-01-02-01-01-01-05.wav').problem, /folder Actor_01/);
    assert.match(problemFor(c, 'readme.wav').problem, /naming code/);
    assert.match(problemFor(c, 'audio_speech_actors_01-24').problem, /duplicate/);
  });
});

describe('TESS loader', () => {
  it('maps ps to surprised, fear to fearful, and the OA_bite_neutral quirk to speaker OAF', async () => {
    const root = 'TESS Toronto emotional speech set data';
    const c = await fixture('tess', [
      `${root}/OAF_Fear/OAF_back_fear.wav`,
      `${root}/YAF_pleasant_surprised/YAF_bar_ps.wav`,
      `${root}/OAF_neutral/OA_bite_neutral.wav`,
      `${root}/YAF_happy/YAF_dog_joy.wav`,
    ]);
    assert.equal(c.corpus, 'tess');
    assert.equal(item(c, 'OAF_back_fear.wav').label, 'fearful');
    const ps = item(c, 'YAF_bar_ps.wav');
    assert.deepEqual([ps.label, ps.rawLabel, ps.speaker, ps.text], ['surprised', 'ps', 'YAF', 'bar']);
    const quirk = item(c, 'OA_bite_neutral.wav');
    assert.deepEqual([quirk.speaker, quirk.label, quirk.meta.nameQuirk], ['OAF', 'neutral', 'OA']);
    assert.match(problemFor(c, 'YAF_dog_joy.wav').problem, /emotion "joy"/);
  });
});

describe('CREMA-D loader', () => {
  it('reads actor, sentence, emotion and level', async () => {
    const c = await fixture(
      'crema',
      [
        'AudioWAV/1001_DFA_ANG_XX.wav',
        'AudioWAV/1091_IEO_HAP_HI.wav',
        'AudioWAV/1001_DFA_ANG_ZZ.wav',
        'AudioWAV/0999_DFA_ANG_XX.wav',
        'AudioWAV/1002_XYZ_SAD_LO.wav',
      ],
      {
        'VideoDemographics.csv':
          'ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n1091,29,Female,Asian,Not Hispanic\n',
      },
    );
    assert.equal(c.corpus, 'crema-d');
    const hap = item(c, '1091_IEO_HAP_HI.wav');
    assert.deepEqual(
      [hap.label, hap.rawLabel, hap.speaker, hap.intensity, hap.statement, hap.text, hap.meta.intensityName],
      ['happy', 'HAP', '1091', 'HI', 'IEO', "It's eleven o'clock", 'high'],
    );
    assert.equal(item(c, '1001_DFA_ANG_XX.wav').meta.intensityName, 'unspecified');
    assert.deepEqual([hap.gender, hap.meta.age, hap.meta.race], ['female', 29, 'Asian']);
    assert.equal(item(c, '1001_DFA_ANG_XX.wav').gender, 'male');
    assert.match(problemFor(c, '1001_DFA_ANG_ZZ.wav').problem, /level ZZ/);
    assert.match(problemFor(c, '0999_DFA_ANG_XX.wav').problem, /actor 0999/);
    assert.match(problemFor(c, '1002_XYZ_SAD_LO.wav').problem, /sentence code XYZ/);
    assert.equal(c.items.length, 2);
  });
});

describe('SAVEE loader', () => {
  it('reads the original per-speaker folders', async () => {
    const c = await fixture('savee-orig', [
      'AudioData/DC/a01.wav',
      'AudioData/JK/sa03.wav',
      'AudioData/KL/su15.wav',
      'AudioData/JE/n30.wav',
      'AudioData/XX/a01.wav',
    ]);
    assert.equal(c.corpus, 'savee');
    const sa = item(c, 'sa03.wav');
    assert.deepEqual(
      [sa.label, sa.rawLabel, sa.speaker, sa.gender, sa.statement],
      ['sad', 'sa', 'JK', 'male', '03'],
    );
    assert.equal(item(c, 'su15.wav').label, 'surprised');
    assert.equal(item(c, 'n30.wav').speaker, 'JE');
    assert.match(problemFor(c, 'XX/a01.wav').problem, /naming code/);
  });
  it('reads the Kaggle flat form', async () => {
    const c = await fixture('savee-kaggle', [
      'ALL/JE_d05.wav',
      'ALL/DC_n01.wav',
      'ALL/KL_f12.wav',
      'ALL/DC_x01.wav',
    ]);
    assert.equal(c.corpus, 'savee');
    const d = item(c, 'JE_d05.wav');
    assert.deepEqual([d.label, d.speaker, d.statement], ['disgust', 'JE', '05']);
    assert.equal(item(c, 'KL_f12.wav').label, 'fearful');
    assert.equal(c.items.length, 3);
    problemFor(c, 'DC_x01.wav');
  });
});

describe('EmoDB loader', () => {
  it('maps German initials and keeps speaker, text code and version', async () => {
    const c = await fixture('emodb', [
      'wav/03a01Fa.wav',
      'wav/16b10Wb.wav',
      'wav/08a02Lc.wav',
      'wav/09a05Aa.wav',
      'wav/10b01Ea.wav',
      'wav/11a04Ta.wav',
      'wav/12a07Na.wav',
      'wav/05a01Fa.wav',
      'wav/03a01Xa.wav',
    ]);
    assert.equal(c.corpus, 'emodb');
    const expected: Record<string, [string, string, string]> = {
      '03a01Fa.wav': ['happy', '03', 'male'],
      '16b10Wb.wav': ['angry', '16', 'female'],
      '08a02Lc.wav': ['boredom', '08', 'female'],
      '09a05Aa.wav': ['fearful', '09', 'female'],
      '10b01Ea.wav': ['disgust', '10', 'male'],
      '11a04Ta.wav': ['sad', '11', 'male'],
      '12a07Na.wav': ['neutral', '12', 'male'],
    };
    for (const [file, [label, speaker, gender]] of Object.entries(expected)) {
      const it = item(c, file);
      assert.deepEqual([it.label, it.speaker, it.gender], [label, speaker, gender], file);
    }
    const w = item(c, '16b10Wb.wav');
    assert.deepEqual([w.rawLabel, w.statement, w.meta.version, w.meta.age], ['W', 'b10', 'b', 31]);
    assert.match(problemFor(c, '05a01Fa.wav').problem, /speaker 05/);
    assert.match(problemFor(c, '03a01Xa.wav').problem, /letter X/);
  });
});

describe('EMOVO loader', () => {
  it('reads emotion-speaker-sentence with Italian codes', async () => {
    const c = await fixture('emovo', [
      'EMOVO/f1/dis-f1-b1.wav',
      'EMOVO/m3/gio-m3-n5.wav',
      'EMOVO/f2/pau-f2-l4.wav',
      'EMOVO/m1/rab-m1-d2.wav',
      'EMOVO/m2/sor-m2-b3.wav',
      'EMOVO/f3/tri-f3-l1.wav',
      'EMOVO/f3/neu-f3-n1.wav',
      'EMOVO/f3/xyz-f3-n1.wav',
    ]);
    assert.equal(c.corpus, 'emovo');
    const labels = Object.fromEntries(c.items.map((i) => [i.rawLabel, i.label]));
    assert.deepEqual(labels, {
      dis: 'disgust',
      gio: 'happy',
      pau: 'fearful',
      rab: 'angry',
      sor: 'surprised',
      tri: 'sad',
      neu: 'neutral',
    });
    const gio = item(c, 'gio-m3-n5.wav');
    assert.deepEqual([gio.speaker, gio.gender, gio.statement], ['m3', 'male', 'n5']);
    assert.equal(item(c, 'dis-f1-b1.wav').gender, 'female');
    assert.match(problemFor(c, 'xyz-f3-n1.wav').problem, /emotion xyz/);
  });
});

describe('URDU loader', () => {
  it('takes the speaker from the first name part and checks the emotion folder', async () => {
    const c = await fixture('urdu', [
      'URDU-Dataset/Angry/SM1_F01_A12.wav',
      'URDU-Dataset/Happy/SF3_F10_H05.wav',
      'URDU-Dataset/Neutral/SM20_F2_N30.wav',
      'URDU-Dataset/Sad/SM2_F1_A01.wav',
      'URDU-Dataset/Sad/x.wav',
    ]);
    assert.equal(c.corpus, 'urdu');
    const a = item(c, 'SM1_F01_A12.wav');
    assert.deepEqual([a.label, a.rawLabel, a.speaker, a.gender], ['angry', 'A', 'SM1', 'male']);
    const h = item(c, 'SF3_F10_H05.wav');
    assert.deepEqual([h.speaker, h.gender, h.label], ['SF3', 'female', 'happy']);
    assert.equal(item(c, 'SM20_F2_N30.wav').speaker, 'SM20');
    assert.match(problemFor(c, 'SM2_F1_A01.wav').problem, /folder Sad/);
    problemFor(c, 'x.wav');
  });
});

describe('MESD loader', () => {
  it('reads emotion, voice type, word corpus and word', async () => {
    const c = await fixture('mesd', [
      'Mexican Emotional Speech Database (MESD)/Anger_C_A_abajo.wav',
      'Mexican Emotional Speech Database (MESD)/Happiness_F_B_mi_casa.wav',
      'Mexican Emotional Speech Database (MESD)/Sadness_M_A_abajo.wav',
      'Mexican Emotional Speech Database (MESD)/Neutral_F_A_abajo.wav',
      'Mexican Emotional Speech Database (MESD)/Boredom_F_A_abajo.wav',
    ]);
    assert.equal(c.corpus, 'mesd');
    const anger = item(c, 'Anger_C_A_abajo.wav');
    assert.deepEqual(
      [
        anger.label,
        anger.rawLabel,
        anger.speaker,
        anger.gender,
        anger.text,
        anger.meta.voiceType,
        anger.meta.wordCorpus,
      ],
      ['angry', 'Anger', 'C', undefined, 'abajo', 'child', 'A'],
    );
    const happy = item(c, 'Happiness_F_B_mi_casa.wav');
    assert.deepEqual([happy.label, happy.gender, happy.text], ['happy', 'female', 'mi casa']);
    problemFor(c, 'Boredom_F_A_abajo.wav');
  });
});

describe('ESD loader', () => {
  it('reads labels from emotion folders, speakers from names, transcripts (UTF-8 and GB18030)', async () => {
    const c = await fixture(
      'esd',
      [
        'Emotion Speech Dataset/0011/Angry/0011_000351.wav',
        'Emotion Speech Dataset/0011/Angry/train/0011_000352.wav',
        'Emotion Speech Dataset/0011/Surprise/evaluation/0011_001401.wav',
        'Emotion Speech Dataset/0001/Happy/0001_000701.wav',
        'Emotion Speech Dataset/0011/Angry/0011_000351_copy.wav',
        'Emotion Speech Dataset/0012/Angry/0011_000400.wav',
      ],
      {
        'Emotion Speech Dataset/0011/0011.txt':
          '0011_000351\tThe nine the eggs.\tAngry\n0011_000352\tI know.\tAngry\n',
        'Emotion Speech Dataset/0001/0001.txt': Buffer.concat([
          Buffer.from('0001_000701\t', 'ascii'),
          Buffer.from('d6d0cec4', 'hex'),
          Buffer.from('\t', 'ascii'),
          Buffer.from('bfecc0d6', 'hex'),
          Buffer.from('\n', 'ascii'),
        ]),
      },
    );
    assert.equal(c.corpus, 'esd');
    const a = item(c, '0011_000351.wav');
    assert.deepEqual(
      [a.label, a.rawLabel, a.speaker, a.text, a.meta.language],
      ['angry', 'Angry', '0011', 'The nine the eggs.', 'en'],
    );
    assert.equal(item(c, '0011_000352.wav').split, 'train');
    const s = item(c, '0011_001401.wav');
    assert.deepEqual([s.label, s.split], ['surprised', 'evaluation']);
    const zh = item(c, '0001_000701.wav');
    assert.deepEqual(
      [zh.text, zh.meta.transcriptEmotion, zh.meta.language, zh.label],
      ['中文', '快乐', 'zh', 'happy'],
    );
    problemFor(c, '0011_000351_copy.wav');
    assert.match(problemFor(c, '0011_000400.wav').problem, /folder 0012/);
  });
});

describe('JL-Corpus loader', () => {
  it('reads primary and secondary emotions, speaker, sentence and session', async () => {
    const c = await fixture('jl', [
      'JL(wav+txt)/male1_angry_5a_1.wav',
      'JL(wav+txt)/female2_apologetic_10b_2.wav',
      'JL(wav+txt)/female1_excited_1a_1.wav',
      'JL(wav+txt)/male1_bored_5a_1.wav',
    ]);
    assert.equal(c.corpus, 'jl-corpus');
    const a = item(c, 'male1_angry_5a_1.wav');
    assert.deepEqual(
      [a.label, a.speaker, a.gender, a.statement, a.session, a.meta.emotionKind],
      ['angry', 'male1', 'male', '5a', '1', 'primary'],
    );
    const ap = item(c, 'female2_apologetic_10b_2.wav');
    assert.deepEqual(
      [ap.label, ap.speaker, ap.gender, ap.meta.emotionKind],
      ['apologetic', 'female2', 'female', 'secondary'],
    );
    assert.equal(item(c, 'female1_excited_1a_1.wav').label, 'excited');
    assert.match(problemFor(c, 'male1_bored_5a_1.wav').problem, /"bored"/);
  });
});

describe('ASVP-ESD loader', () => {
  it('reads the documented 10-field code (and shorter variants)', async () => {
    const c = await fixture('asvp', [
      'ASVP-ESD-Update/Audio/actor_12/03-01-06-01-02-12-02-01-01-16.wav',
      'ASVP-ESD-Update/Audio/actor_07/03-02-11-02-05-07-03-03-02-77.wav',
      'ASVP-ESD-Update/Audio/actor_13/03-01-01-01-01-13-02-01.wav',
      'ASVP-ESD-Update/Audio/actor_13/03-01-14-01-01-13-02-01-01-01.wav',
    ]);
    assert.equal(c.corpus, 'asvp-esd');
    const fear = item(c, '03-01-06-01-02-12-02-01-01-16.wav');
    assert.deepEqual(
      [fear.label, fear.rawLabel, fear.speaker, fear.gender, fear.intensity, fear.statement],
      ['fearful', '06', 'actor_12', 'male', '01', '02'],
    );
    assert.deepEqual(
      [
        fear.meta.vocalChannel,
        fear.meta.ageGroup,
        fear.meta.source,
        fear.meta.language,
        fear.meta.similarity,
      ],
      ['speech', '20-64', '01', '01', '16'],
    );
    const pain = item(c, '03-02-11-02-05-07-03-03-02-77.wav');
    assert.deepEqual(
      [pain.label, pain.gender, pain.meta.vocalChannel, pain.meta.condition],
      ['pain', 'female', 'non-speech', 'high-noise environment'],
    );
    const boredom = item(c, '03-01-01-01-01-13-02-01.wav');
    assert.deepEqual([boredom.label, boredom.meta.language], ['boredom', undefined]);
    assert.match(problemFor(c, '03-01-14-01-01-13-02-01-01-01.wav').problem, /emotion 14/);
  });
});

describe('IEMOCAP loader', () => {
  it('joins EmoEvaluation labels, sentence audio and transcripts; speaker = session + utterance gender', async () => {
    const evaluation = [
      '% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]',
      '',
      '[6.2901 - 8.2357]\tSes01F_impro01_F000\tneu\t[2.5000, 2.5000, 2.5000]',
      'C-E2:\tNeutral;\t()',
      'A-E3:\tval 3; act 2; dom  2;\t()',
      '',
      '[10.0100 - 11.3925]\tSes01F_impro01_M000\tfru\t[2.0000, 3.5000, 3.5000]',
      '',
      '[12.0000 - 13.0000]\tSes01F_impro01_F001\txxx\t[2.5000, 3.0000, 3.0000]',
      '',
      '[14.0000 - 15.0000]\tSes01F_impro01_F002\tneu\t[2.5000, 2.5000, 2.5000]',
      '',
      '[16.0000 - 17.0000]\tSes01F_impro01_M001\tzzz\t[2.5000, 2.5000, 2.5000]',
    ].join('\n');
    const transcript = [
      'Ses01F_impro01_F000 [006.2901-008.2357]: Excuse me.',
      'Ses01F_impro01_M000 [010.0100-011.3925]: Do you have your forms?',
    ].join('\n');
    const c = await fixture(
      'iemocap',
      [
        'IEMOCAP_full_release/Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav',
        'IEMOCAP_full_release/Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M000.wav',
        'IEMOCAP_full_release/Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F001.wav',
        'IEMOCAP_full_release/Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M001.wav',
        'IEMOCAP_full_release/Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M009.wav',
        'IEMOCAP_full_release/Session2/sentences/wav/Ses02M_script01_1/Ses02M_script01_1_F003.wav',
        'IEMOCAP_full_release/Session1/dialog/wav/Ses01F_impro01.wav',
      ],
      {
        'IEMOCAP_full_release/Session1/dialog/EmoEvaluation/Ses01F_impro01.txt': evaluation,
        'IEMOCAP_full_release/Session1/dialog/EmoEvaluation/Categorical/Ses01F_impro01_e1_cat.txt':
          'Ses01F_impro01_F000 :Neutral state; ()',
        'IEMOCAP_full_release/Session1/dialog/transcriptions/Ses01F_impro01.txt': transcript,
        'IEMOCAP_full_release/Session2/dialog/EmoEvaluation/Ses02M_script01_1.txt':
          '[1.0000 - 2.5000]\tSes02M_script01_1_F003\texc\t[4.0000, 4.0000, 3.0000]\n',
      },
    );
    assert.equal(c.corpus, 'iemocap');
    const f0 = item(c, 'Ses01F_impro01_F000.wav');
    assert.deepEqual(
      [f0.label, f0.rawLabel, f0.speaker, f0.gender, f0.session, f0.text],
      ['neutral', 'neu', 'Ses01F', 'female', 'Ses01', 'Excuse me.'],
    );
    assert.deepEqual(
      [f0.meta.dialog, f0.meta.dialogType, f0.meta.dialogStart, f0.meta.dialogEnd, f0.meta.valence],
      ['Ses01F_impro01', 'improvised', 6.2901, 8.2357, 2.5],
    );
    const m0 = item(c, 'Ses01F_impro01_M000.wav');
    assert.deepEqual(
      [m0.label, m0.speaker, m0.gender, m0.meta.activation],
      ['frustrated', 'Ses01M', 'male', 3.5],
    );
    assert.equal(item(c, 'Ses01F_impro01_F001.wav').label, 'undecided');
    const script = item(c, 'Ses02M_script01_1_F003.wav');
    assert.deepEqual(
      [script.label, script.speaker, script.session, script.meta.dialogType],
      ['excited', 'Ses02F', 'Ses02', 'scripted'],
    );
    assert.match(problemFor(c, 'Ses01F_impro01.txt:11').problem, /no audio/);
    assert.match(problemFor(c, 'Ses01F_impro01.txt:13').problem, /emotion zzz/);
    assert.match(problemFor(c, 'Ses01F_impro01_M009.wav').problem, /no EmoEvaluation line/);
    assert.match(problemFor(c, 'Ses01F_impro01_M001.wav').problem, /no EmoEvaluation line/);
    assert.equal(c.items.length, 4);
  });
});

describe('MELD loader', () => {
  it('lists media per split with the CSV metadata, prefers extracted audio, reports missing media', async () => {
    const header =
      'Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime';
    const c = await fixture(
      'meld',
      [
        'MELD.Raw/train/train_splits/dia0_utt0.mp4',
        'MELD.Raw/dev/dev_splits_complete/dia1_utt2.mp4',
        'MELD.Raw/dev/dev_splits_complete/dia1_utt2.wav',
        'MELD.Raw/test/output_repeated_splits_test/dia5_utt1.mp4',
      ],
      {
        'MELD.Raw/train_sent_emo.csv': `${header}\n1,"also I was the point person on my company's transition from the KL-5 to GR-6 system.",Chandler,neutral,neutral,0,0,8,21,"00:16:16,059","00:16:21,731"\n2,"You must've had your hands full.",The Interviewer,joy,positive,0,1,8,21,"00:16:21,940","00:16:23,442"\n`,
        'MELD.Raw/dev_sent_emo.csv': `${header}\n1,"Oh, my God!",Monica,surprise,positive,1,2,4,7,"00:10:00,000","00:10:01,000"\n`,
        'MELD.Raw/test_sent_emo.csv': `${header}\n1,Why?,Ross,sadness,negative,5,1,1,1,"00:00:01,000","00:00:02,000"\n2,What?,Ross,bored,negative,5,2,1,1,"00:00:01,000","00:00:02,000"\n`,
      },
    );
    assert.equal(c.corpus, 'meld');
    const first = item(c, 'dia0_utt0.mp4');
    assert.deepEqual(
      [
        first.label,
        first.rawLabel,
        first.speaker,
        first.split,
        first.meta.sentiment,
        first.meta.season,
        first.meta.needsFfmpeg,
      ],
      ['neutral', 'neutral', 'Chandler', 'train', 'neutral', 8, true],
    );
    assert.match(first.text!, /KL-5 to GR-6 system\.$/);
    assert.equal(first.meta.startTime, '00:16:16,059');
    const dev = item(c, 'dia1_utt2.wav');
    assert.deepEqual(
      [dev.label, dev.split, dev.text, dev.meta.needsFfmpeg],
      ['surprised', 'dev', 'Oh, my God!', false],
    );
    assert.equal(item(c, 'dia5_utt1.mp4').label, 'sad');
    assert.match(problemFor(c, 'train_sent_emo.csv:3').problem, /no media dia0_utt1/);
    assert.match(problemFor(c, 'test_sent_emo.csv:3').problem, /"bored"/);
    assert.equal(c.items.length, 3);
  });
});

describe('CMU-MOSEI loader', () => {
  it('labels by arg-max intensity or neutral, keeps the intensity vector, uses segments or whole videos', async () => {
    const csv = [
      'video_id,segment_id,start,end,happy,sad,anger,surprise,disgust,fear',
      'abc,1,0.0,3.2,0,1.6667,0.3333,0,0,0',
      'abc,2,3.2,6.0,0,0,0,0,0,0',
      'xyz,4,10.5,12.0,1,0,0,0,0,1',
      'abc,3,6.0,8.0,NaN,0,0,0,0,0',
      'nope,1,0,1,1,0,0,0,0,0',
    ].join('\n');
    const c = await fixture(
      'mosei',
      [
        'CMU_MOSEI/Audio/Segmented/abc_1.wav',
        'CMU_MOSEI/Audio/Segmented/abc_2.wav',
        'CMU_MOSEI/Audio/Full/xyz.wav',
      ],
      { 'CMU_MOSEI/mosei_labels.csv': csv },
    );
    assert.equal(c.corpus, 'cmu-mosei');
    const sad = item(c, 'abc_1.wav');
    assert.deepEqual([sad.label, sad.rawLabel, sad.speaker, sad.start], ['sad', 'sad', 'abc', undefined]);
    assert.deepEqual(sad.meta.intensities, {
      happy: 0,
      sad: 1.6667,
      anger: 0.3333,
      surprise: 0,
      disgust: 0,
      fear: 0,
    });
    const neutral = item(c, 'abc_2.wav');
    assert.deepEqual([neutral.label, neutral.rawLabel], ['neutral', 'none']);
    const whole = item(c, 'xyz.wav');
    assert.deepEqual([whole.label, whole.meta.tie, whole.start, whole.end], ['happy', true, 10.5, 12]);
    assert.match(problemFor(c, 'mosei_labels.csv:5').problem, /happy intensity "NaN"/);
    assert.match(problemFor(c, 'mosei_labels.csv:6').problem, /no audio/);
  });

  it('keeps the optional sentiment score in [-3, 3] as meta.sentiment and the transcript as text', async () => {
    const csv = [
      'video_id,segment_id,sentiment,text,happy,sad,anger,surprise,disgust,fear',
      'v1,1,1.3333,"so good, really",1,0,0,0,0,0',
      'v1,2,,,0,1,0,0,0,0',
      'v1,3,4.5,x,0,1,0,0,0,0',
    ].join('\n');
    const c = await fixture('mosei-sentiment', ['v1_1.wav', 'v1_2.wav', 'v1_3.wav'], { 'labels.csv': csv });
    assert.equal(item(c, 'v1_1.wav').meta.sentiment, 1.3333);
    assert.equal(item(c, 'v1_1.wav').text, 'so good, really');
    assert.equal(item(c, 'v1_2.wav').text, undefined);
    assert.equal(item(c, 'v1_2.wav').meta.sentiment, undefined);
    assert.match(problemFor(c, 'labels.csv:4').problem, /sentiment "4.5"/);
  });
});

describe('generic loaders', () => {
  it('folder per label: label from the folder, unknown words kept, loose files reported', async () => {
    const c = await fixture('folders', [
      'angry/a.wav',
      'Joy/b.wav',
      'sarcastic/c.wav',
      'Sad/d.flac',
      'loose.wav',
    ]);
    assert.equal(c.corpus, 'folders');
    assert.deepEqual(
      c.items.map((i) => [basename(i.path), i.label, i.rawLabel, i.speaker]),
      [
        ['b.wav', 'happy', 'Joy', ''],
        ['d.flac', 'sad', 'Sad', ''],
        ['a.wav', 'angry', 'angry', ''],
        ['c.wav', 'sarcastic', 'sarcastic', ''],
      ],
    );
    problemFor(c, 'loose.wav');
  });

  it('CSV manifest: path,label[,speaker,text,...] relative to the manifest, missing files reported', async () => {
    const c = await fixture('manifest', ['clips/a.wav', 'clips/b.wav'], {
      'manifest.csv':
        'path,label,speaker,text,gender,age\nclips/a.wav,anger,spk1,"Hello, there",F,30\nclips/b.wav,calm,spk2,,,\nclips/missing.wav,sad,spk3,,,\n',
    });
    assert.equal(c.corpus, 'manifest');
    const a = item(c, 'a.wav');
    assert.deepEqual(
      [a.label, a.rawLabel, a.speaker, a.text, a.gender, a.meta.age],
      ['angry', 'anger', 'spk1', 'Hello, there', 'female', '30'],
    );
    assert.equal(item(c, 'b.wav').label, 'calm');
    assert.match(problemFor(c, 'manifest.csv:4').problem, /missing\.wav not found/);
  });

  it('JSONL manifest given as a file', async () => {
    const root = join(tmp, 'jsonl');
    writeTree(root, ['x/1.wav'], {
      'list.jsonl':
        '{"path":"x/1.wav","label":"happy","speaker":"s1","session":"2"}\n{"path":"x/2.wav","label":"sad"}\nnot json\n',
    });
    const c = await loadCorpus(join(root, 'list.jsonl'));
    assert.equal(c.items.length, 1, 'a malformed line is skipped; the good lines are kept');
    assert.deepEqual(
      c.problems.map((p) => [p.source.replace(root, ''), p.problem.replace(/ \(.*\)/, ''), p.failed]),
      [
        ['/list.jsonl:2', 'audio file x/2.wav not found', true],
        ['/list.jsonl:3', 'not a JSON object; line skipped', true],
      ],
    );
    writeTree(root, [], {
      'list.jsonl':
        '{"path":"x/1.wav","label":"happy","speaker":"s1","session":"2"}\n{"path":"x/2.wav","label":"sad"}\n',
    });
    const ok = await loadCorpus(join(root, 'list.jsonl'));
    assert.deepEqual(
      ok.items.map((i) => [i.label, i.speaker, i.session]),
      [['happy', 's1', '2']],
    );
    assert.match(ok.problems[0].problem, /2\.wav not found/);
  });
});

describe('detection and combination', () => {
  it('detects from a sub-folder, honours a forced corpus, rejects unknown layouts, combines corpora', async () => {
    const ravdess = join(tmp, 'ravdess');
    const emodb = join(tmp, 'emodb');
    const sub = await loadCorpus(join(ravdess, 'Audio_Speech_Actors_01-24', 'Actor_12'));
    assert.equal(sub.corpus, 'ravdess');
    assert.equal(sub.items.length, 1);
    const detected = await detectCorpus(emodb);
    assert.equal(detected.corpus, 'emodb');
    assert.equal(detected.scores[0].score, 1, 'names with a bad code still have the EmoDB shape');
    const forced = await loadCorpus(join(tmp, 'urdu'), { corpus: 'folders' });
    assert.equal(forced.corpus, 'folders');
    assert.equal(forced.items.find((i) => i.rawLabel === 'Angry')?.label, 'angry');
    await assert.rejects(loadCorpus(ravdess, { corpus: 'nosuch' }), /unknown corpus/);
    const empty = join(tmp, 'empty');
    writeTree(empty, ['x/zz_1.wav'], { 'notes.txt': 'x' });
    await assert.rejects(loadCorpus(empty), /no known corpus layout/);
    await assert.rejects(loadCorpus(join(tmp, 'does-not-exist')), /does not exist/);
    const both = await loadCorpora([emodb, join(tmp, 'emovo')]);
    assert.deepEqual(
      both.corpora.map((c) => c.corpus),
      ['emodb', 'emovo'],
    );
    assert.equal(both.items.length, 7 + 7);
    assert.equal(both.problems.length, 2 + 1);
  });
});
