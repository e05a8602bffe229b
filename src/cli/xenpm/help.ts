// xenpm's usage text (show_help), which it writes to stderr.
export const HELP = `xen power management control tool

usage: xenpm <command> [args]

xenpm command list:

 get-cpuidle-states    [cpuid]       list cpu idle info of CPU <cpuid> or all
 get-cpufreq-states    [cpuid]       list cpu freq info of CPU <cpuid> or all
 get-cpufreq-average   [cpuid]       average cpu frequency since last invocation
                                     for CPU <cpuid> or all
 get-cpufreq-para      [cpuid]       list cpu freq parameter of CPU <cpuid> or all
 set-scaling-maxfreq   [cpuid] <HZ>  set max cpu frequency <HZ> on CPU <cpuid>
                                     or all CPUs
 set-scaling-minfreq   [cpuid] <HZ>  set min cpu frequency <HZ> on CPU <cpuid>
                                     or all CPUs
 set-scaling-speed     [cpuid] <num> set scaling speed on CPU <cpuid> or all
                                     it is used in userspace governor.
 set-scaling-governor  [cpuid] <gov> set scaling governor on CPU <cpuid> or all
                                     as userspace/performance/powersave/ondemand
 set-sampling-rate     [cpuid] <num> set sampling rate on CPU <cpuid> or all
                                     it is used in ondemand governor.
 set-up-threshold      [cpuid] <num> set up threshold on CPU <cpuid> or all
                                     it is used in ondemand governor.
 get-cpu-topology                    get thread/core/socket topology info
 set-sched-smt           enable|disable enable/disable scheduler smt power saving
 set-vcpu-migration-delay      <num> set scheduler vcpu migration delay in us
 get-vcpu-migration-delay            get scheduler vcpu migration delay
 set-max-cstate        <num>|'unlimited' [<num2>|'unlimited']
                                     set the C-State limitation (<num> >= 0) and
                                     optionally the C-sub-state limitation (<num2> >= 0)
 start [seconds]                     start collect Cx/Px statistics,
                                     output after CTRL-C or SIGINT or several seconds.
 enable-turbo-mode     [cpuid]       enable Turbo Mode for processors that support it.
 disable-turbo-mode    [cpuid]       disable Turbo Mode for processors that support it.
`;
