// dist/xl.cjs: xl as a program, under whatever name it was invoked, its arguments as the bytes given.
import { argvBytes } from '../../client/argv-bytes.ts';
import { textFromBytes } from '../../formats/byte-text.ts';
import { invokedName } from '../invoked-name.ts';
import { runXlProcess } from './main.ts';

runXlProcess(argvBytes().map(textFromBytes), invokedName());
