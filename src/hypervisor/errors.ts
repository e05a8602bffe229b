// A failed hypercall: the errno Xen returns and its text.
export class HypervisorError extends Error {
  constructor(public readonly errno: string, message: string) { super(message); }
}
