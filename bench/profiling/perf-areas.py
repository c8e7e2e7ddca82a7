"""Groups `perf script` samples of a bench run by process and, inside the .NET process, by area.

Each sample counts for the innermost frame that names a known area, so time in runtime helpers and unresolved native
frames goes to the managed code that called them. Samples are taken at 499 Hz per running thread, so samples / 499
is CPU seconds.
"""
import collections
import re
import sys

AREAS = [
    ('GC', r'gc_heap|GCHeap|WKS::|SVR::|GarbageCollect|BackgroundGC'),
    ('JIT (tiered compilation)', r'libclrjit|TieredCompilation|CallCountingManager|DoPrestub|PreStub'),
    ('System.Text.Json', r'System\.Text\.Json'),
    ('MassTransit', r'\[MassTransit\]|MassTransit\.'),
    ('Npgsql', r'\[Npgsql\]|Npgsql\.'),
    ('Orleans streams', r'Orleans\.Streams|Orleans\.Providers'),
    ('Orleans serialization', r'Orleans\.Serialization'),
    ('Orleans runtime', r'\[Orleans|Orleans\.'),
    ('our code', r'OrleansEnrollment'),
    ('sockets, kernel I/O', r'System\.Net\.Sockets|sys_sendto|sys_recvfrom|tcp_|sock_'),
    ('thread pool, scheduling', r'PortableThreadPool|ThreadPoolWorkQueue|sched_yield|__schedule|futex|LowLevelLifoSemaphore'),
]


def samples(path):
    """(thread name, frames leaf first) per sample."""
    thread, frames = None, []
    for line in open(path, errors='replace'):
        if not line.strip():
            if thread is not None:
                yield thread, frames
            thread, frames = None, []
        elif line[0] in ' \t':
            frames.append(line.strip())
        else:
            # the thread name may contain spaces; the pid/tid field follows it
            thread = re.split(r'\s+\d+(/\d+)?\s', line, maxsplit=1)[0]
    if thread is not None:
        yield thread, frames


def area(thread, frames):
    if 'Tiered Com' in thread:
        return 'JIT (tiered compilation)'
    if 'GC' in thread:
        return 'GC'
    for frame in frames:
        for name, pattern in AREAS:
            if re.search(pattern, frame):
                return name
    return 'other (unresolved)'


def main(path, window):
    processes, areas = collections.Counter(), collections.Counter()
    for thread, frames in samples(path):
        process = 'postgres' if thread.startswith('postgres') else 'bench (.NET)'
        processes[process] += 1
        if process == 'bench (.NET)':
            areas[area(thread, frames)] += 1
    total = sum(processes.values())
    print(f'{total} samples = {total / 499:.1f} CPU-s in a {window} s window')
    for process, count in processes.most_common():
        print(f'  {process}: {100 * count / total:.0f}% ({count / 499:.1f} CPU-s)')
    dotnet = processes['bench (.NET)'] or 1
    print('inside the bench process:')
    for name, count in areas.most_common():
        print(f'  {100 * count / dotnet:5.1f}%  {name}')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else '?')
