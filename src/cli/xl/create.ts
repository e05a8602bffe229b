import type { CommandRun } from './command.ts';
export const runCreate: CommandRun = async (ctx) => { ctx.io.err('create: todo\n'); return 1; };
