#!/usr/bin/env node
// The `wapipe` command. wapipe has no build step: this shim registers tsx, then runs the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
