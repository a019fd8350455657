// onnxruntime-node 1.30 on Linux starts Microsoft's telemetry when it initialises: a device id
// and a queue of usage events in ~/.cache/Microsoft/DeveloperTools/.onnxruntime/, an empty
// /tmp/mat-debug-<pid>.log per process, and uploads to mobile.events.data.microsoft.com whenever
// that is reachable. emovox sends nothing anywhere, so the runtime's telemetry is off unless the
// user set ORT_DISABLE_TELEMETRY themselves. The runtime reads the variable from the process
// environment, which only the main thread can change (a worker thread's process.env is its own
// copy): every module that loads onnxruntime-node imports this module before it, and so does the
// worker pool, before it starts threads.
import { env } from 'node:process';

env.ORT_DISABLE_TELEMETRY ??= '1';
