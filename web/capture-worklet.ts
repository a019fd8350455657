// AudioWorklet processor of the microphone: mixes the input to mono and posts it to the page in
// chunks of CHUNK samples (the render quantum is only 128 samples; fewer, larger messages keep
// the main thread free). Runs in the AudioWorkletGlobalScope, whose types TypeScript's DOM
// library does not have: the few names used are declared here.
declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

/** Samples per message (about 43 ms at 48 kHz). */
const CHUNK = 2048;

class CaptureProcessor extends AudioWorkletProcessor {
  private buffer = new Float32Array(CHUNK);
  private fill = 0;

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    const n = channels[0].length;
    const scale = 1 / channels.length;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (const ch of channels) sum += ch[i];
      this.buffer[this.fill++] = sum * scale;
      if (this.fill === CHUNK) {
        this.port.postMessage(this.buffer, [this.buffer.buffer]);
        this.buffer = new Float32Array(CHUNK);
        this.fill = 0;
      }
    }
    return true;
  }
}

registerProcessor('emovox-capture', CaptureProcessor);
