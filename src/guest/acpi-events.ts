// What the guest's Linux does with the events its platform sends: an NMI nobody claims is
// reported by the NMI handler and ignored (unknown_nmi_panic is off); the ACPI power button
// makes systemd-logind power the system off cleanly; the sleep button makes it suspend to S3
// (the kernel writes S3 to PM1a and Xen pauses the domain), and the wake-up resumes it.
import type { GuestPlatform } from '../hypervisor/domain.ts';
import type { Printk } from './printk.ts';

export interface AcpiGuest {
  printk: Printk;
  poweroff(): void;
  /** Enter S3 (the PM1a write that ends the suspend). */
  enterS3(): void;
}

/** x86's NMI reason port (0x61) bits: none set on a guest, so every NMI is of unknown reason. */
const NMI_REASON = '00';

export function guestPlatform(g: AcpiGuest): GuestPlatform {
  return {
    nmi: cpu => {
      g.printk.line(`Uhhuh. NMI received for unknown reason ${NMI_REASON} on CPU ${cpu}.`);
      g.printk.line('Dazed and confused, but trying to continue');
    },
    acpiButton: button => {
      if (button === 'power') { g.poweroff(); return; }
      for (const l of ['PM: suspend entry (deep)', 'Filesystems sync: 0.001 seconds', 'Freezing user space processes ... (elapsed 0.001 seconds) done.',
        'OOM killer disabled.', 'Freezing remaining freezable tasks ... (elapsed 0.001 seconds) done.', 'ACPI: PM: Preparing to enter system sleep state S3']) g.printk.line(l);
      g.enterS3();
    },
    s3Resumed: () => {
      for (const l of ['ACPI: PM: Low-level resume complete', 'ACPI: PM: Waking up from system sleep state S3',
        'OOM killer enabled.', 'Restarting tasks ... done.', 'PM: suspend exit']) g.printk.line(l);
    },
  };
}
