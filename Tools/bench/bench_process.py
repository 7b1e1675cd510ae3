"""Process helpers shared by the benchmark scripts: peak-memory readings of this process, and running
one benchmark process and reading its JSON records."""

import json
import subprocess


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
