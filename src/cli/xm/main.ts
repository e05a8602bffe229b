// dist/xm.cjs: xm, for the scripts that still call it. The commands xl kept compatible run as xl
// commands in this process (no second node start-up); the others fail with xm's "Error:" line
// saying why xl has no equivalent, and exit 1, as xm's own failures did.
import { argvBytes } from '../../client/argv-bytes.ts';
import { bytesFromText, textFromBytes } from '../../formats/byte-text.ts';
import { invokedName } from '../invoked-name.ts';
import { runXlProcess } from '../xl/main.ts';
import { lookupXmCommand, xmAliases, xmCommands } from './commands.ts';

const write = (stream: NodeJS.WriteStream, s: string) => stream.write(bytesFromText(s));

function help(): string {
  let t = 'Usage: xm <subcommand> [args]\n\n' +
    'xenlab\'s xm runs each subcommand as the xl command it became; the ones xl has no equivalent\n' +
    'for fail, saying why. See xm(1).\n\n';
  for (const c of xmCommands) {
    const route = c.route([]);
    t += ` ${c.name.padEnd(28)} ${'xl' in route ? `xl ${route.xl[0]}` : 'no xl equivalent'}\n`;
  }
  return t + '\n<Domain> can either be the Domain Name or Id.\n';
}

function xm(argv: string[]): number | undefined {
  const [name, ...args] = argv;
  if (name === undefined) { write(process.stdout, help()); return 1; }
  if (name === 'help' || name === '--help' || name === '-h') { write(process.stdout, help()); return 0; }
  const alias = xmAliases[name];
  if (alias) write(process.stderr, `Command ${name} is deprecated.  Please use xm ${alias} instead.\n`);
  const cmd = lookupXmCommand(alias ?? name);
  if (!cmd) {
    write(process.stderr, `Error: Subcommand ${name} not found!\n`);
    write(process.stdout, help());
    return 1;
  }
  const route = cmd.route(args);
  if ('unsupported' in route) {
    write(process.stderr, `Error: xm ${cmd.name}${route.option ? ` ${route.option}` : ''} has no xl equivalent: ${route.unsupported}.\n`);
    return 1;
  }
  runXlProcess(route.xl, invokedName());
  return undefined;
}

const status = xm(argvBytes().map(textFromBytes));
if (status !== undefined) process.exitCode = status;
