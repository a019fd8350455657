#!/usr/bin/env node
// Placeholder until the native addon lands: see native/README.md.
