// The microphone: getUserMedia -> an AudioWorklet that posts mono chunks at the audio
// context's rate. No echo cancellation, noise suppression or gain control: the model was
// trained on unprocessed recordings.

/** A running capture. */
export interface Microphone {
  /** The audio context's rate, Hz (the rate of every chunk). */
  readonly sampleRate: number;
  /** Stops the tracks and closes the audio context. */
  stop(): Promise<void>;
}

/**
 * Starts capturing.
 * @param workletUrl - where `capture-worklet.js` is served.
 * @param onChunk - called with each chunk of mono samples in [-1, 1] (about 43 ms at 48 kHz).
 * @throws the browser's error when permission is refused or there is no microphone.
 */
export async function startMicrophone(
  workletUrl: URL,
  onChunk: (samples: Float32Array) => void,
): Promise<Microphone> {
  const media = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
  });
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule(workletUrl);
    const source = context.createMediaStreamSource(media);
    const node = new AudioWorkletNode(context, 'emovox-capture', { numberOfInputs: 1, numberOfOutputs: 0 });
    node.port.onmessage = (event: MessageEvent<Float32Array>) => onChunk(event.data);
    source.connect(node);
    await context.resume();
  } catch (error) {
    for (const track of media.getTracks()) track.stop();
    await context.close();
    throw error;
  }
  return {
    sampleRate: context.sampleRate,
    async stop() {
      for (const track of media.getTracks()) track.stop();
      await context.close();
    },
  };
}

/**
 * Level of a chunk in dBFS: its RMS, floored at -100.
 * @param samples - mono samples in [-1, 1].
 */
export function levelDb(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return Math.max(-100, 20 * Math.log10(rms || 1e-10));
}
