#!/usr/bin/env node
// The CLI entry must be executable once compiled (npm link / bin shims rely on it).
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
