"""Process helpers shared by the benchmark scripts: timed calls, peak-memory readings of this process, and
running one benchmark process and reading its JSON records."""

import json
import resource
import statistics
import subprocess
import time


def status_bytes(name):
    """A `/proc/self/status` size field (`VmHWM`, `VmRSS`, …) in bytes, or None."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    return None


def reset_peak():
    """Reset VmHWM to the current RSS (Linux `clear_refs` 5); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def run_json(command):
    """Run one benchmark process; its stdout lines that start with `{`, parsed. Exits with its stderr on failure."""
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stderr[-2000:]}")
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


def uptime():
    """`uptime`'s line: the load average a measurement ran under."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def timed_calls(call, repeats):
    """Wall and process-CPU seconds (user + system, all threads) of `repeats` calls (at least one), as the JSON
    fields the Swift side writes: `seconds` (median), `samples`, `cpu_seconds` (median), `cpu_samples`."""
    samples, cpu_samples = [], []
    for _ in range(max(1, repeats)):
        start, cpu_start = time.perf_counter(), time.process_time()
        call()
        samples.append(time.perf_counter() - start)
        cpu_samples.append(time.process_time() - cpu_start)
    return {"seconds": statistics.median(samples), "samples": samples,
            "cpu_seconds": statistics.median(cpu_samples), "cpu_samples": cpu_samples}


def mib(value):
    return f"{value / 1048576:.0f} MiB" if value else "n/a"


class PeakMemory:
    """Memory of one configuration: created right after loading, it notes the RSS then and resets the peak mark,
    so `fields()` can report the whole-process peak (`ru_maxrss`, `import torch` included) and the peak since."""

    def __init__(self):
        self.after_load = status_bytes("VmRSS")
        self.before_reset = status_bytes("VmHWM")
        self.reset = reset_peak()

    def fields(self):
        """`rss_after_load_bytes`, `peak_rss_bytes` and, where the reset worked, `peak_rss_inference_bytes`."""
        since_reset = status_bytes("VmHWM")
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        record = {"rss_after_load_bytes": self.after_load, "peak_rss_bytes": max(maxrss, self.before_reset or 0)}
        if self.reset:
            record["peak_rss_inference_bytes"] = since_reset
        return record

    @staticmethod
    def describe(record):
        return (f"RSS after load {mib(record['rss_after_load_bytes'])}, peak (whole process) "
                f"{mib(record['peak_rss_bytes'])}, peak (inference) {mib(record.get('peak_rss_inference_bytes'))}")
