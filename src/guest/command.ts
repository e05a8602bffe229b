// What a command of the guest's shell gives back: its two output streams (both reach the
// console) and its exit status.
export interface CommandResult { stdout: string; stderr: string; status: number }

export const output = (stdout: string): CommandResult => ({ stdout, stderr: '', status: 0 });
export const failure = (stderr: string, status = 1): CommandResult => ({ stdout: '', stderr, status });
